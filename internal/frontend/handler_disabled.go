// RPCs of features Sundial does not have, answered as Temporal's server answers
// them when the feature is off: archival, workflow rules, worker commands and
// per-workflow time skipping. Tools tell "off here" from "unknown method" by
// these texts.

package frontend

import (
	"context"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

// archivalMaxPageSize is Temporal's largest page of an archival query.
const archivalMaxPageSize = 10000

func (h *Handler) ListArchivedWorkflowExecutions(ctx context.Context, req *workflowservice.ListArchivedWorkflowExecutionsRequest) (*workflowservice.ListArchivedWorkflowExecutionsResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	if req.GetPageSize() > archivalMaxPageSize {
		return nil, invalid("PageSize is larger than allowed %d.", archivalMaxPageSize)
	}
	return nil, invalid("Cluster is not configured for visibility archival.")
}

// errWorkflowRulesOff is Temporal's answer to each workflow-rule RPC while
// workflow rules are off, its default.
func errWorkflowRulesOff(method string) error {
	return serviceerror.NewUnimplementedf("method %s not supported", method)
}

func (h *Handler) CreateWorkflowRule(context.Context, *workflowservice.CreateWorkflowRuleRequest) (*workflowservice.CreateWorkflowRuleResponse, error) {
	return nil, errWorkflowRulesOff("CreateWorkflowRule")
}

func (h *Handler) DescribeWorkflowRule(context.Context, *workflowservice.DescribeWorkflowRuleRequest) (*workflowservice.DescribeWorkflowRuleResponse, error) {
	return nil, errWorkflowRulesOff("DescribeWorkflowRule")
}

func (h *Handler) DeleteWorkflowRule(context.Context, *workflowservice.DeleteWorkflowRuleRequest) (*workflowservice.DeleteWorkflowRuleResponse, error) {
	return nil, errWorkflowRulesOff("DeleteWorkflowRule")
}

func (h *Handler) ListWorkflowRules(context.Context, *workflowservice.ListWorkflowRulesRequest) (*workflowservice.ListWorkflowRulesResponse, error) {
	return nil, errWorkflowRulesOff("ListWorkflowRules")
}

func (h *Handler) TriggerWorkflowRule(context.Context, *workflowservice.TriggerWorkflowRuleRequest) (*workflowservice.TriggerWorkflowRuleResponse, error) {
	return nil, errWorkflowRulesOff("TriggerWorkflowRule")
}

func (h *Handler) FetchWorkerConfig(context.Context, *workflowservice.FetchWorkerConfigRequest) (*workflowservice.FetchWorkerConfigResponse, error) {
	return nil, serviceerror.NewUnimplemented("FetchWorkerConfig command is not enabled.")
}

func (h *Handler) UpdateWorkerConfig(context.Context, *workflowservice.UpdateWorkerConfigRequest) (*workflowservice.UpdateWorkerConfigResponse, error) {
	return nil, serviceerror.NewUnimplemented("UpdateWorkerConfig command is not enabled.")
}

// PollWorkflowExecutionTimeSkipping belongs to per-workflow time skipping,
// which Sundial does not have (its time skipping is server-wide: TestService and
// --enable-time-skipping). The request is still checked first, as Temporal does.
func (h *Handler) PollWorkflowExecutionTimeSkipping(ctx context.Context, req *workflowservice.PollWorkflowExecutionTimeSkippingRequest) (*workflowservice.PollWorkflowExecutionTimeSkippingResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	c := newChecker(h.limits, scopeRequest)
	if err := firstError(c.namespace(req.GetNamespace()), c.execution("WorkflowExecution", req.GetWorkflowExecution())); err != nil {
		return nil, err
	}
	if _, err := h.engine.NamespaceID(ctx, req.GetNamespace()); err != nil {
		return nil, err
	}
	return nil, serviceerror.NewUnimplemented("The Time-Skipping feature is not enabled for namespace.")
}
