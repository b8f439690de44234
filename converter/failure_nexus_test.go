package converter_test

import (
	"errors"
	"testing"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
)

func TestNexusFailureRoundTrip(t *testing.T) {
	handlerErr := sundial.NewNexusHandlerError(sundial.NexusHandlerErrorOptions{
		Type: "UNAVAILABLE", Message: "try later", RetryBehavior: enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_RETRYABLE,
		Cause: sundial.NewApplicationError("db down", "DBDown"),
	})
	opErr := sundial.NewNexusOperationError(sundial.NexusOperationErrorOptions{
		Message: "nexus operation completed unsuccessfully", Endpoint: "ep", Service: "svc", Operation: "op",
		ScheduledEventID: 7, OperationToken: "tok", Cause: handlerErr,
	})
	f, decoded := roundTrip(t, opErr)
	info := f.GetNexusOperationExecutionFailureInfo()
	if info.GetEndpoint() != "ep" || info.GetService() != "svc" || info.GetOperation() != "op" || info.GetScheduledEventId() != 7 ||
		info.GetOperationToken() != "tok" || info.GetOperationId() != "tok" || f.GetMessage() != "nexus operation completed unsuccessfully" {
		t.Fatalf("operation failure = %v", f)
	}
	handlerInfo := f.GetCause().GetNexusHandlerFailureInfo()
	if handlerInfo.GetType() != "UNAVAILABLE" || handlerInfo.GetRetryBehavior() != enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_RETRYABLE ||
		f.GetCause().GetMessage() != "try later" || f.GetCause().GetCause().GetApplicationFailureInfo().GetType() != "DBDown" {
		t.Fatalf("handler failure = %v", f.GetCause())
	}
	var gotOp *sundial.NexusOperationError
	var gotHandler *sundial.NexusHandlerError
	if !errors.As(decoded, &gotOp) || gotOp.OperationToken() != "tok" || gotOp.ScheduledEventID() != 7 || gotOp.Endpoint() != "ep" ||
		!errors.As(decoded, &gotHandler) || gotHandler.Type() != "UNAVAILABLE" || gotHandler.Message() != "try later" ||
		!sundial.HasApplicationError(decoded, "DBDown") {
		t.Fatalf("decoded chain = %v", decoded)
	}
}

func TestNexusFailureFromOlderServersAndDefaultMessages(t *testing.T) {
	fc := converter.GetDefaultFailureConverter()
	err := fc.FailureToError(&failurepb.Failure{
		Message: "nexus operation completed unsuccessfully",
		FailureInfo: &failurepb.Failure_NexusOperationExecutionFailureInfo{NexusOperationExecutionFailureInfo: &failurepb.NexusOperationFailureInfo{
			Operation: "op", OperationId: "old-id",
		}},
		Cause: &failurepb.Failure{
			Message:     "handler error (INTERNAL)",
			FailureInfo: &failurepb.Failure_NexusHandlerFailureInfo{NexusHandlerFailureInfo: &failurepb.NexusHandlerFailureInfo{Type: "INTERNAL"}},
		},
	})
	var opErr *sundial.NexusOperationError
	var handlerErr *sundial.NexusHandlerError
	if !errors.As(err, &opErr) || opErr.OperationToken() != "old-id" {
		t.Fatalf("decoded %v, want the operation id as token", err)
	}
	if !errors.As(err, &handlerErr) || handlerErr.Message() != "handler error (INTERNAL)" || handlerErr.Error() != "handler error (INTERNAL)" {
		t.Fatalf("decoded handler error %q, want the default message once", handlerErr)
	}
}
