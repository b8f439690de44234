package sundial

import (
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
)

// NexusOperationErrorOptions describe the failed Nexus operation; they mirror
// NexusOperationFailureInfo.
type NexusOperationErrorOptions struct {
	// Message is the failure's message, for example "nexus operation completed
	// unsuccessfully".
	Message          string
	Endpoint         string
	Service          string
	Operation        string
	ScheduledEventID int64
	// OperationToken identifies an asynchronous operation; empty when the operation
	// never started or completed synchronously.
	OperationToken string
	// Cause is why the operation did not complete: an ApplicationError (the handler
	// failed the operation), CanceledError, TimeoutError or NexusHandlerError.
	Cause error
}

// NexusOperationError is how a workflow sees a Nexus operation it called that did not
// complete successfully: it names the operation and wraps the reason in its cause.
type NexusOperationError struct {
	decodedFrom
	opts NexusOperationErrorOptions
}

// NewNexusOperationError returns a NexusOperationError.
func NewNexusOperationError(opts NexusOperationErrorOptions) *NexusOperationError {
	return &NexusOperationError{opts: opts}
}

// Error describes the operation, then the cause.
func (e *NexusOperationError) Error() string {
	msg := fmt.Sprintf("%s (endpoint: %q, service: %q, operation: %q, operation token: %q, scheduledEventID: %d)",
		e.Message(), e.opts.Endpoint, e.opts.Service, e.opts.Operation, e.opts.OperationToken, e.opts.ScheduledEventID)
	if e.opts.Cause != nil {
		msg = fmt.Sprintf("%s: %v", msg, e.opts.Cause)
	}
	return msg
}

// Message is the failure's own message, without the operation's names and the cause.
func (e *NexusOperationError) Message() string {
	if e.opts.Message == "" {
		return "nexus operation error"
	}
	return e.opts.Message
}

// Endpoint is the name of the endpoint the operation was called through.
func (e *NexusOperationError) Endpoint() string { return e.opts.Endpoint }

// Service is the Nexus service name.
func (e *NexusOperationError) Service() string { return e.opts.Service }

// Operation is the Nexus operation name.
func (e *NexusOperationError) Operation() string { return e.opts.Operation }

// OperationToken identifies the started asynchronous operation; empty otherwise.
func (e *NexusOperationError) OperationToken() string { return e.opts.OperationToken }

// ScheduledEventID is the id of the NexusOperationScheduled event.
func (e *NexusOperationError) ScheduledEventID() int64 { return e.opts.ScheduledEventID }

// Unwrap returns the cause.
func (e *NexusOperationError) Unwrap() error { return e.opts.Cause }

// NexusHandlerErrorOptions describe an error a Nexus handler answered a request with;
// they mirror NexusHandlerFailureInfo.
type NexusHandlerErrorOptions struct {
	// Type is the Nexus handler error type: "BAD_REQUEST", "NOT_FOUND", "INTERNAL",
	// "UNAVAILABLE", "UPSTREAM_TIMEOUT" and the others Nexus defines.
	Type          string
	Message       string
	RetryBehavior enumspb.NexusHandlerErrorRetryBehavior
	Cause         error
}

// NexusHandlerError is a Nexus handler's refusal to process a request (as opposed to
// an operation that ran and failed). A caller sees it as the cause of a
// NexusOperationError when the server gave up retrying the request.
type NexusHandlerError struct {
	decodedFrom
	opts NexusHandlerErrorOptions
}

// NewNexusHandlerError returns a NexusHandlerError.
func NewNexusHandlerError(opts NexusHandlerErrorOptions) *NexusHandlerError {
	return &NexusHandlerError{opts: opts}
}

// Error gives the type and the message, then the cause.
func (e *NexusHandlerError) Error() string {
	msg := fmt.Sprintf("handler error (%s)", e.opts.Type)
	if e.opts.Message != "" {
		msg += ": " + e.opts.Message
	}
	if e.opts.Cause != nil {
		msg = fmt.Sprintf("%s: %v", msg, e.opts.Cause)
	}
	return msg
}

// Message is the handler's message, or a default naming the type.
func (e *NexusHandlerError) Message() string {
	if e.opts.Message == "" {
		return fmt.Sprintf("handler error (%s)", e.opts.Type)
	}
	return e.opts.Message
}

// Type is the Nexus handler error type.
func (e *NexusHandlerError) Type() string { return e.opts.Type }

// RetryBehavior says whether the handler asked for the request to be retried;
// unspecified means the type decides.
func (e *NexusHandlerError) RetryBehavior() enumspb.NexusHandlerErrorRetryBehavior {
	return e.opts.RetryBehavior
}

// Unwrap returns the cause.
func (e *NexusHandlerError) Unwrap() error { return e.opts.Cause }
