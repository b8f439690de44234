package sundial

import "fmt"

// TerminatedError reports that a workflow was terminated.
type TerminatedError struct {
	decodedFrom
	msg string
}

// NewTerminatedError returns a TerminatedError; an empty message becomes "terminated".
func NewTerminatedError(msg string) *TerminatedError {
	if msg == "" {
		msg = "terminated"
	}
	return &TerminatedError{msg: msg}
}

// Error returns the message.
func (e *TerminatedError) Error() string { return e.msg }

// Message is the message alone.
func (e *TerminatedError) Message() string { return e.msg }

// Unwrap returns nil: a termination has no cause.
func (e *TerminatedError) Unwrap() error { return nil }

// ServerError is a failure produced by the server rather than by user code.
type ServerError struct {
	decodedFrom
	msg          string
	nonRetryable bool
	cause        error
}

// NewServerError returns a ServerError.
func NewServerError(msg string, nonRetryable bool, cause error) *ServerError {
	return &ServerError{msg: msg, nonRetryable: nonRetryable, cause: cause}
}

// Error returns the message, then the cause.
func (e *ServerError) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %v", e.msg, e.cause)
	}
	return e.msg
}

// Message is the message alone.
func (e *ServerError) Message() string { return e.msg }

// NonRetryable reports whether the failure must not be retried.
func (e *ServerError) NonRetryable() bool { return e.nonRetryable }

// Unwrap returns the cause.
func (e *ServerError) Unwrap() error { return e.cause }
