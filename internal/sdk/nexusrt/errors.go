package nexusrt

import (
	"errors"
	"fmt"

	"github.com/nexus-rpc/sdk-go/nexus"
	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// operationErrorType is the application failure type of an operation that failed, as
// Temporal's SDKs name it.
const operationErrorType = "OperationError"

// asHandlerError turns any error a handler returned, other than an OperationError,
// into the HandlerError the caller sees: the handler's own HandlerError, a
// non-retryable INTERNAL one for a non-retryable ApplicationError, the Nexus type of a
// gRPC status error (from a client call the handler made), or else a retryable
// INTERNAL error.
func asHandlerError(err error) *nexus.HandlerError {
	var he *nexus.HandlerError
	if errors.As(err, &he) {
		return he
	}
	var appErr *sundial.ApplicationError
	if errors.As(err, &appErr) && appErr.NonRetryable() {
		return &nexus.HandlerError{Type: nexus.HandlerErrorTypeInternal, Message: "handler failed with a non-retryable application error",
			Cause: err, RetryBehavior: nexus.HandlerErrorRetryBehaviorNonRetryable}
	}
	var withStatus interface{ Status() *status.Status }
	if errors.As(err, &withStatus) {
		if he := statusHandlerError(withStatus.Status().Code(), err); he != nil {
			return he
		}
	}
	return &nexus.HandlerError{Type: nexus.HandlerErrorTypeInternal, Message: "internal handler error", Cause: err}
}

// statusHandlerError maps a gRPC status code as Temporal's Go SDK does; nil for codes
// it leaves to the INTERNAL default.
func statusHandlerError(code codes.Code, err error) *nexus.HandlerError {
	typ, behavior := nexus.HandlerErrorTypeInternal, nexus.HandlerErrorRetryBehaviorUnspecified
	switch code {
	case codes.InvalidArgument:
		typ = nexus.HandlerErrorTypeBadRequest
	case codes.AlreadyExists, codes.FailedPrecondition, codes.OutOfRange:
		behavior = nexus.HandlerErrorRetryBehaviorNonRetryable
	case codes.Aborted, codes.Unavailable:
		typ = nexus.HandlerErrorTypeUnavailable
	case codes.Canceled, codes.DataLoss, codes.Internal, codes.Unknown, codes.Unauthenticated, codes.PermissionDenied:
		// The handler failed to reach its own server: retryable, not the caller's fault.
	case codes.NotFound:
		typ = nexus.HandlerErrorTypeNotFound
	case codes.ResourceExhausted:
		typ = nexus.HandlerErrorTypeResourceExhausted
	case codes.Unimplemented:
		typ = nexus.HandlerErrorTypeNotImplemented
	case codes.DeadlineExceeded:
		typ = nexus.HandlerErrorTypeUpstreamTimeout
	default:
		return nil
	}
	return &nexus.HandlerError{Type: typ, Message: err.Error(), Cause: err, RetryBehavior: behavior}
}

// operationFailure is the Temporal failure of an operation that ended unsuccessfully
// at start: an OperationError failure (non-retryable application failure) or a
// cancellation. It returns nil for a state other than failed or canceled.
func operationFailure(fc converter.FailureConverter, oe *nexus.OperationError) *failurepb.Failure {
	message := oe.Message
	if message == "" && oe.Cause != nil {
		message = oe.Cause.Error()
	}
	switch oe.State {
	case nexus.OperationStateFailed:
		return fc.ErrorToFailure(sundial.NewApplicationErrorWithOptions(message, operationErrorType,
			sundial.ApplicationErrorOptions{NonRetryable: true, Cause: oe.Cause}))
	case nexus.OperationStateCanceled:
		return fc.ErrorToFailure(sundial.NewCanceledErrorWithOptions(sundial.CanceledErrorOptions{Message: message, Cause: oe.Cause}))
	}
	return nil
}

// handlerFailure is the Temporal failure of a handler error: a NexusHandlerFailureInfo
// with the error's type and retry behavior, its cause converted by fc.
func handlerFailure(fc converter.FailureConverter, he *nexus.HandlerError) *failurepb.Failure {
	message := he.Message
	if message == "" {
		message = he.Error()
	}
	f := fc.ErrorToFailure(errors.New(message)) // the converter's source and attribute encoding
	if f == nil {
		f = &failurepb.Failure{Message: message}
	}
	f.StackTrace = he.StackTrace
	f.FailureInfo = &failurepb.Failure_NexusHandlerFailureInfo{NexusHandlerFailureInfo: &failurepb.NexusHandlerFailureInfo{
		Type: string(handlerErrorType(he)), RetryBehavior: retryBehavior(he.RetryBehavior),
	}}
	f.Cause = fc.ErrorToFailure(he.Cause)
	return f
}

func handlerErrorType(he *nexus.HandlerError) nexus.HandlerErrorType {
	if he.Type == "" {
		return nexus.HandlerErrorTypeInternal
	}
	return he.Type
}

func retryBehavior(b nexus.HandlerErrorRetryBehavior) enumspb.NexusHandlerErrorRetryBehavior {
	switch b {
	case nexus.HandlerErrorRetryBehaviorRetryable:
		return enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_RETRYABLE
	case nexus.HandlerErrorRetryBehaviorNonRetryable:
		return enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_NON_RETRYABLE
	}
	return enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_UNSPECIFIED
}

// Servers that do not announce the temporal_failure_responses capability take the
// older Nexus forms: a nexus.v1.HandlerError, and an UnsuccessfulOperationError, whose
// failures carry a Temporal failure as JSON in their details.

// failureMetadataType marks a Nexus failure whose details are a Temporal failure.
var failureMetadataType = string((&failurepb.Failure{}).ProtoReflect().Descriptor().FullName())

// nexusFailure wraps a Temporal failure in a Nexus failure: the message outside, the
// rest as JSON details.
func nexusFailure(f *failurepb.Failure) (*nexuspb.Failure, error) {
	if f == nil {
		return nil, nil
	}
	rest := proto.CloneOf(f)
	rest.Message = ""
	details, err := protojson.Marshal(rest)
	if err != nil {
		return nil, fmt.Errorf("encoding a failure as JSON: %w", err)
	}
	return &nexuspb.Failure{Message: f.GetMessage(), Metadata: map[string]string{"type": failureMetadataType}, Details: details}, nil
}

// legacyHandlerError is the older form of a handler error.
func legacyHandlerError(fc converter.FailureConverter, he *nexus.HandlerError) (*nexuspb.HandlerError, error) {
	failure, err := nexusFailure(fc.ErrorToFailure(he.Cause))
	if err != nil {
		return nil, err
	}
	if failure == nil {
		failure = &nexuspb.Failure{Message: he.Message}
	}
	return &nexuspb.HandlerError{ErrorType: string(handlerErrorType(he)), Failure: failure, RetryBehavior: retryBehavior(he.RetryBehavior)}, nil
}

// legacyOperationError is the older form of an unsuccessful start: the state and the
// failure's cause (the operation failure itself carries only the state).
func legacyOperationError(oe *nexus.OperationError, f *failurepb.Failure) (*nexuspb.UnsuccessfulOperationError, error) {
	failure, err := nexusFailure(f.GetCause())
	if err != nil {
		return nil, err
	}
	if failure == nil {
		failure = &nexuspb.Failure{Message: f.GetMessage()}
	}
	return &nexuspb.UnsuccessfulOperationError{OperationState: string(oe.State), Failure: failure}, nil
}
