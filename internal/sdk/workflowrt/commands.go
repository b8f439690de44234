package workflowrt

import (
	"strings"

	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
)

// command is one command produced by workflow code, kept until its event is matched.
type command struct {
	proto *commandpb.Command
	// unmatched commands (Version and MutableSideEffect markers, and the search
	// attribute upsert that goes with a Version marker) are sent but never compared with
	// history, as Temporal's Go SDK does, so GetVersion calls can be added to running
	// workflows.
	unmatched bool
}

// addCommand queues a command for the current workflow task and advances the predicted
// event id, as every command produces exactly one event.
func (e *runEnv) addCommand(c *commandpb.Command, unmatched bool) *command {
	cmd := &command{proto: c, unmatched: unmatched}
	e.outgoing = append(e.outgoing, cmd)
	e.skipVersionMarkerEvents()
	e.nextEventID++
	return cmd
}

// removeOutgoing drops a command that has not been sent yet (a cancellation whose target
// resolved meanwhile). It reports whether the command was still unsent.
func (e *runEnv) removeOutgoing(cmd *command) bool {
	for i, c := range e.outgoing {
		if c == cmd {
			e.outgoing = append(e.outgoing[:i], e.outgoing[i+1:]...)
			return true
		}
	}
	return false
}

// nextSequence is the id for the next command: the id of the event it will produce.
func (e *runEnv) nextSequence() int64 {
	e.skipVersionMarkerEvents()
	if e.nextEventID == 0 {
		panic("workflowrt: a command was created before the first workflow task started")
	}
	return e.nextEventID
}

// skipVersionMarkerEvents moves the predicted event id past Version markers (and their
// search attribute upserts) that history holds at that position: on replay GetVersion
// produces no command for them.
func (e *runEnv) skipVersionMarkerEvents() {
	for {
		span, ok := e.versionMarkerSpans[e.nextEventID]
		if !ok {
			return
		}
		delete(e.versionMarkerSpans, e.nextEventID)
		e.nextEventID += span
	}
}

// takeCommands returns the commands produced since the last call, in order, and keeps
// those that must be matched against history until their events arrive.
func (e *runEnv) takeCommands() []*commandpb.Command {
	out := make([]*commandpb.Command, 0, len(e.outgoing))
	for _, c := range e.outgoing {
		out = append(out, c.proto)
		if !c.unmatched {
			e.awaiting = append(e.awaiting, c)
		}
	}
	e.outgoing = nil
	return out
}

// matchEvent checks a command event of history against the oldest command still
// waiting for its event.
func (e *runEnv) matchEvent(ev, previous *historypb.HistoryEvent) error {
	if isUnmatchedEvent(ev, previous) {
		return nil
	}
	if len(e.awaiting) == 0 {
		return &NondeterminismError{Event: ev, Reason: "the workflow code produced no command for it"}
	}
	cmd := e.awaiting[0]
	if !commandMatchesEvent(cmd.proto, ev) {
		return &NondeterminismError{Event: ev, Command: cmd.proto, Reason: "the workflow code produced a different command at this position"}
	}
	e.awaiting[0] = nil
	e.awaiting = e.awaiting[1:]
	return nil
}

// isCommandEvent reports events that record a command of the workflow.
func isCommandEvent(t enumspb.EventType) bool {
	switch t {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
		enumspb.EVENT_TYPE_TIMER_STARTED,
		enumspb.EVENT_TYPE_TIMER_CANCELED,
		enumspb.EVENT_TYPE_MARKER_RECORDED,
		enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
		enumspb.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
		enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
		enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
		enumspb.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
		enumspb.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED,
		enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED:
		return true
	}
	return false
}

