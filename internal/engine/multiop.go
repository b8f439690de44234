package engine

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

// Temporal's texts for a multi-operation that could not run: the summary,
// and the status of an operation that was not carried out because another
// one failed.
const (
	multiOpFailedMessage  = "Update-with-Start could not be executed."
	multiOpAbortedMessage = "Operation was aborted."
)

// multiOpError reports a failed update-with-start: each operation's error,
// nil for one that succeeded, and Temporal's aborted status for one that was
// not carried out.
func multiOpError(startErr, updateErr error) error {
	return serviceerror.NewMultiOperationExecution(multiOpFailedMessage, []error{startErr, updateErr})
}

func multiOpAborted() error { return serviceerror.NewMultiOperationAborted(multiOpAbortedMessage) }

// updateRefused carries an update's refusal out of the start it rode on.
type updateRefused struct{ err error }

func (u updateRefused) Error() string { return fmt.Sprintf("update refused: %v", u.err) }

// ExecuteMultiOperation runs update-with-start: a start and an update of the
// run it starts, or of the run it finds (conflict policy USE_EXISTING). It is
// all or nothing up to the update's admission: the whole request is checked
// first, and the update is admitted while the run the start settles on is
// still locked, so a refused update leaves no started workflow behind and a
// failed start admits no update. Once the run is started and the update
// admitted, a later failure of the update (the run closed before accepting
// it, say) is reported with the start as succeeded.
func (e *Engine) ExecuteMultiOperation(ctx context.Context, req *workflowservice.ExecuteMultiOperationRequest) (*workflowservice.ExecuteMultiOperationResponse, error) {
	start := req.Operations[0].GetStartWorkflow()
	update := req.Operations[1].GetUpdateWorkflow()
	ns, err := e.namespace(ctx, start.Namespace)
	if err != nil {
		return nil, multiOpError(err, multiOpAborted())
	}
	stage := update.GetWaitPolicy().GetLifecycleStage()
	if stage == enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED {
		return nil, multiOpError(multiOpAborted(),
			serviceerror.NewInvalidArgument("WaitPolicy ADMITTED is not supported; wait for ACCEPTED or COMPLETED"))
	}
	if start.CronSchedule != "" {
		return nil, multiOpError(serviceerror.NewInvalidArgument("CronSchedule is not allowed with update-with-start"), multiOpAborted())
	}
	id := update.GetRequest().GetMeta().GetUpdateId()
	hooks := startHooks{
		existing: func(r *run) error {
			if r.updates[id] != nil || r.state.Updates[id] != nil {
				return nil // the same update again: wait on it
			}
			if err := e.admitUpdate(ctx, r, update); err != nil {
				return updateRefused{err}
			}
			return nil
		},
		created: func(r *run) {
			// A new run's first workflow task is scheduled with it (or,
			// with a start delay, once the delay is over) and carries the
			// update.
			if r.updates == nil {
				r.updates = map[string]*liveUpdate{}
			}
			r.updates[id] = &liveUpdate{request: update.Request}
		},
	}
	p := startParams(ns, start)
	res, err := e.startWith(ctx, ns, p, start.WorkflowIdReusePolicy, start.WorkflowIdConflictPolicy, nil, false, hooks)
	if err != nil {
		var refused updateRefused
		if errors.As(err, &refused) {
			return nil, multiOpError(multiOpAborted(), refused.err)
		}
		return nil, multiOpError(err, multiOpAborted())
	}
	startResp := &workflowservice.StartWorkflowExecutionResponse{
		RunId:   res.runID,
		Started: res.started,
		Status:  enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
	}
	r, err := e.lockRun(ctx, runKey{ns.id, start.WorkflowId, res.runID})
	if err != nil {
		return nil, e.multiOpUpdateFailed(res, err)
	}
	out, err := e.awaitUpdate(ctx, r, id, stage, func(ctx context.Context, r *run) error {
		// Known runs were given the update above; one that lost it (a
		// restart in between) gets it again.
		return e.admitUpdate(ctx, r, update)
	})
	if err != nil {
		return nil, e.multiOpUpdateFailed(res, err)
	}
	return &workflowservice.ExecuteMultiOperationResponse{Responses: []*workflowservice.ExecuteMultiOperationResponse_Response{
		{Response: &workflowservice.ExecuteMultiOperationResponse_Response_StartWorkflow{StartWorkflow: startResp}},
		{Response: &workflowservice.ExecuteMultiOperationResponse_Response_UpdateWorkflow{UpdateWorkflow: &workflowservice.UpdateWorkflowExecutionResponse{
			UpdateRef: out.ref, Outcome: out.outcome, Stage: out.stage,
		}}},
	}}, nil
}

// multiOpUpdateFailed reports an update that failed after its start was
// carried out: the start succeeded if it started the run, and counts as
// aborted if it only found one.
func (e *Engine) multiOpUpdateFailed(res startResult, err error) error {
	if res.started {
		return multiOpError(nil, err)
	}
	return multiOpError(multiOpAborted(), err)
}
