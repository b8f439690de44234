package historytest

import (
	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
)

// nexusCommandEvent writes the event of a ScheduleNexusOperation or
// RequestCancelNexusOperation command.
func (h *Builder) nexusCommandEvent(c *commandpb.Command, completedID int64) {
	if a := c.GetScheduleNexusOperationCommandAttributes(); a != nil {
		h.Add(enumspb.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED, &historypb.HistoryEvent_NexusOperationScheduledEventAttributes{
			NexusOperationScheduledEventAttributes: &historypb.NexusOperationScheduledEventAttributes{
				Endpoint: a.GetEndpoint(), EndpointId: "endpoint-id-" + a.GetEndpoint(), Service: a.GetService(), Operation: a.GetOperation(),
				Input: a.GetInput(), ScheduleToCloseTimeout: a.GetScheduleToCloseTimeout(), NexusHeader: a.GetNexusHeader(),
				WorkflowTaskCompletedEventId: completedID, RequestId: "request-" + a.GetOperation(),
			},
		})
		h.events[len(h.events)-1].UserMetadata = c.GetUserMetadata()
		return
	}
	h.Add(enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED, &historypb.HistoryEvent_NexusOperationCancelRequestedEventAttributes{
		NexusOperationCancelRequestedEventAttributes: &historypb.NexusOperationCancelRequestedEventAttributes{
			ScheduledEventId: c.GetRequestCancelNexusOperationCommandAttributes().GetScheduledEventId(), WorkflowTaskCompletedEventId: completedID,
		},
	})
}

// NexusStarted writes NexusOperationStarted for the operation scheduled at scheduledID.
func (h *Builder) NexusStarted(scheduledID int64, token string) {
	h.Add(enumspb.EVENT_TYPE_NEXUS_OPERATION_STARTED, &historypb.HistoryEvent_NexusOperationStartedEventAttributes{
		NexusOperationStartedEventAttributes: &historypb.NexusOperationStartedEventAttributes{
			ScheduledEventId: scheduledID, OperationToken: token, RequestId: "request",
		},
	})
}

// NexusCompleted writes NexusOperationCompleted with result encoded by the default
// converter.
func (h *Builder) NexusCompleted(scheduledID int64, result any) {
	h.t.Helper()
	payload, err := converter.GetDefaultDataConverter().ToPayload(result)
	if err != nil {
		h.t.Fatal(err)
	}
	h.Add(enumspb.EVENT_TYPE_NEXUS_OPERATION_COMPLETED, &historypb.HistoryEvent_NexusOperationCompletedEventAttributes{
		NexusOperationCompletedEventAttributes: &historypb.NexusOperationCompletedEventAttributes{ScheduledEventId: scheduledID, Result: payload, RequestId: "request"},
	})
}

// NexusFailure is the failure a server records when an operation ends unsuccessfully:
// a NexusOperationFailureInfo failure naming the operation, whose cause is cause.
func NexusFailure(scheduledID int64, endpoint, service, operation, token string, cause error) *failurepb.Failure {
	return &failurepb.Failure{
		Message: "nexus operation completed unsuccessfully",
		Cause:   converter.GetDefaultFailureConverter().ErrorToFailure(cause),
		FailureInfo: &failurepb.Failure_NexusOperationExecutionFailureInfo{NexusOperationExecutionFailureInfo: &failurepb.NexusOperationFailureInfo{
			ScheduledEventId: scheduledID, Endpoint: endpoint, Service: service, Operation: operation, OperationToken: token,
		}},
	}
}

// NexusFailed writes NexusOperationFailed with failure.
func (h *Builder) NexusFailed(scheduledID int64, failure *failurepb.Failure) {
	h.Add(enumspb.EVENT_TYPE_NEXUS_OPERATION_FAILED, &historypb.HistoryEvent_NexusOperationFailedEventAttributes{
		NexusOperationFailedEventAttributes: &historypb.NexusOperationFailedEventAttributes{ScheduledEventId: scheduledID, Failure: failure, RequestId: "request"},
	})
}

// NexusCanceled writes NexusOperationCanceled with failure (whose cause is a canceled
// failure).
func (h *Builder) NexusCanceled(scheduledID int64, failure *failurepb.Failure) {
	h.Add(enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCELED, &historypb.HistoryEvent_NexusOperationCanceledEventAttributes{
		NexusOperationCanceledEventAttributes: &historypb.NexusOperationCanceledEventAttributes{ScheduledEventId: scheduledID, Failure: failure, RequestId: "request"},
	})
}

// NexusTimedOut writes NexusOperationTimedOut with failure (whose cause is a timeout).
func (h *Builder) NexusTimedOut(scheduledID int64, failure *failurepb.Failure) {
	h.Add(enumspb.EVENT_TYPE_NEXUS_OPERATION_TIMED_OUT, &historypb.HistoryEvent_NexusOperationTimedOutEventAttributes{
		NexusOperationTimedOutEventAttributes: &historypb.NexusOperationTimedOutEventAttributes{ScheduledEventId: scheduledID, Failure: failure, RequestId: "request"},
	})
}

// NexusCancelRequestCompleted writes that the handler accepted the cancellation
// request recorded at requestedID.
func (h *Builder) NexusCancelRequestCompleted(scheduledID, requestedID int64) {
	h.Add(enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUEST_COMPLETED, &historypb.HistoryEvent_NexusOperationCancelRequestCompletedEventAttributes{
		NexusOperationCancelRequestCompletedEventAttributes: &historypb.NexusOperationCancelRequestCompletedEventAttributes{
			ScheduledEventId: scheduledID, RequestedEventId: requestedID,
		},
	})
}

// NexusCancelRequestFailed writes that the handler refused the cancellation request
// recorded at requestedID with err.
func (h *Builder) NexusCancelRequestFailed(scheduledID, requestedID int64, err error) {
	h.Add(enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUEST_FAILED, &historypb.HistoryEvent_NexusOperationCancelRequestFailedEventAttributes{
		NexusOperationCancelRequestFailedEventAttributes: &historypb.NexusOperationCancelRequestFailedEventAttributes{
			ScheduledEventId: scheduledID, RequestedEventId: requestedID, Failure: converter.GetDefaultFailureConverter().ErrorToFailure(err),
		},
	})
}

// NexusTimeoutCause is the cause of a schedule-to-close timeout.
func NexusTimeoutCause() error {
	return sundial.NewTimeoutError("operation timed out", enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE, nil)
}

// setNexusAttributes stores the attributes of a Nexus operation event in ev, and
// reports whether attrs was one.
func setNexusAttributes(ev *historypb.HistoryEvent, attrs any) bool {
	switch a := attrs.(type) {
	case *historypb.HistoryEvent_NexusOperationScheduledEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_NexusOperationStartedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_NexusOperationCompletedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_NexusOperationFailedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_NexusOperationCanceledEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_NexusOperationTimedOutEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_NexusOperationCancelRequestedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_NexusOperationCancelRequestCompletedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_NexusOperationCancelRequestFailedEventAttributes:
		ev.Attributes = a
	default:
		return false
	}
	return true
}
