package frontend

import (
	"context"

	"go.temporal.io/api/workflowservice/v1"
)

// PauseActivityExecution, UnpauseActivityExecution, ResetActivityExecution
// and UpdateActivityExecutionOptions act on one activity: of the workflow
// WorkflowId names, or the standalone activity ActivityId names when
// WorkflowId is empty.

func (h *Handler) PauseActivityExecution(ctx context.Context, req *workflowservice.PauseActivityExecutionRequest) (*workflowservice.PauseActivityExecutionResponse, error) {
	return serve(ctx, h, req, validatePauseActivityExecution, h.engine.PauseActivityExecution)
}

func (h *Handler) UnpauseActivityExecution(ctx context.Context, req *workflowservice.UnpauseActivityExecutionRequest) (*workflowservice.UnpauseActivityExecutionResponse, error) {
	return serve(ctx, h, req, validateUnpauseActivityExecution, h.engine.UnpauseActivityExecution)
}

func (h *Handler) ResetActivityExecution(ctx context.Context, req *workflowservice.ResetActivityExecutionRequest) (*workflowservice.ResetActivityExecutionResponse, error) {
	return serve(ctx, h, req, validateResetActivityExecution, h.engine.ResetActivityExecution)
}

func (h *Handler) UpdateActivityExecutionOptions(ctx context.Context, req *workflowservice.UpdateActivityExecutionOptionsRequest) (*workflowservice.UpdateActivityExecutionOptionsResponse, error) {
	return serve(ctx, h, req, validateUpdateActivityExecutionOptions, h.engine.UpdateActivityExecutionOptions)
}

// activityExecutionRef is what the four requests share.
type activityExecutionRef interface {
	namespaced
	GetWorkflowId() string
	GetActivityId() string
	GetRunId() string
	GetIdentity() string
	GetResourceId() string
	GetRequestId() string
}

// validateActivityExecutionRef checks the fields every one of the four
// requests carries.
func validateActivityExecutionRef(req activityExecutionRef, lim Limits) (checker, error) {
	c := newChecker(lim, scopeRequest)
	if err := validateActivityRef(req, lim, req.GetActivityId(), req.GetRunId()); err != nil {
		return c, err
	}
	return c, firstError(
		c.optional("WorkflowId", req.GetWorkflowId()),
		c.optional("Identity", req.GetIdentity()),
		c.optional("ResourceId", req.GetResourceId()),
		c.optional("RequestId", req.GetRequestId()),
	)
}

func validatePauseActivityExecution(req *workflowservice.PauseActivityExecutionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c, err := validateActivityExecutionRef(req, lim)
	if err != nil {
		return err
	}
	return c.optional("Reason", req.GetReason())
}

func validateUnpauseActivityExecution(req *workflowservice.UnpauseActivityExecutionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c, err := validateActivityExecutionRef(req, lim)
	if err != nil {
		return err
	}
	return firstError(c.optional("Reason", req.GetReason()), c.jitter(req.GetJitter()))
}

func validateResetActivityExecution(req *workflowservice.ResetActivityExecutionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c, err := validateActivityExecutionRef(req, lim)
	if err != nil {
		return err
	}
	return c.jitter(req.GetJitter())
}

func validateUpdateActivityExecutionOptions(req *workflowservice.UpdateActivityExecutionOptionsRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c, err := validateActivityExecutionRef(req, lim)
	if err != nil {
		return err
	}
	return c.activityOptionsUpdate(req.GetActivityOptions(), req.GetUpdateMask(), req.GetRestoreOriginal())
}
