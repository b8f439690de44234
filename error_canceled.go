package sundial

import "fmt"

// CanceledErrorOptions are the optional parts of a CanceledError.
type CanceledErrorOptions struct {
	// Message defaults to "canceled".
	Message string
	// Details are values encoded with the data converter and sent along.
	Details []any
	// Cause is the error that led to the cancellation, if any.
	Cause error
}

// CanceledError reports that an activity or workflow was canceled. An activity that
// returns it after a cancellation request is reported as canceled rather than failed.
type CanceledError struct {
	decodedFrom
	msg     string
	details detailValues
	cause   error
}

// NewCanceledError returns a CanceledError carrying the given details.
func NewCanceledError(details ...any) *CanceledError {
	return NewCanceledErrorWithOptions(CanceledErrorOptions{Details: details})
}

// NewCanceledErrorWithOptions returns a CanceledError with every option spelled out.
func NewCanceledErrorWithOptions(opts CanceledErrorOptions) *CanceledError {
	msg := opts.Message
	if msg == "" {
		msg = "canceled"
	}
	return &CanceledError{msg: msg, details: detailValues(opts.Details), cause: opts.Cause}
}

// Error returns the message, then the cause if there is one.
func (e *CanceledError) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %v", e.msg, e.cause)
	}
	return e.msg
}

// Message is the message alone.
func (e *CanceledError) Message() string { return e.msg }

// HasDetails reports whether the error carries details.
func (e *CanceledError) HasDetails() bool { return e.details.hasValues() }

// Details decodes the details, in order, into the given pointers; ErrNoData if none.
func (e *CanceledError) Details(valuePtrs ...any) error { return e.details.get(valuePtrs...) }

// Unwrap returns the cause.
func (e *CanceledError) Unwrap() error { return e.cause }
