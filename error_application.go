package sundial

import (
	"fmt"
	"time"
)

// ApplicationErrorCategory classifies an ApplicationError for logging and metrics. Its
// values match Temporal's ApplicationErrorCategory enum on the wire.
type ApplicationErrorCategory int

const (
	// ApplicationErrorCategoryUnspecified is the default: an ordinary failure.
	ApplicationErrorCategoryUnspecified ApplicationErrorCategory = 0
	// ApplicationErrorCategoryBenign marks an expected failure: workers log it at debug
	// level and do not count it in failure metrics.
	ApplicationErrorCategoryBenign ApplicationErrorCategory = 1
)

// ApplicationErrorOptions are the optional parts of an ApplicationError.
type ApplicationErrorOptions struct {
	// NonRetryable stops retries regardless of the retry policy.
	NonRetryable bool
	// Cause is the error that led to this one; it travels as the Failure's cause.
	Cause error
	// Details are values encoded with the data converter and sent along.
	Details []any
	// NextRetryDelay, when positive, replaces the retry policy's delay before the next attempt.
	NextRetryDelay time.Duration
	// Category classifies the error for logging and metrics.
	Category ApplicationErrorCategory
}

// ApplicationError is an error raised by user code, carried as an application failure.
type ApplicationError struct {
	decodedFrom
	msg            string
	errType        string
	nonRetryable   bool
	details        detailValues
	nextRetryDelay time.Duration
	category       ApplicationErrorCategory
	cause          error
}

// NewApplicationError returns a retryable ApplicationError with the given message, type
// name and details.
func NewApplicationError(msg, errType string, details ...any) *ApplicationError {
	return NewApplicationErrorWithOptions(msg, errType, ApplicationErrorOptions{Details: details})
}

// NewNonRetryableApplicationError returns an ApplicationError that is never retried.
func NewNonRetryableApplicationError(msg, errType string, cause error, details ...any) *ApplicationError {
	return NewApplicationErrorWithOptions(msg, errType, ApplicationErrorOptions{
		NonRetryable: true,
		Cause:        cause,
		Details:      details,
	})
}

// NewApplicationErrorWithOptions returns an ApplicationError with every option spelled out.
func NewApplicationErrorWithOptions(msg, errType string, opts ApplicationErrorOptions) *ApplicationError {
	return &ApplicationError{
		msg:            msg,
		errType:        errType,
		nonRetryable:   opts.NonRetryable,
		details:        detailValues(opts.Details),
		nextRetryDelay: opts.NextRetryDelay,
		category:       opts.Category,
		cause:          opts.Cause,
	}
}

// Error describes the error, its type and retryability, then its cause.
func (e *ApplicationError) Error() string {
	msg := e.msg
	if e.errType != "" {
		msg = fmt.Sprintf("%s (type: %s, retryable: %t)", msg, e.errType, !e.nonRetryable)
	}
	if e.cause != nil {
		msg = fmt.Sprintf("%s: %v", msg, e.cause)
	}
	return msg
}

// Message is the message alone, without the decorations Error adds.
func (e *ApplicationError) Message() string { return e.msg }

// Type is the error's type name, matched against RetryPolicy.NonRetryableErrorTypes.
func (e *ApplicationError) Type() string { return e.errType }

// NonRetryable reports whether the error stops retries.
func (e *ApplicationError) NonRetryable() bool { return e.nonRetryable }

// NextRetryDelay is the delay requested before the next attempt; 0 means the policy's.
func (e *ApplicationError) NextRetryDelay() time.Duration { return e.nextRetryDelay }

// Category is the error's category.
func (e *ApplicationError) Category() ApplicationErrorCategory { return e.category }

// HasDetails reports whether the error carries details.
func (e *ApplicationError) HasDetails() bool { return e.details.hasValues() }

// Details decodes the error's details, in order, into the given pointers. It returns
// ErrNoData when there are none.
func (e *ApplicationError) Details(valuePtrs ...any) error { return e.details.get(valuePtrs...) }

// Unwrap returns the cause.
func (e *ApplicationError) Unwrap() error { return e.cause }
