package workflowrt

import (
	"fmt"

	"github.com/sundialdev/sundial"
	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
)

// nexusCalls are the Nexus operations of a run. Operations are correlated the way
// Temporal's Go SDK does it: a NexusOperationScheduled event belongs to the oldest
// operation still waiting for one (matchEvent has checked it is that operation's
// command), and every later event names the scheduled event's id.
type nexusCalls struct {
	unscheduled []*nexusCall
	byScheduled map[int64]*nexusCall
}

// nexusCall is one Nexus operation: a future for its start and one for its result.
type nexusCall struct {
	env              *runEnv
	endpoint         string
	service          string
	operation        string
	cancelType       NexusOperationCancellationType
	started          *future // value: NexusOperationExecution
	result           *future // value: the result *commonpb.Payload
	seq              int64   // predicted scheduled event id
	scheduleCommand  *command
	scheduledEventID int64 // known once NexusOperationScheduled was seen
	token            string
	cancelCommand    *command
	stopListening    func()
}

// ScheduleNexusOperation sends a ScheduleNexusOperation command with attrs and returns
// a future ready once the operation started (or ended first), and one for its result.
// Canceling ctx cancels the operation as cancelType says.
func ScheduleNexusOperation(ctx Context, attrs *commandpb.ScheduleNexusOperationCommandAttributes, metadata *sdkpb.UserMetadata, cancelType NexusOperationCancellationType) (started, result Future) {
	env := envFrom(ctx)
	startedF, resultF := newFuture(env), newFuture(env)
	if err := ctx.Err(); err != nil {
		startedF.SetError(err)
		resultF.SetError(err)
		return startedF, resultF
	}
	if env.nexus == nil {
		env.nexus = &nexusCalls{byScheduled: make(map[int64]*nexusCall)}
	}
	call := &nexusCall{
		env: env, endpoint: attrs.GetEndpoint(), service: attrs.GetService(), operation: attrs.GetOperation(),
		cancelType: cancelType, started: startedF, result: resultF, seq: env.nextSequence(),
	}
	call.scheduleCommand = env.addCommand(&commandpb.Command{
		CommandType:  enumspb.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION,
		UserMetadata: metadata,
		Attributes:   &commandpb.Command_ScheduleNexusOperationCommandAttributes{ScheduleNexusOperationCommandAttributes: attrs},
	}, false)
	env.nexus.unscheduled = append(env.nexus.unscheduled, call)
	call.stopListening = onCancel(ctx, call.cancel)
	return startedF, resultF
}

// cancel reacts to the cancellation of the operation's context.
func (c *nexusCall) cancel() {
	if c.result.IsReady() {
		return
	}
	if c.cancelType == nexusCancelAbandon {
		c.settle(nil, sundial.NewCanceledError())
		return
	}
	if c.scheduledEventID == 0 && c.dropUnsentSchedule() {
		// The server never heard of the operation: it ends here, as in Temporal's SDK.
		c.settle(nil, sundial.NewCanceledError())
		return
	}
	scheduledID := c.scheduledEventID
	if scheduledID == 0 {
		scheduledID = c.seq
	}
	c.cancelCommand = c.env.addCommand(&commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION,
		Attributes: &commandpb.Command_RequestCancelNexusOperationCommandAttributes{
			RequestCancelNexusOperationCommandAttributes: &commandpb.RequestCancelNexusOperationCommandAttributes{ScheduledEventId: scheduledID},
		},
	}, false)
}

// dropUnsentSchedule takes back the schedule command when it is the last command of
// the current task, so no later command's predicted event id moves. An earlier unsent
// command stays and is followed by a cancellation request in the same task.
func (c *nexusCall) dropUnsentSchedule() bool {
	e := c.env
	if len(e.outgoing) == 0 || e.outgoing[len(e.outgoing)-1] != c.scheduleCommand {
		return false
	}
	e.outgoing = e.outgoing[:len(e.outgoing)-1]
	e.nextEventID--
	for i, u := range e.nexus.unscheduled {
		if u == c {
			e.nexus.unscheduled = append(e.nexus.unscheduled[:i], e.nexus.unscheduled[i+1:]...)
			break
		}
	}
	return true
}

