package activity

import (
	"context"
	"time"

	"github.com/sundialdev/sundial"
)

// Info describes the running activity attempt. GetInfo returns it.
type Info struct {
	// ActivityID identifies the activity within its workflow run.
	ActivityID string
	// ActivityType is the name the activity was scheduled under.
	ActivityType string
	// Attempt is the attempt number, starting at 1.
	Attempt int32
	// TaskQueue is the task queue the attempt was polled from.
	TaskQueue string
	// TaskToken identifies the attempt to the server; client.Client.CompleteActivity and
	// RecordActivityHeartbeat take it for asynchronous completion.
	TaskToken []byte

	// WorkflowNamespace is the namespace of the workflow that scheduled the activity.
	WorkflowNamespace string
	// WorkflowID is the id of the workflow that scheduled the activity.
	WorkflowID string
	// WorkflowRunID is the run id of the workflow that scheduled the activity.
	WorkflowRunID string
	// WorkflowType is the type name of the workflow that scheduled the activity.
	WorkflowType string

	// ScheduledTime is when the first attempt was scheduled.
	ScheduledTime time.Time
	// CurrentAttemptScheduledTime is when this attempt was scheduled.
	CurrentAttemptScheduledTime time.Time
	// StartedTime is when this attempt was handed to the worker.
	StartedTime time.Time
	// Deadline is when the attempt times out: the earlier of the start-to-close and the
	// schedule-to-close limits. The activity's context carries it too.
	Deadline time.Time

	// ScheduleToCloseTimeout limits the whole activity, all attempts included; 0 if unset.
	ScheduleToCloseTimeout time.Duration
	// ScheduleToStartTimeout limits the wait in the task queue. The server does not send it
	// with activity tasks, so it is 0 unless set by a test environment.
	ScheduleToStartTimeout time.Duration
	// StartToCloseTimeout limits one attempt; 0 if unset.
	StartToCloseTimeout time.Duration
	// HeartbeatTimeout is the longest the server waits between heartbeats before it times
	// the attempt out; 0 if heartbeats are not required.
	HeartbeatTimeout time.Duration

	// IsLocal reports a local activity (workflow.ExecuteLocalActivity), run by the
	// workflow's own worker inside its workflow task rather than through the server.
	IsLocal bool
	// Priority is the priority the activity was scheduled with.
	Priority sundial.Priority
	// RetryPolicy is the retry policy in force, with the server's defaults filled in; nil
	// if the server sent none.
	RetryPolicy *sundial.RetryPolicy
}

// GetInfo returns the running attempt's Info. It panics when ctx does not belong to an
// activity; IsActivity tells whether it does.
func GetInfo(ctx context.Context) Info {
	return mustCurrent(ctx, "GetInfo").Info()
}

// IsActivity reports whether ctx belongs to a running activity.
func IsActivity(ctx context.Context) bool {
	_, ok := current(ctx)
	return ok
}

// GetWorkflowID returns the id of the workflow that scheduled the running activity, ""
// outside an activity.
func GetWorkflowID(ctx context.Context) string {
	if r, ok := current(ctx); ok {
		return r.Info().WorkflowID
	}
	return ""
}

// GetWorkflowRunID returns the run id of the workflow that scheduled the running
// activity, "" outside an activity.
func GetWorkflowRunID(ctx context.Context) string {
	if r, ok := current(ctx); ok {
		return r.Info().WorkflowRunID
	}
	return ""
}
