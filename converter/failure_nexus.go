package converter

import (
	"fmt"
	"strings"

	"github.com/sundialdev/sundial"
	failurepb "go.temporal.io/api/failure/v1"
)

// nexusOperationError decodes a NexusOperationFailureInfo failure. Servers before
// Temporal 1.27 set only the deprecated operation_id, which stands in for the token.
func nexusOperationError(info *failurepb.NexusOperationFailureInfo, message string, cause error) error {
	token := info.GetOperationToken()
	if token == "" {
		token = info.GetOperationId()
	}
	return sundial.NewNexusOperationError(sundial.NexusOperationErrorOptions{
		Message:          message,
		Endpoint:         info.GetEndpoint(),
		Service:          info.GetService(),
		Operation:        info.GetOperation(),
		ScheduledEventID: info.GetScheduledEventId(),
		OperationToken:   token,
		Cause:            cause,
	})
}

// nexusHandlerError decodes a NexusHandlerFailureInfo failure. A message that only
// repeats the type (the default text of handler errors) is dropped.
func nexusHandlerError(info *failurepb.NexusHandlerFailureInfo, message string, cause error) error {
	if strings.HasPrefix(message, fmt.Sprintf("handler error (%s)", info.GetType())) {
		message = ""
	}
	return sundial.NewNexusHandlerError(sundial.NexusHandlerErrorOptions{
		Type:          info.GetType(),
		Message:       message,
		RetryBehavior: info.GetRetryBehavior(),
		Cause:         cause,
	})
}

// nexusOperationFailureInfo encodes a NexusOperationError; the token is also sent as
// the deprecated operation_id for older readers.
func nexusOperationFailureInfo(e *sundial.NexusOperationError) *failurepb.Failure_NexusOperationExecutionFailureInfo {
	return &failurepb.Failure_NexusOperationExecutionFailureInfo{NexusOperationExecutionFailureInfo: &failurepb.NexusOperationFailureInfo{
		ScheduledEventId: e.ScheduledEventID(),
		Endpoint:         e.Endpoint(),
		Service:          e.Service(),
		Operation:        e.Operation(),
		OperationId:      e.OperationToken(),
		OperationToken:   e.OperationToken(),
	}}
}

// nexusHandlerFailureInfo encodes a NexusHandlerError.
func nexusHandlerFailureInfo(e *sundial.NexusHandlerError) *failurepb.Failure_NexusHandlerFailureInfo {
	return &failurepb.Failure_NexusHandlerFailureInfo{NexusHandlerFailureInfo: &failurepb.NexusHandlerFailureInfo{
		Type:          e.Type(),
		RetryBehavior: e.RetryBehavior(),
	}}
}
