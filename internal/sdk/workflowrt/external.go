package workflowrt

import (
	"fmt"
	"strconv"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
)

// externalCall is a signal or cancellation request sent to another workflow.
type externalCall struct {
	future *future
	target string
}

// SignalExternalWorkflow signals another workflow (runID may be empty for its current
// run); the future is ready once the server delivered the signal, or fails if it could
// not. The command's control field carries the sequence number that correlates its
// events, as Temporal's Go SDK does.
func SignalExternalWorkflow(ctx Context, namespace, workflowID, runID, signalName string, input *commonpb.Payloads, childWorkflowOnly bool) Future {
	env := envFrom(ctx)
	f := newFuture(env)
	if err := ctx.Err(); err != nil {
		f.SetError(err)
		return f
	}
	control := strconv.FormatInt(env.nextSequence(), 10)
	env.externalByControl[control] = &externalCall{future: f, target: workflowID}
	env.addCommand(&commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_SignalExternalWorkflowExecutionCommandAttributes{SignalExternalWorkflowExecutionCommandAttributes: &commandpb.SignalExternalWorkflowExecutionCommandAttributes{
			Namespace:         orDefault(namespace, env.info.Namespace),
			Execution:         &commonpb.WorkflowExecution{WorkflowId: workflowID, RunId: runID},
			SignalName:        signalName,
			Input:             input,
			Control:           control,
			ChildWorkflowOnly: childWorkflowOnly,
		}},
	}, false)
	return f
}

// RequestCancelExternalWorkflow asks the server to cancel another workflow; the future
// is ready once the request was delivered, or fails if it could not be.
func RequestCancelExternalWorkflow(ctx Context, namespace, workflowID, runID string) Future {
	env := envFrom(ctx)
	f := newFuture(env)
	control := strconv.FormatInt(env.nextSequence(), 10)
	env.externalByControl[control] = &externalCall{future: f, target: workflowID}
	env.addCommand(&commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_RequestCancelExternalWorkflowExecutionCommandAttributes{
			RequestCancelExternalWorkflowExecutionCommandAttributes: &commandpb.RequestCancelExternalWorkflowExecutionCommandAttributes{
				Namespace: orDefault(namespace, env.info.Namespace), WorkflowId: workflowID, RunId: runID, Control: control,
			},
		},
	}, false)
	return f
}

// onExternalEvent resolves signals and cancellation requests sent to other workflows.
// Cancellation requests the runtime sends for child workflows carry no control and
// resolve nothing here: the child's close event reports the outcome.
func (e *runEnv) onExternalEvent(ev *historypb.HistoryEvent) {
	switch a := ev.GetAttributes().(type) {
	case *historypb.HistoryEvent_SignalExternalWorkflowExecutionInitiatedEventAttributes:
		e.bindExternal(ev.GetEventId(), a.SignalExternalWorkflowExecutionInitiatedEventAttributes.GetControl())
	case *historypb.HistoryEvent_RequestCancelExternalWorkflowExecutionInitiatedEventAttributes:
		e.bindExternal(ev.GetEventId(), a.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes.GetControl())
	case *historypb.HistoryEvent_ExternalWorkflowExecutionSignaledEventAttributes:
		e.resolveExternal(a.ExternalWorkflowExecutionSignaledEventAttributes.GetInitiatedEventId(), nil)
	case *historypb.HistoryEvent_ExternalWorkflowExecutionCancelRequestedEventAttributes:
		e.resolveExternal(a.ExternalWorkflowExecutionCancelRequestedEventAttributes.GetInitiatedEventId(), nil)
	case *historypb.HistoryEvent_SignalExternalWorkflowExecutionFailedEventAttributes:
		attrs := a.SignalExternalWorkflowExecutionFailedEventAttributes
		e.resolveExternal(attrs.GetInitiatedEventId(), fmt.Errorf("signaling workflow %s failed: %s", attrs.GetWorkflowExecution().GetWorkflowId(), attrs.GetCause()))
	case *historypb.HistoryEvent_RequestCancelExternalWorkflowExecutionFailedEventAttributes:
		attrs := a.RequestCancelExternalWorkflowExecutionFailedEventAttributes
		e.resolveExternal(attrs.GetInitiatedEventId(), fmt.Errorf("canceling workflow %s failed: %s", attrs.GetWorkflowExecution().GetWorkflowId(), attrs.GetCause()))
	}
}

func (e *runEnv) bindExternal(initiatedID int64, control string) {
	if call, ok := e.externalByControl[control]; ok && control != "" {
		delete(e.externalByControl, control)
		e.externalByInitiated[initiatedID] = call
	}
}

func (e *runEnv) resolveExternal(initiatedID int64, err error) {
	call, ok := e.externalByInitiated[initiatedID]
	if !ok {
		return
	}
	delete(e.externalByInitiated, initiatedID)
	if !call.future.IsReady() {
		call.future.Set(nil, err)
	}
}
