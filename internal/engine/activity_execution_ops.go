package engine

import (
	"context"

	activitypb "go.temporal.io/api/activity/v1"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// The ...ActivityExecution operator commands: PauseActivityExecution,
// UnpauseActivityExecution, ResetActivityExecution and
// UpdateActivityExecutionOptions. With a workflow id they act on that
// workflow's activity, as PauseActivity and the others do; without one, on
// the standalone activity of that id.

// activityExecutionOp applies fn to the activity a request names: one of
// workflowID's activities, or the standalone activity activityID.
func (e *Engine) activityExecutionOp(ctx context.Context, namespace, workflowID, activityID, runID string,
	fn func(r *run, tx *machine.Tx, act *machine.Activity) error) error {
	sel := machine.ActivitySelector{ID: activityID}
	if workflowID != "" {
		return e.activityOp(ctx, namespace, &commonpb.WorkflowExecution{WorkflowId: workflowID, RunId: runID}, sel, fn)
	}
	ns, err := e.namespace(ctx, namespace)
	if err != nil {
		return err
	}
	target, err := e.standaloneTarget(ctx, ns, activityID, runID)
	if err != nil {
		if isNotFoundErr(err) {
			return errStandaloneNotFound(activityID, runID)
		}
		return err
	}
	err = e.activityOpOn(ctx, target.key, sel, fn)
	if isNotFoundErr(err) && err != errPendingActivityNotFound {
		return errStandaloneNotFound(activityID, runID)
	}
	return err
}

// PauseActivityExecution pauses a workflow's activity or a standalone one.
func (e *Engine) PauseActivityExecution(ctx context.Context, req *workflowservice.PauseActivityExecutionRequest) (*workflowservice.PauseActivityExecutionResponse, error) {
	p := machine.PauseRequest{Identity: req.GetIdentity(), Reason: req.GetReason(), RequestID: req.GetRequestId()}
	if err := e.activityExecutionOp(ctx, req.GetNamespace(), req.GetWorkflowId(), req.GetActivityId(), req.GetRunId(), pauseActivity(p)); err != nil {
		return nil, err
	}
	return &workflowservice.PauseActivityExecutionResponse{}, nil
}

// UnpauseActivityExecution resumes a paused workflow activity or standalone
// activity.
func (e *Engine) UnpauseActivityExecution(ctx context.Context, req *workflowservice.UnpauseActivityExecutionRequest) (*workflowservice.UnpauseActivityExecutionResponse, error) {
	u := machine.UnpauseRequest{Delay: jitterDelay(req.GetJitter())}
	if err := e.activityExecutionOp(ctx, req.GetNamespace(), req.GetWorkflowId(), req.GetActivityId(), req.GetRunId(), unpauseActivity(u)); err != nil {
		return nil, err
	}
	return &workflowservice.UnpauseActivityExecutionResponse{}, nil
}

// ResetActivityExecution sets a workflow activity or standalone activity
// back to its first attempt.
func (e *Engine) ResetActivityExecution(ctx context.Context, req *workflowservice.ResetActivityExecutionRequest) (*workflowservice.ResetActivityExecutionResponse, error) {
	reset := machine.ResetRequest{ResetHeartbeat: req.GetResetHeartbeat(), KeepPaused: req.GetKeepPaused(), Delay: jitterDelay(req.GetJitter())}
	fn := e.resetActivity(ctx, reset, req.GetRestoreOriginalOptions())
	if err := e.activityExecutionOp(ctx, req.GetNamespace(), req.GetWorkflowId(), req.GetActivityId(), req.GetRunId(), fn); err != nil {
		return nil, err
	}
	return &workflowservice.ResetActivityExecutionResponse{}, nil
}

// UpdateActivityExecutionOptions changes the options of a workflow activity
// or standalone activity and returns the options that result.
func (e *Engine) UpdateActivityExecutionOptions(ctx context.Context, req *workflowservice.UpdateActivityExecutionOptionsRequest) (*workflowservice.UpdateActivityExecutionOptionsResponse, error) {
	var result *activitypb.ActivityOptions
	fn := e.updateActivityOptions(ctx, req.GetActivityOptions(), req.GetUpdateMask().GetPaths(), req.GetRestoreOriginal(), &result)
	if err := e.activityExecutionOp(ctx, req.GetNamespace(), req.GetWorkflowId(), req.GetActivityId(), req.GetRunId(), fn); err != nil {
		return nil, err
	}
	return &workflowservice.UpdateActivityExecutionOptionsResponse{ActivityOptions: result}, nil
}
