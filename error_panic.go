package sundial

import "fmt"

// PanicError reports that user code panicked. It is sent as an application failure of
// type "PanicError" with the panic's stack trace, as Temporal's Go SDK does.
type PanicError struct {
	decodedFrom
	value      any
	stackTrace string
	cause      error
}

// NewPanicError returns a PanicError for a recovered panic value and its stack trace.
// When the value is an error, it becomes the cause.
func NewPanicError(value any, stackTrace string) *PanicError {
	cause, _ := value.(error)
	return &PanicError{value: value, stackTrace: stackTrace, cause: cause}
}

// NewPanicErrorWithCause rebuilds a PanicError from its parts, as a FailureConverter
// does when decoding one: the message stands for the value.
func NewPanicErrorWithCause(message, stackTrace string, cause error) *PanicError {
	return &PanicError{value: message, stackTrace: stackTrace, cause: cause}
}

// Error formats the panic value.
func (e *PanicError) Error() string { return fmt.Sprintf("%v", e.value) }

// Message is the formatted panic value.
func (e *PanicError) Message() string { return e.Error() }

// Value is the recovered value; after a trip through a Failure it is the message string.
func (e *PanicError) Value() any { return e.value }

// StackTrace is the stack of the panicking goroutine.
func (e *PanicError) StackTrace() string { return e.stackTrace }

// Unwrap returns the cause: the panic value when it was an error.
func (e *PanicError) Unwrap() error { return e.cause }
