package engine

import (
	"context"
	"errors"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// PauseWorkflowExecution and UnpauseWorkflowExecution: an operator holds a
// run's workflow and activity tasks back, and lets them go again.

// errRunPausedNoUpdate is Temporal's answer to an update of a paused run
// (history/api/updateworkflow).
var errRunPausedNoUpdate = serviceerror.NewFailedPrecondition("Workflow is paused. Cannot update the workflow.")

// PauseWorkflowExecution pauses a running workflow.
func (e *Engine) PauseWorkflowExecution(ctx context.Context, req *workflowservice.PauseWorkflowExecutionRequest) (*workflowservice.PauseWorkflowExecutionResponse, error) {
	err := e.runPauseOp(ctx, req.GetNamespace(), req.GetWorkflowId(), req.GetRunId(), func(tx *machine.Tx) error {
		changed, err := tx.PauseRun(req.GetIdentity(), req.GetReason(), req.GetRequestId())
		switch {
		case errors.Is(err, machine.ErrRunAlreadyPaused):
			return serviceerror.NewFailedPrecondition("workflow is already paused.")
		case err != nil:
			return err
		case !changed:
			return errNoChange
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &workflowservice.PauseWorkflowExecutionResponse{}, nil
}

// UnpauseWorkflowExecution resumes a paused workflow.
func (e *Engine) UnpauseWorkflowExecution(ctx context.Context, req *workflowservice.UnpauseWorkflowExecutionRequest) (*workflowservice.UnpauseWorkflowExecutionResponse, error) {
	err := e.runPauseOp(ctx, req.GetNamespace(), req.GetWorkflowId(), req.GetRunId(), func(tx *machine.Tx) error {
		if err := tx.UnpauseRun(req.GetIdentity(), req.GetReason(), req.GetRequestId()); err != nil {
			if errors.Is(err, machine.ErrRunNotPaused) {
				return serviceerror.NewFailedPrecondition("workflow is not paused.")
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &workflowservice.UnpauseWorkflowExecutionResponse{}, nil
}

// runPauseOp applies fn to the open run the ids name, as one transition.
func (e *Engine) runPauseOp(ctx context.Context, namespace, workflowID, runID string, fn func(tx *machine.Tx) error) error {
	ns, err := e.namespace(ctx, namespace)
	if err != nil {
		return err
	}
	key, err := e.resolveRun(ctx, ns, &commonpb.WorkflowExecution{WorkflowId: workflowID, RunId: runID})
	if err != nil {
		return err
	}
	return e.update(ctx, key, func(_ *run, tx *machine.Tx) error {
		if !tx.S.Open() {
			return errRunClosed
		}
		return fn(tx)
	})
}

// describeRunPause adds a paused run's pause info to its description.
func describeRunPause(resp *workflowservice.DescribeWorkflowExecutionResponse, s *machine.State) {
	if p := s.Pause; p != nil && s.Paused() {
		resp.WorkflowExtendedInfo.PauseInfo = &workflowpb.WorkflowExecutionPauseInfo{
			Identity: p.Identity, Reason: p.Reason, PausedTime: tsOrNil(p.Time),
		}
	}
}
