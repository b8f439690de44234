package engine

import (
	"sort"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// What DescribeWorkflowExecution shows of a run's Nexus work: the operations
// it scheduled that have not ended, and the completion callbacks it carries,
// filled as Temporal fills PendingNexusOperationInfo and CallbackInfo.
// Attempt counts finished attempts, as Temporal's does: an operation whose
// first request is with a worker shows 0.

// pendingNexusOperations lists the run's open operations by scheduled event.
func pendingNexusOperations(s *machine.State) []*workflowpb.PendingNexusOperationInfo {
	if len(s.NexusOperations) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(s.NexusOperations))
	for id := range s.NexusOperations {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]*workflowpb.PendingNexusOperationInfo, 0, len(ids))
	for _, id := range ids {
		out = append(out, pendingNexusOperation(s.NexusOperations[id]))
	}
	return out
}

func pendingNexusOperation(op *machine.NexusOperation) *workflowpb.PendingNexusOperationInfo {
	info := &workflowpb.PendingNexusOperationInfo{
		Endpoint:                op.Endpoint,
		Service:                 op.Service,
		Operation:               op.Operation,
		OperationId:             op.OperationToken,
		OperationToken:          op.OperationToken,
		ScheduledEventId:        op.ScheduledEventID,
		ScheduleToCloseTimeout:  durationpb.New(op.ScheduleToClose),
		ScheduleToStartTimeout:  durationpb.New(op.ScheduleToStart),
		StartToCloseTimeout:     durationpb.New(op.StartToClose),
		ScheduledTime:           timestamppb.New(op.ScheduledTime),
		Attempt:                 op.Attempt - 1,
		LastAttemptCompleteTime: tsOrNil(op.LastAttemptTime),
		LastAttemptFailure:      machine.DecodeFailure(op.LastAttemptFailure),
		CancellationInfo:        nexusCancellationInfo(op.Cancel),
	}
	switch op.State {
	case machine.NexusStarted:
		info.State = enumspb.PENDING_NEXUS_OPERATION_STATE_STARTED
		info.Attempt = op.Attempt
	case machine.NexusBackoff:
		info.State = enumspb.PENDING_NEXUS_OPERATION_STATE_BACKING_OFF
		info.NextAttemptScheduleTime = timestamppb.New(op.AttemptTime)
	default:
		info.State = enumspb.PENDING_NEXUS_OPERATION_STATE_SCHEDULED
	}
	return info
}

func nexusCancellationInfo(c *machine.NexusCancel) *workflowpb.NexusOperationCancellationInfo {
	if c == nil {
		return nil
	}
	info := &workflowpb.NexusOperationCancellationInfo{
		RequestedTime:           tsOrNil(c.RequestedTime),
		Attempt:                 c.Attempt - 1,
		LastAttemptCompleteTime: tsOrNil(c.LastAttemptTime),
		LastAttemptFailure:      machine.DecodeFailure(c.LastAttemptFailure),
	}
	switch {
	case c.Done && len(c.LastAttemptFailure) == 0:
		info.State = enumspb.NEXUS_OPERATION_CANCELLATION_STATE_SUCCEEDED
		info.Attempt = c.Attempt
	case c.Done:
		info.State = enumspb.NEXUS_OPERATION_CANCELLATION_STATE_FAILED
		info.Attempt = c.Attempt
	case c.State == machine.NexusBackoff:
		info.State = enumspb.NEXUS_OPERATION_CANCELLATION_STATE_BACKING_OFF
		info.NextAttemptScheduleTime = timestamppb.New(c.AttemptTime)
	default:
		info.State = enumspb.NEXUS_OPERATION_CANCELLATION_STATE_SCHEDULED
	}
	return info
}

// callbackInfos lists the run's completion callbacks: standing by while the
// run is open, scheduled once it closed, succeeded once delivered.
func callbackInfos(s *machine.State) []*workflowpb.CallbackInfo {
	if len(s.Callbacks) == 0 {
		return nil
	}
	out := make([]*workflowpb.CallbackInfo, 0, len(s.Callbacks))
	for _, cb := range s.Callbacks {
		spec := &commonpb.Callback{}
		if len(cb.Encoded) == 0 || proto.Unmarshal(cb.Encoded, spec) != nil {
			spec = &commonpb.Callback{Variant: &commonpb.Callback_Nexus_{Nexus: &commonpb.Callback_Nexus{Url: cb.URL, Header: cb.Header}}}
		}
		info := &workflowpb.CallbackInfo{
			Callback: spec,
			Trigger: &workflowpb.CallbackInfo_Trigger{Variant: &workflowpb.CallbackInfo_Trigger_WorkflowClosed{
				WorkflowClosed: &workflowpb.CallbackInfo_WorkflowClosed{},
			}},
			RegistrationTime: timestamppb.New(s.StartTime),
		}
		switch {
		case cb.Delivered:
			info.State = enumspb.CALLBACK_STATE_SUCCEEDED
			info.Attempt = 1
			info.LastAttemptCompleteTime = tsOrNil(cb.DeliveredTime)
		case s.Open() || cb.HandedOn || s.Status == enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
			info.State = enumspb.CALLBACK_STATE_STANDBY
		default:
			info.State = enumspb.CALLBACK_STATE_SCHEDULED
		}
		out = append(out, info)
	}
	return out
}
