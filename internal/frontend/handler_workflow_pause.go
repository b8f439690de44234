package frontend

import (
	"context"

	"go.temporal.io/api/workflowservice/v1"
)

// PauseWorkflowExecution pauses a running workflow: it gets no new workflow
// or activity tasks until it is unpaused.
func (h *Handler) PauseWorkflowExecution(ctx context.Context, req *workflowservice.PauseWorkflowExecutionRequest) (*workflowservice.PauseWorkflowExecutionResponse, error) {
	return serve(ctx, h, req, validatePauseWorkflowExecution, h.engine.PauseWorkflowExecution)
}

// UnpauseWorkflowExecution resumes a paused workflow.
func (h *Handler) UnpauseWorkflowExecution(ctx context.Context, req *workflowservice.UnpauseWorkflowExecutionRequest) (*workflowservice.UnpauseWorkflowExecutionResponse, error) {
	return serve(ctx, h, req, validateUnpauseWorkflowExecution, h.engine.UnpauseWorkflowExecution)
}

func validatePauseWorkflowExecution(req *workflowservice.PauseWorkflowExecutionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	return newChecker(lim, scopeRequest).runPauseFields(req.GetNamespace(), req.GetWorkflowId(), req.GetRunId(), req.GetIdentity(), req.GetReason(), req.GetRequestId())
}

func validateUnpauseWorkflowExecution(req *workflowservice.UnpauseWorkflowExecutionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	return newChecker(lim, scopeRequest).runPauseFields(req.GetNamespace(), req.GetWorkflowId(), req.GetRunId(), req.GetIdentity(), req.GetReason(), req.GetRequestId())
}

// runPauseFields checks the fields both pause requests carry. Over-long
// texts get Temporal's messages (history/api/pauseworkflow).
func (c checker) runPauseFields(namespace, workflowID, runID, identity, reason, requestID string) error {
	if err := firstError(
		c.namespace(namespace),
		c.required("WorkflowId", workflowID),
		c.runID("RunId", runID),
	); err != nil {
		return err
	}
	switch {
	case len(reason) > c.lim.MaxIDLength:
		return invalid("reason is too long.")
	case len(requestID) > c.lim.MaxIDLength:
		return invalid("request id is too long.")
	case len(identity) > c.lim.MaxIDLength:
		return invalid("identity is too long.")
	}
	return nil
}
