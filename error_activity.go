package sundial

import (
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
)

// ActivityErrorOptions describe the failed activity; they mirror ActivityFailureInfo.
type ActivityErrorOptions struct {
	ScheduledEventID int64
	StartedEventID   int64
	Identity         string
	ActivityType     string
	ActivityID       string
	RetryState       enumspb.RetryState
	// Cause is why the activity failed: an ApplicationError, CanceledError, TimeoutError...
	Cause error
}

// ActivityError is how a workflow sees a failed activity: it names the activity and
// wraps the reason in its cause.
type ActivityError struct {
	decodedFrom
	opts ActivityErrorOptions
}

// NewActivityError returns an ActivityError.
func NewActivityError(opts ActivityErrorOptions) *ActivityError {
	return &ActivityError{opts: opts}
}

// Error describes the activity, then the cause.
func (e *ActivityError) Error() string {
	msg := fmt.Sprintf("%s (type: %s, scheduledEventID: %d, startedEventID: %d, identity: %s)",
		e.Message(), e.opts.ActivityType, e.opts.ScheduledEventID, e.opts.StartedEventID, e.opts.Identity)
	if e.opts.Cause != nil {
		msg = fmt.Sprintf("%s: %v", msg, e.opts.Cause)
	}
	return msg
}

// Message is always "activity error"; the detail is in the cause.
func (e *ActivityError) Message() string { return "activity error" }

// ScheduledEventID is the id of the ActivityTaskScheduled event.
func (e *ActivityError) ScheduledEventID() int64 { return e.opts.ScheduledEventID }

// StartedEventID is the id of the ActivityTaskStarted event.
func (e *ActivityError) StartedEventID() int64 { return e.opts.StartedEventID }

// Identity is the identity of the worker that ran the last attempt.
func (e *ActivityError) Identity() string { return e.opts.Identity }

// ActivityType is the activity's type name.
func (e *ActivityError) ActivityType() string { return e.opts.ActivityType }

// ActivityID is the activity's id within its workflow.
func (e *ActivityError) ActivityID() string { return e.opts.ActivityID }

// RetryState says why retries stopped.
func (e *ActivityError) RetryState() enumspb.RetryState { return e.opts.RetryState }

// Unwrap returns the cause.
func (e *ActivityError) Unwrap() error { return e.opts.Cause }
