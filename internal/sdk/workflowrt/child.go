package workflowrt

import (
	"fmt"
	commonpb "go.temporal.io/api/common/v1"
	"strconv"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/interceptor"
	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
)

// childCall is one child workflow: a future for its start and one for its result.
type childCall struct {
	env           *runEnv
	workflowID    string
	typeName      string
	namespace     string
	started       *future // value: Execution
	result        *future
	runID         string
	stopListening func()
	cancelSent    bool
	initiatedID   int64
}

// StartChildWorkflow sends a StartChildWorkflowExecution command with attrs (an empty
// workflow id becomes "<original run id>_<sequence>", as Temporal's Go SDK makes it)
// and returns a future ready with the child's Execution once it started, and a future
// for its result. Canceling ctx asks the server to cancel the started child; the result
// future then reports how the child ended.
func StartChildWorkflow(ctx Context, attrs *commandpb.StartChildWorkflowExecutionCommandAttributes) (started, result Future) {
	env := envFrom(ctx)
	startedF, resultF := newFuture(env), newFuture(env)
	if err := ctx.Err(); err != nil {
		startedF.SetError(err)
		resultF.SetError(err)
		return startedF, resultF
	}
	seq := env.nextSequence()
	if attrs.GetWorkflowId() == "" {
		attrs.WorkflowId = env.info.OriginalRunID + "_" + strconv.FormatInt(seq, 10)
	}
	if _, taken := env.children[attrs.GetWorkflowId()]; taken {
		err := fmt.Errorf("starting child workflow: workflow id %q is already used by a child of this workflow", attrs.GetWorkflowId())
		startedF.SetError(err)
		resultF.SetError(err)
		return startedF, resultF
	}
	child := &childCall{
		env: env, workflowID: attrs.GetWorkflowId(), typeName: attrs.GetWorkflowType().GetName(),
		namespace: orDefault(attrs.GetNamespace(), env.info.Namespace), started: startedF, result: resultF,
	}
	env.children[child.workflowID] = child
	if header := env.tracing.outgoing(env.replaying, interceptor.OperationStartChildWorkflow, child.typeName, env.info); header != nil {
		attrs.Header = header
	}
	env.addCommand(&commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
		Attributes:  &commandpb.Command_StartChildWorkflowExecutionCommandAttributes{StartChildWorkflowExecutionCommandAttributes: attrs},
	}, false)
	child.stopListening = onCancel(ctx, child.cancel)
	return startedF, resultF
}

// cancel asks the server to cancel the child once it has started; a child that has not
// started yet is canceled as soon as it does.
func (c *childCall) cancel() {
	if c.result.IsReady() || c.cancelSent {
		return
	}
	if !c.started.IsReady() {
		c.started.callbacks = append(c.started.callbacks, c.cancel)
		return
	}
	if c.started.err != nil {
		return
	}
	c.cancelSent = true
	c.env.addCommand(&commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_RequestCancelExternalWorkflowExecutionCommandAttributes{
			RequestCancelExternalWorkflowExecutionCommandAttributes: &commandpb.RequestCancelExternalWorkflowExecutionCommandAttributes{
				Namespace: c.namespace, WorkflowId: c.workflowID, RunId: c.runID, ChildWorkflowOnly: true,
			},
		},
	}, false)
}

