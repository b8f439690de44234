package frontend

import (
	"context"

	"go.temporal.io/api/workflowservice/v1"
)

func (h *Handler) ListWorkflowExecutions(ctx context.Context, req *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	return serve(ctx, h, req, validateListWorkflowExecutions, h.engine.ListWorkflowExecutions)
}

func (h *Handler) ScanWorkflowExecutions(ctx context.Context, req *workflowservice.ScanWorkflowExecutionsRequest) (*workflowservice.ScanWorkflowExecutionsResponse, error) {
	return serve(ctx, h, req, validateScanWorkflowExecutions, h.engine.ScanWorkflowExecutions)
}

func (h *Handler) CountWorkflowExecutions(ctx context.Context, req *workflowservice.CountWorkflowExecutionsRequest) (*workflowservice.CountWorkflowExecutionsResponse, error) {
	return serve(ctx, h, req, validateCountWorkflowExecutions, h.engine.CountWorkflowExecutions)
}

func (h *Handler) GetSearchAttributes(ctx context.Context, req *workflowservice.GetSearchAttributesRequest) (*workflowservice.GetSearchAttributesResponse, error) {
	return serve(ctx, h, req, validateGetSearchAttributes, h.engine.GetSearchAttributes)
}

func validateScanWorkflowExecutions(req *workflowservice.ScanWorkflowExecutionsRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.pageSize("PageSize", req.GetPageSize()),
	)
}

func validateGetSearchAttributes(req *workflowservice.GetSearchAttributesRequest, _ Limits) error {
	if req == nil {
		return errNilRequest()
	}
	return nil
}