// settle resolves the futures still open: the start future with the token (or err),
// the result future with result (or err).
func (c *nexusCall) settle(result *commonpb.Payload, err error) {
	if !c.started.IsReady() {
		if err != nil {
			c.started.SetError(err)
		} else {
			c.started.SetValue(NexusOperationExecution{OperationToken: c.token})
		}
	}
	if c.result.IsReady() {
		return
	}
	if c.stopListening != nil {
		c.stopListening()
	}
	if result == nil {
		c.result.Set(nil, err)
		return
	}
	c.result.Set(result, err)
}

// onNexusEvent applies an event of a Nexus operation.
func (e *runEnv) onNexusEvent(ev *historypb.HistoryEvent) error {
	if e.nexus == nil {
		return &NondeterminismError{Event: ev, Reason: "the workflow code called no Nexus operation"}
	}
	if ev.GetEventType() == enumspb.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED {
		return e.onNexusScheduled(ev)
	}
	scheduledID := nexusScheduledEventID(ev)
	if scheduledID == 0 && (ev.GetEventType() == enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUEST_COMPLETED ||
		ev.GetEventType() == enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUEST_FAILED) {
		// Servers on API 1.47 wrote these events without the id; the operation's own
		// close event still arrives.
		return nil
	}
	call, ok := e.nexus.byScheduled[scheduledID]
	if !ok {
		return &NondeterminismError{Event: ev, Reason: fmt.Sprintf("it refers to scheduled event %d, which is not a Nexus operation of this workflow", scheduledID)}
	}
	switch a := ev.GetAttributes().(type) {
	case *historypb.HistoryEvent_NexusOperationStartedEventAttributes:
		call.token = a.NexusOperationStartedEventAttributes.GetOperationToken()
		if call.token == "" {
			call.token = a.NexusOperationStartedEventAttributes.GetOperationId()
		}
		if !call.started.IsReady() {
			call.started.SetValue(NexusOperationExecution{OperationToken: call.token})
		}
	case *historypb.HistoryEvent_NexusOperationCompletedEventAttributes:
		e.closeNexus(call, a.NexusOperationCompletedEventAttributes.GetResult(), nil)
	case *historypb.HistoryEvent_NexusOperationFailedEventAttributes:
		e.closeNexus(call, nil, a.NexusOperationFailedEventAttributes.GetFailure())
	case *historypb.HistoryEvent_NexusOperationCanceledEventAttributes:
		e.closeNexus(call, nil, a.NexusOperationCanceledEventAttributes.GetFailure())
	case *historypb.HistoryEvent_NexusOperationTimedOutEventAttributes:
		e.closeNexus(call, nil, a.NexusOperationTimedOutEventAttributes.GetFailure())
	case *historypb.HistoryEvent_NexusOperationCancelRequestedEventAttributes:
		if call.cancelType == nexusCancelTry {
			call.settle(nil, sundial.NewCanceledError())
		}
	case *historypb.HistoryEvent_NexusOperationCancelRequestCompletedEventAttributes:
		if call.cancelType == nexusCancelWaitRequested {
			call.settle(nil, sundial.NewCanceledError())
		}
	case *historypb.HistoryEvent_NexusOperationCancelRequestFailedEventAttributes:
		if call.cancelType == nexusCancelWaitRequested {
			call.settle(nil, e.failureConverter.FailureToError(a.NexusOperationCancelRequestFailedEventAttributes.GetFailure()))
		}
	}
	return nil
}

// onNexusScheduled records the scheduled event id of the oldest operation waiting for
// it.
func (e *runEnv) onNexusScheduled(ev *historypb.HistoryEvent) error {
	if len(e.nexus.unscheduled) == 0 {
		return &NondeterminismError{Event: ev, Reason: "no Nexus operation of the workflow code waits for it"}
	}
	call := e.nexus.unscheduled[0]
	e.nexus.unscheduled[0] = nil
	e.nexus.unscheduled = e.nexus.unscheduled[1:]
	call.scheduledEventID = ev.GetEventId()
	e.nexus.byScheduled[call.scheduledEventID] = call
	return nil
}

