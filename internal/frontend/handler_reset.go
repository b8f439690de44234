package frontend

import (
	"context"

	"go.temporal.io/api/workflowservice/v1"
)

// ResetWorkflowExecution starts a new run of a workflow from one of its
// workflow tasks.
func (h *Handler) ResetWorkflowExecution(ctx context.Context, req *workflowservice.ResetWorkflowExecutionRequest) (*workflowservice.ResetWorkflowExecutionResponse, error) {
	return serve(ctx, h, req, validateResetWorkflowExecution, h.engine.ResetWorkflowExecution)
}

// validateResetWorkflowExecution checks a reset request's structure; whether
// the event id names a workflow task is the engine's to check.
func validateResetWorkflowExecution(req *workflowservice.ResetWorkflowExecutionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.execution("WorkflowExecution", req.GetWorkflowExecution()),
		c.required("RequestId", req.GetRequestId()),
		c.optional("Reason", req.GetReason()),
		c.resetEventID(req.GetWorkflowTaskFinishEventId()),
		knownEnum("ResetReapplyType", req.GetResetReapplyType()),
		c.resetExcludeTypes(req),
		c.noPostResetOperations(req),
	)
}

func (c checker) resetEventID(id int64) error {
	if id <= 0 {
		return invalid("WorkflowTaskFinishEventId must be positive, got %d.", id)
	}
	return nil
}

func (c checker) resetExcludeTypes(req *workflowservice.ResetWorkflowExecutionRequest) error {
	for _, x := range req.GetResetReapplyExcludeTypes() {
		if err := knownEnum("ResetReapplyExcludeTypes", x); err != nil {
			return err
		}
	}
	return nil
}

// noPostResetOperations refuses operations this server cannot perform after a
// reset (they change worker versioning options, which it does not support).
func (c checker) noPostResetOperations(req *workflowservice.ResetWorkflowExecutionRequest) error {
	if len(req.GetPostResetOperations()) > 0 {
		return invalid("PostResetOperations are not supported by this server.")
	}
	return nil
}
