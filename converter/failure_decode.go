package converter

import (
	"github.com/sundialdev/sundial"
	failurepb "go.temporal.io/api/failure/v1"
	"google.golang.org/protobuf/proto"
)

func (c *defaultFailureConverter) FailureToError(failure *failurepb.Failure) error {
	if failure == nil {
		return nil
	}
	original := proto.CloneOf(failure)
	message, stackTrace := c.decodeAttributes(failure)
	cause := c.FailureToError(failure.GetCause())

	var err error
	switch {
	case failure.GetApplicationFailureInfo() != nil:
		info := failure.GetApplicationFailureInfo()
		if info.GetType() == panicErrorType {
			err = sundial.NewPanicErrorWithCause(message, stackTrace, cause)
			break
		}
		opts := sundial.ApplicationErrorOptions{
			NonRetryable:   info.GetNonRetryable(),
			Cause:          cause,
			NextRetryDelay: info.GetNextRetryDelay().AsDuration(),
			Category:       sundial.ApplicationErrorCategory(info.GetCategory()),
		}
		if info.GetDetails() != nil {
			opts.Details = []any{NewEncodedValues(info.GetDetails(), c.dataConverter)}
		}
		err = sundial.NewApplicationErrorWithOptions(message, info.GetType(), opts)
	case failure.GetCanceledFailureInfo() != nil:
		opts := sundial.CanceledErrorOptions{Message: message, Cause: cause}
		if d := failure.GetCanceledFailureInfo().GetDetails(); d != nil {
			opts.Details = []any{NewEncodedValues(d, c.dataConverter)}
		}
		err = sundial.NewCanceledErrorWithOptions(opts)
	case failure.GetTimeoutFailureInfo() != nil:
		info := failure.GetTimeoutFailureInfo()
		var details []any
		if d := info.GetLastHeartbeatDetails(); d != nil {
			details = []any{NewEncodedValues(d, c.dataConverter)}
		}
		err = sundial.NewTimeoutError(message, info.GetTimeoutType(), cause, details...)
	case failure.GetTerminatedFailureInfo() != nil:
		err = sundial.NewTerminatedError(message)
	case failure.GetServerFailureInfo() != nil:
		err = sundial.NewServerError(message, failure.GetServerFailureInfo().GetNonRetryable(), cause)
	case failure.GetResetWorkflowFailureInfo() != nil:
		opts := sundial.ApplicationErrorOptions{NonRetryable: true, Cause: cause}
		if d := failure.GetResetWorkflowFailureInfo().GetLastHeartbeatDetails(); d != nil {
			opts.Details = []any{NewEncodedValues(d, c.dataConverter)}
		}
		err = sundial.NewApplicationErrorWithOptions(message, "", opts)
	case failure.GetActivityFailureInfo() != nil:
		info := failure.GetActivityFailureInfo()
		err = sundial.NewActivityError(sundial.ActivityErrorOptions{
			ScheduledEventID: info.GetScheduledEventId(),
			StartedEventID:   info.GetStartedEventId(),
			Identity:         info.GetIdentity(),
			ActivityType:     info.GetActivityType().GetName(),
			ActivityID:       info.GetActivityId(),
			RetryState:       info.GetRetryState(),
			Cause:            cause,
		})
	case failure.GetChildWorkflowExecutionFailureInfo() != nil:
		info := failure.GetChildWorkflowExecutionFailureInfo()
		err = sundial.NewChildWorkflowError(sundial.ChildWorkflowErrorOptions{
			Namespace:        info.GetNamespace(),
			WorkflowID:       info.GetWorkflowExecution().GetWorkflowId(),
			RunID:            info.GetWorkflowExecution().GetRunId(),
			WorkflowType:     info.GetWorkflowType().GetName(),
			InitiatedEventID: info.GetInitiatedEventId(),
			StartedEventID:   info.GetStartedEventId(),
			RetryState:       info.GetRetryState(),
			Cause:            cause,
		})
	case failure.GetNexusOperationExecutionFailureInfo() != nil:
		err = nexusOperationError(failure.GetNexusOperationExecutionFailureInfo(), message, cause)
	case failure.GetNexusHandlerFailureInfo() != nil:
		err = nexusHandlerError(failure.GetNexusHandlerFailureInfo(), message, cause)
	default:
		// Failure kinds without a Go type of their own (or none set) become plain
		// retryable application errors, keeping message and cause.
		err = sundial.NewApplicationErrorWithOptions(message, "", sundial.ApplicationErrorOptions{Cause: cause})
	}
	sundial.SetOriginalFailure(err, original)
	return err
}

// decodeAttributes returns the failure's message and stack trace, taken from its encoded
// attributes when present and decodable.
func (c *defaultFailureConverter) decodeAttributes(failure *failurepb.Failure) (message, stackTrace string) {
	message, stackTrace = failure.GetMessage(), failure.GetStackTrace()
	if failure.GetEncodedAttributes() == nil {
		return message, stackTrace
	}
	var attrs encodedAttributes
	if err := c.dataConverter.FromPayload(failure.GetEncodedAttributes(), &attrs); err != nil {
		return message, stackTrace
	}
	return attrs.Message, attrs.StackTrace
}