// onChildEvent resolves the child a child-workflow event names (by workflow id, as
// Temporal's Go SDK correlates them).
func (e *runEnv) onChildEvent(ev *historypb.HistoryEvent) error {
	var workflowID string
	switch a := ev.GetAttributes().(type) {
	case *historypb.HistoryEvent_StartChildWorkflowExecutionInitiatedEventAttributes:
		workflowID = a.StartChildWorkflowExecutionInitiatedEventAttributes.GetWorkflowId()
	case *historypb.HistoryEvent_StartChildWorkflowExecutionFailedEventAttributes:
		workflowID = a.StartChildWorkflowExecutionFailedEventAttributes.GetWorkflowId()
	default:
		workflowID = childExecutionOf(ev).GetWorkflowId()
	}
	child, ok := e.children[workflowID]
	if !ok {
		return &NondeterminismError{Event: ev, Reason: fmt.Sprintf("no child workflow with id %q was started by the workflow code", workflowID)}
	}
	childErr := func(runID string, initiated, started int64, retry enumspb.RetryState, cause error) error {
		return sundial.NewChildWorkflowError(sundial.ChildWorkflowErrorOptions{
			Namespace: child.namespace, WorkflowID: workflowID, RunID: runID, WorkflowType: child.typeName,
			InitiatedEventID: initiated, StartedEventID: started, RetryState: retry, Cause: cause,
		})
	}
	switch a := ev.GetAttributes().(type) {
	case *historypb.HistoryEvent_StartChildWorkflowExecutionInitiatedEventAttributes:
		child.initiatedID = ev.GetEventId()
	case *historypb.HistoryEvent_StartChildWorkflowExecutionFailedEventAttributes:
		err := childErr("", child.initiatedID, 0, enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE,
			fmt.Errorf("child workflow %s could not start: %s", workflowID, a.StartChildWorkflowExecutionFailedEventAttributes.GetCause()))
		child.settle(err, nil, err)
	case *historypb.HistoryEvent_ChildWorkflowExecutionStartedEventAttributes:
		child.runID = a.ChildWorkflowExecutionStartedEventAttributes.GetWorkflowExecution().GetRunId()
		if !child.started.IsReady() {
			child.started.SetValue(Execution{WorkflowID: workflowID, RunID: child.runID})
		}
	case *historypb.HistoryEvent_ChildWorkflowExecutionCompletedEventAttributes:
		child.settle(nil, a.ChildWorkflowExecutionCompletedEventAttributes.GetResult(), nil)
	case *historypb.HistoryEvent_ChildWorkflowExecutionFailedEventAttributes:
		attrs := a.ChildWorkflowExecutionFailedEventAttributes
		child.settle(nil, nil, childErr(child.runID, attrs.GetInitiatedEventId(), attrs.GetStartedEventId(), attrs.GetRetryState(),
			e.failureConverter.FailureToError(attrs.GetFailure())))
	case *historypb.HistoryEvent_ChildWorkflowExecutionCanceledEventAttributes:
		attrs := a.ChildWorkflowExecutionCanceledEventAttributes
		child.settle(nil, nil, childErr(child.runID, attrs.GetInitiatedEventId(), attrs.GetStartedEventId(), enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE,
			sundial.NewCanceledError(converter.NewEncodedValues(attrs.GetDetails(), e.dataConverter))))
	case *historypb.HistoryEvent_ChildWorkflowExecutionTimedOutEventAttributes:
		attrs := a.ChildWorkflowExecutionTimedOutEventAttributes
		child.settle(nil, nil, childErr(child.runID, attrs.GetInitiatedEventId(), attrs.GetStartedEventId(), attrs.GetRetryState(),
			sundial.NewTimeoutError("child workflow timed out", enumspb.TIMEOUT_TYPE_START_TO_CLOSE, nil)))
	case *historypb.HistoryEvent_ChildWorkflowExecutionTerminatedEventAttributes:
		attrs := a.ChildWorkflowExecutionTerminatedEventAttributes
		child.settle(nil, nil, childErr(child.runID, attrs.GetInitiatedEventId(), attrs.GetStartedEventId(), enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE,
			sundial.NewTerminatedError("child workflow terminated")))
	}
	return nil
}

// settle resolves the futures still open.
func (c *childCall) settle(startErr error, result *commonpb.Payloads, resultErr error) {
	if !c.started.IsReady() {
		if startErr != nil {
			c.started.SetError(startErr)
		} else {
			c.started.SetValue(Execution{WorkflowID: c.workflowID, RunID: c.runID})
		}
	}
	if !c.result.IsReady() {
		c.stopListening()
		c.result.setPayloads(result, resultErr)
	}
}

// childExecutionOf reads the workflow_execution of a child result event.
func childExecutionOf(ev *historypb.HistoryEvent) interface{ GetWorkflowId() string } {
	switch a := ev.GetAttributes().(type) {
	case *historypb.HistoryEvent_ChildWorkflowExecutionStartedEventAttributes:
		return a.ChildWorkflowExecutionStartedEventAttributes.GetWorkflowExecution()
	case *historypb.HistoryEvent_ChildWorkflowExecutionCompletedEventAttributes:
		return a.ChildWorkflowExecutionCompletedEventAttributes.GetWorkflowExecution()
	case *historypb.HistoryEvent_ChildWorkflowExecutionFailedEventAttributes:
		return a.ChildWorkflowExecutionFailedEventAttributes.GetWorkflowExecution()
	case *historypb.HistoryEvent_ChildWorkflowExecutionCanceledEventAttributes:
		return a.ChildWorkflowExecutionCanceledEventAttributes.GetWorkflowExecution()
	case *historypb.HistoryEvent_ChildWorkflowExecutionTimedOutEventAttributes:
		return a.ChildWorkflowExecutionTimedOutEventAttributes.GetWorkflowExecution()
	case *historypb.HistoryEvent_ChildWorkflowExecutionTerminatedEventAttributes:
		return a.ChildWorkflowExecutionTerminatedEventAttributes.GetWorkflowExecution()
	}
	return nil
}

// UpsertSearchAttributes sends an UpsertWorkflowSearchAttributes command and updates
// Info.SearchAttributes at once.
func UpsertSearchAttributes(ctx Context, attrs *commandpb.UpsertWorkflowSearchAttributesCommandAttributes) {
	env := envFrom(ctx)
	env.nextSequence()
	env.info.SearchAttributes = mergeSearchAttributes(env.info.SearchAttributes, attrs.GetSearchAttributes())
	env.addCommand(&commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
		Attributes:  &commandpb.Command_UpsertWorkflowSearchAttributesCommandAttributes{UpsertWorkflowSearchAttributesCommandAttributes: attrs},
	}, false)
}

// UpsertMemo sends a ModifyWorkflowProperties command and updates Info.Memo at once.
func UpsertMemo(ctx Context, attrs *commandpb.ModifyWorkflowPropertiesCommandAttributes) {
	env := envFrom(ctx)
	env.nextSequence()
	env.info.Memo = mergeMemo(env.info.Memo, attrs.GetUpsertedMemo())
	env.addCommand(&commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES,
		Attributes:  &commandpb.Command_ModifyWorkflowPropertiesCommandAttributes{ModifyWorkflowPropertiesCommandAttributes: attrs},
	}, false)
}