// isUnmatchedEvent reports command events never compared with commands: Version and
// MutableSideEffect markers, and the TemporalChangeVersion upsert right after a
// Version marker.
func isUnmatchedEvent(ev, previous *historypb.HistoryEvent) bool {
	switch ev.GetEventType() {
	case enumspb.EVENT_TYPE_MARKER_RECORDED:
		name := ev.GetMarkerRecordedEventAttributes().GetMarkerName()
		return name == versionMarkerName || name == mutableSideEffectMarkerName
	case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
		_, isChangeVersion := ev.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes().GetIndexedFields()[changeVersionSearchAttribute]
		return isChangeVersion && previous.GetEventType() == enumspb.EVENT_TYPE_MARKER_RECORDED &&
			previous.GetMarkerRecordedEventAttributes().GetMarkerName() == versionMarkerName
	}
	return false
}

// lastNamePart strips a package-like prefix ("pkg.Name" -> "Name") from a type name.
func lastNamePart(name string) string {
	if i := strings.LastIndex(name, "."); i >= 0 && i < len(name)-1 {
		return name[i+1:]
	}
	return name
}

// commandMatchesEvent compares the attributes that identify a command with its event,
// the same ones Temporal's Go SDK compares.
func commandMatchesEvent(c *commandpb.Command, ev *historypb.HistoryEvent) bool {
	switch c.GetCommandType() {
	case enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK:
		a, ok := c.GetScheduleActivityTaskCommandAttributes(), ev.GetActivityTaskScheduledEventAttributes()
		return ok != nil && a.GetActivityId() == ok.GetActivityId() &&
			lastNamePart(a.GetActivityType().GetName()) == lastNamePart(ok.GetActivityType().GetName())
	case enumspb.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK:
		e := ev.GetActivityTaskCancelRequestedEventAttributes()
		return e != nil && e.GetScheduledEventId() == c.GetRequestCancelActivityTaskCommandAttributes().GetScheduledEventId()
	case enumspb.COMMAND_TYPE_START_TIMER:
		e := ev.GetTimerStartedEventAttributes()
		return e != nil && e.GetTimerId() == c.GetStartTimerCommandAttributes().GetTimerId()
	case enumspb.COMMAND_TYPE_CANCEL_TIMER:
		e := ev.GetTimerCanceledEventAttributes()
		return e != nil && e.GetTimerId() == c.GetCancelTimerCommandAttributes().GetTimerId()
	case enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
		return ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED
	case enumspb.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
		return ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED
	case enumspb.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
		return ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED
	case enumspb.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
		return ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
	case enumspb.COMMAND_TYPE_RECORD_MARKER:
		e := ev.GetMarkerRecordedEventAttributes()
		return e != nil && e.GetMarkerName() == c.GetRecordMarkerCommandAttributes().GetMarkerName()
	case enumspb.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
		return ev.GetEventType() == enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
	case enumspb.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES:
		return ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED
	case enumspb.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION:
		e := ev.GetStartChildWorkflowExecutionInitiatedEventAttributes()
		return e != nil && lastNamePart(e.GetWorkflowType().GetName()) ==
			lastNamePart(c.GetStartChildWorkflowExecutionCommandAttributes().GetWorkflowType().GetName())
	case enumspb.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION:
		e, a := ev.GetSignalExternalWorkflowExecutionInitiatedEventAttributes(), c.GetSignalExternalWorkflowExecutionCommandAttributes()
		return e != nil && e.GetSignalName() == a.GetSignalName() && e.GetWorkflowExecution().GetWorkflowId() == a.GetExecution().GetWorkflowId()
	case enumspb.COMMAND_TYPE_PROTOCOL_MESSAGE:
		return protocolMessageMatches(c, ev)
	case enumspb.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION:
		e := ev.GetRequestCancelExternalWorkflowExecutionInitiatedEventAttributes()
		return e != nil && e.GetWorkflowExecution().GetWorkflowId() == c.GetRequestCancelExternalWorkflowExecutionCommandAttributes().GetWorkflowId()
	case enumspb.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION, enumspb.COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION:
		return nexusCommandMatchesEvent(c, ev)
	}
	return false
}
