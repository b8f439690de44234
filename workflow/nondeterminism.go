package workflow

import (
	"fmt"
	"strings"

	commandpb "go.temporal.io/api/command/v1"
	historypb "go.temporal.io/api/history/v1"
)

// NondeterminismError reports that replaying workflow code did not reproduce its
// history: it names the history event and the command that disagree (either may be
// missing).
type NondeterminismError struct {
	// Event is the history event, nil when the code produced a command history lacks.
	Event *historypb.HistoryEvent
	// Command is the command the code produced, nil when history has an event the code
	// did not produce.
	Command *commandpb.Command
	// Reason says what went wrong in words.
	Reason string
}

func (e *NondeterminismError) Error() string {
	var b strings.Builder
	b.WriteString("nondeterministic workflow: ")
	switch {
	case e.Event != nil && e.Command != nil:
		fmt.Fprintf(&b, "history event %s does not match command %s: %s", describeEvent(e.Event), describeCommand(e.Command), e.Reason)
	case e.Event != nil:
		fmt.Fprintf(&b, "history event %s has no matching command: %s", describeEvent(e.Event), e.Reason)
	case e.Command != nil:
		fmt.Fprintf(&b, "command %s has no matching history event: %s", describeCommand(e.Command), e.Reason)
	default:
		b.WriteString(e.Reason)
	}
	return b.String()
}

// describeEvent names an event and the attributes that identify it.
func describeEvent(ev *historypb.HistoryEvent) string {
	name := ev.GetEventType().String()
	var detail string
	switch a := ev.GetAttributes().(type) {
	case *historypb.HistoryEvent_ActivityTaskScheduledEventAttributes:
		detail = fmt.Sprintf("ActivityId=%s, ActivityType=%s", a.ActivityTaskScheduledEventAttributes.GetActivityId(), a.ActivityTaskScheduledEventAttributes.GetActivityType().GetName())
	case *historypb.HistoryEvent_ActivityTaskCancelRequestedEventAttributes:
		detail = fmt.Sprintf("ScheduledEventId=%d", a.ActivityTaskCancelRequestedEventAttributes.GetScheduledEventId())
	case *historypb.HistoryEvent_TimerStartedEventAttributes:
		detail = fmt.Sprintf("TimerId=%s, StartToFireTimeout=%s", a.TimerStartedEventAttributes.GetTimerId(), a.TimerStartedEventAttributes.GetStartToFireTimeout().AsDuration())
	case *historypb.HistoryEvent_TimerCanceledEventAttributes:
		detail = "TimerId=" + a.TimerCanceledEventAttributes.GetTimerId()
	case *historypb.HistoryEvent_MarkerRecordedEventAttributes:
		detail = "MarkerName=" + a.MarkerRecordedEventAttributes.GetMarkerName()
	case *historypb.HistoryEvent_WorkflowExecutionUpdateAcceptedEventAttributes:
		detail = "UpdateId=" + a.WorkflowExecutionUpdateAcceptedEventAttributes.GetProtocolInstanceId()
	case *historypb.HistoryEvent_WorkflowExecutionUpdateCompletedEventAttributes:
		detail = "UpdateId=" + a.WorkflowExecutionUpdateCompletedEventAttributes.GetMeta().GetUpdateId()
	case *historypb.HistoryEvent_StartChildWorkflowExecutionInitiatedEventAttributes:
		detail = fmt.Sprintf("WorkflowId=%s, WorkflowType=%s", a.StartChildWorkflowExecutionInitiatedEventAttributes.GetWorkflowId(), a.StartChildWorkflowExecutionInitiatedEventAttributes.GetWorkflowType().GetName())
	case *historypb.HistoryEvent_SignalExternalWorkflowExecutionInitiatedEventAttributes:
		detail = fmt.Sprintf("WorkflowId=%s, SignalName=%s", a.SignalExternalWorkflowExecutionInitiatedEventAttributes.GetWorkflowExecution().GetWorkflowId(), a.SignalExternalWorkflowExecutionInitiatedEventAttributes.GetSignalName())
	case *historypb.HistoryEvent_NexusOperationScheduledEventAttributes:
		detail = fmt.Sprintf("Service=%s, Operation=%s", a.NexusOperationScheduledEventAttributes.GetService(), a.NexusOperationScheduledEventAttributes.GetOperation())
	case *historypb.HistoryEvent_NexusOperationCancelRequestedEventAttributes:
		detail = fmt.Sprintf("ScheduledEventId=%d", a.NexusOperationCancelRequestedEventAttributes.GetScheduledEventId())
	}
	return fmt.Sprintf("#%d %s{%s}", ev.GetEventId(), name, detail)
}

// describeCommand names a command and the attributes that identify it.
func describeCommand(c *commandpb.Command) string {
	name := c.GetCommandType().String()
	var detail string
	switch a := c.GetAttributes().(type) {
	case *commandpb.Command_ScheduleActivityTaskCommandAttributes:
		detail = fmt.Sprintf("ActivityId=%s, ActivityType=%s", a.ScheduleActivityTaskCommandAttributes.GetActivityId(), a.ScheduleActivityTaskCommandAttributes.GetActivityType().GetName())
	case *commandpb.Command_RequestCancelActivityTaskCommandAttributes:
		detail = fmt.Sprintf("ScheduledEventId=%d", a.RequestCancelActivityTaskCommandAttributes.GetScheduledEventId())
	case *commandpb.Command_StartTimerCommandAttributes:
		detail = fmt.Sprintf("TimerId=%s, StartToFireTimeout=%s", a.StartTimerCommandAttributes.GetTimerId(), a.StartTimerCommandAttributes.GetStartToFireTimeout().AsDuration())
	case *commandpb.Command_CancelTimerCommandAttributes:
		detail = "TimerId=" + a.CancelTimerCommandAttributes.GetTimerId()
	case *commandpb.Command_RecordMarkerCommandAttributes:
		detail = "MarkerName=" + a.RecordMarkerCommandAttributes.GetMarkerName()
	case *commandpb.Command_ProtocolMessageCommandAttributes:
		detail = "MessageId=" + a.ProtocolMessageCommandAttributes.GetMessageId()
	case *commandpb.Command_StartChildWorkflowExecutionCommandAttributes:
		detail = fmt.Sprintf("WorkflowId=%s, WorkflowType=%s", a.StartChildWorkflowExecutionCommandAttributes.GetWorkflowId(), a.StartChildWorkflowExecutionCommandAttributes.GetWorkflowType().GetName())
	case *commandpb.Command_SignalExternalWorkflowExecutionCommandAttributes:
		detail = fmt.Sprintf("WorkflowId=%s, SignalName=%s", a.SignalExternalWorkflowExecutionCommandAttributes.GetExecution().GetWorkflowId(), a.SignalExternalWorkflowExecutionCommandAttributes.GetSignalName())
	case *commandpb.Command_ScheduleNexusOperationCommandAttributes:
		detail = fmt.Sprintf("Service=%s, Operation=%s", a.ScheduleNexusOperationCommandAttributes.GetService(), a.ScheduleNexusOperationCommandAttributes.GetOperation())
	case *commandpb.Command_RequestCancelNexusOperationCommandAttributes:
		detail = fmt.Sprintf("ScheduledEventId=%d", a.RequestCancelNexusOperationCommandAttributes.GetScheduledEventId())
	}
	return fmt.Sprintf("%s{%s}", name, detail)
}
