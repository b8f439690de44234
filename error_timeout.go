package sundial

import (
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
)

// TimeoutError reports that a timeout fired. For activities the type is one of
// START_TO_CLOSE, SCHEDULE_TO_START, SCHEDULE_TO_CLOSE or HEARTBEAT, and the error
// carries the last heartbeat details the activity recorded, if any.
type TimeoutError struct {
	decodedFrom
	msg                  string
	timeoutType          enumspb.TimeoutType
	lastHeartbeatDetails detailValues
	cause                error
}

// NewTimeoutError returns a TimeoutError of the given type.
func NewTimeoutError(msg string, timeoutType enumspb.TimeoutType, cause error, lastHeartbeatDetails ...any) *TimeoutError {
	return &TimeoutError{
		msg:                  msg,
		timeoutType:          timeoutType,
		lastHeartbeatDetails: detailValues(lastHeartbeatDetails),
		cause:                cause,
	}
}

// Error describes the timeout and its type, then its cause.
func (e *TimeoutError) Error() string {
	msg := fmt.Sprintf("%s (type: %s)", e.msg, e.timeoutType)
	if e.cause != nil {
		msg = fmt.Sprintf("%s: %v", msg, e.cause)
	}
	return msg
}

// Message is the message alone.
func (e *TimeoutError) Message() string { return e.msg }

// TimeoutType says which timeout fired.
func (e *TimeoutError) TimeoutType() enumspb.TimeoutType { return e.timeoutType }

// HasLastHeartbeatDetails reports whether heartbeat details were recorded before the timeout.
func (e *TimeoutError) HasLastHeartbeatDetails() bool { return e.lastHeartbeatDetails.hasValues() }

// LastHeartbeatDetails decodes the last heartbeat details into the given pointers;
// ErrNoData if none were recorded.
func (e *TimeoutError) LastHeartbeatDetails(valuePtrs ...any) error {
	return e.lastHeartbeatDetails.get(valuePtrs...)
}

// Unwrap returns the cause.
func (e *TimeoutError) Unwrap() error { return e.cause }