// closeNexus resolves an operation that ended: with result, or with the failure the
// server recorded, surfaced as a *sundial.NexusOperationError.
func (e *runEnv) closeNexus(call *nexusCall, result *commonpb.Payload, failure *failurepb.Failure) {
	delete(e.nexus.byScheduled, call.scheduledEventID)
	if call.cancelCommand != nil {
		// The operation ended before the cancellation went out: don't send it.
		e.removeOutgoing(call.cancelCommand)
	}
	if failure == nil {
		call.settle(result, nil)
		return
	}
	call.settle(nil, e.nexusOperationError(call, failure))
}

// nexusOperationError converts the failure of an ended operation. The server wraps the
// cause in a NexusOperationFailureInfo failure; one that lacks it is wrapped here so
// callers always find the operation's names.
func (e *runEnv) nexusOperationError(call *nexusCall, failure *failurepb.Failure) error {
	err := e.failureConverter.FailureToError(failure)
	if failure.GetNexusOperationExecutionFailureInfo() != nil {
		return err
	}
	return sundial.NewNexusOperationError(sundial.NexusOperationErrorOptions{
		Message: "nexus operation completed unsuccessfully", Endpoint: call.endpoint, Service: call.service,
		Operation: call.operation, ScheduledEventID: call.scheduledEventID, OperationToken: call.token, Cause: err,
	})
}

// nexusScheduledEventID reads the scheduled event id a Nexus operation event names.
func nexusScheduledEventID(ev *historypb.HistoryEvent) int64 {
	switch a := ev.GetAttributes().(type) {
	case *historypb.HistoryEvent_NexusOperationStartedEventAttributes:
		return a.NexusOperationStartedEventAttributes.GetScheduledEventId()
	case *historypb.HistoryEvent_NexusOperationCompletedEventAttributes:
		return a.NexusOperationCompletedEventAttributes.GetScheduledEventId()
	case *historypb.HistoryEvent_NexusOperationFailedEventAttributes:
		return a.NexusOperationFailedEventAttributes.GetScheduledEventId()
	case *historypb.HistoryEvent_NexusOperationCanceledEventAttributes:
		return a.NexusOperationCanceledEventAttributes.GetScheduledEventId()
	case *historypb.HistoryEvent_NexusOperationTimedOutEventAttributes:
		return a.NexusOperationTimedOutEventAttributes.GetScheduledEventId()
	case *historypb.HistoryEvent_NexusOperationCancelRequestedEventAttributes:
		return a.NexusOperationCancelRequestedEventAttributes.GetScheduledEventId()
	case *historypb.HistoryEvent_NexusOperationCancelRequestCompletedEventAttributes:
		return a.NexusOperationCancelRequestCompletedEventAttributes.GetScheduledEventId()
	case *historypb.HistoryEvent_NexusOperationCancelRequestFailedEventAttributes:
		return a.NexusOperationCancelRequestFailedEventAttributes.GetScheduledEventId()
	}
	return 0
}

// nexusCommandMatchesEvent compares a Nexus command with its event as Temporal's Go
// SDK does: an operation by service and operation name, a cancellation by the
// operation's scheduled event id.
func nexusCommandMatchesEvent(c *commandpb.Command, ev *historypb.HistoryEvent) bool {
	switch c.GetCommandType() {
	case enumspb.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION:
		e, a := ev.GetNexusOperationScheduledEventAttributes(), c.GetScheduleNexusOperationCommandAttributes()
		return e != nil && e.GetService() == a.GetService() && e.GetOperation() == a.GetOperation()
	case enumspb.COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION:
		e := ev.GetNexusOperationCancelRequestedEventAttributes()
		return e != nil && e.GetScheduledEventId() == c.GetRequestCancelNexusOperationCommandAttributes().GetScheduledEventId()
	}
	return false
}
