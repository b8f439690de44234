package historytest

import (
	"fmt"

	historypb "go.temporal.io/api/history/v1"
)

// setAttributes stores one of the HistoryEvent attribute wrappers in ev.
func setAttributes(ev *historypb.HistoryEvent, attrs any) {
	switch a := attrs.(type) {
	case *historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_WorkflowTaskScheduledEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_WorkflowTaskStartedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_WorkflowTaskCompletedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_WorkflowTaskFailedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_ActivityTaskScheduledEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_ActivityTaskStartedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_ActivityTaskCompletedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_ActivityTaskFailedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_ActivityTaskCanceledEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_ActivityTaskCancelRequestedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_TimerStartedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_TimerFiredEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_TimerCanceledEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_MarkerRecordedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_UpsertWorkflowSearchAttributesEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_WorkflowExecutionCompletedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_WorkflowExecutionFailedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_WorkflowExecutionCanceledEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_WorkflowExecutionSignaledEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_WorkflowExecutionCancelRequestedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_WorkflowExecutionUpdateAcceptedEventAttributes:
		ev.Attributes = a
	case *historypb.HistoryEvent_WorkflowExecutionUpdateCompletedEventAttributes:
		ev.Attributes = a
	default:
		if !setNexusAttributes(ev, attrs) {
			panic(fmt.Sprintf("setAttributes: unsupported %T", attrs))
		}
	}
}
