package frontend

import (
	"context"
	"os"

	filterpb "go.temporal.io/api/filter/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
)

func (h *Handler) ListOpenWorkflowExecutions(ctx context.Context, req *workflowservice.ListOpenWorkflowExecutionsRequest) (*workflowservice.ListOpenWorkflowExecutionsResponse, error) {
	return serve(ctx, h, req, validateListOpenWorkflowExecutions, h.engine.ListOpenWorkflowExecutions)
}

func (h *Handler) ListClosedWorkflowExecutions(ctx context.Context, req *workflowservice.ListClosedWorkflowExecutionsRequest) (*workflowservice.ListClosedWorkflowExecutionsResponse, error) {
	return serve(ctx, h, req, validateListClosedWorkflowExecutions, h.engine.ListClosedWorkflowExecutions)
}

// ListTaskQueuePartitions answers that every task queue has one partition,
// the queue itself, owned by this server: Sundial does not split queues.
func (h *Handler) ListTaskQueuePartitions(ctx context.Context, req *workflowservice.ListTaskQueuePartitionsRequest) (*workflowservice.ListTaskQueuePartitionsResponse, error) {
	return serve(ctx, h, req, validateListTaskQueuePartitions, func(ctx context.Context, req *workflowservice.ListTaskQueuePartitionsRequest) (*workflowservice.ListTaskQueuePartitionsResponse, error) {
		if _, err := h.engine.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: req.GetNamespace()}); err != nil {
			return nil, err
		}
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "sundial"
		}
		partition := func() []*taskqueuepb.TaskQueuePartitionMetadata {
			return []*taskqueuepb.TaskQueuePartitionMetadata{{Key: req.GetTaskQueue().GetName(), OwnerHostName: host}}
		}
		return &workflowservice.ListTaskQueuePartitionsResponse{
			ActivityTaskQueuePartitions: partition(),
			WorkflowTaskQueuePartitions: partition(),
		}, nil
	})
}

// Legacy listings clamp a page size of zero or less to the server's maximum,
// as Temporal does, so only the filters need checking.
func validateListOpenWorkflowExecutions(req *workflowservice.ListOpenWorkflowExecutionsRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	return validateLegacyListing(lim, req.GetNamespace(), req.GetStartTimeFilter(), req.GetExecutionFilter(), req.GetTypeFilter())
}

func validateListClosedWorkflowExecutions(req *workflowservice.ListClosedWorkflowExecutionsRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	return validateLegacyListing(lim, req.GetNamespace(), req.GetStartTimeFilter(), req.GetExecutionFilter(), req.GetTypeFilter())
}

// validateLegacyListing checks the filters both legacy listings share.
func validateLegacyListing(lim Limits, namespace string, times *filterpb.StartTimeFilter, ex *filterpb.WorkflowExecutionFilter, typ *filterpb.WorkflowTypeFilter) error {
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(namespace),
		optionalTimestamp("EarliestTime in StartTimeFilter", times.GetEarliestTime()),
		optionalTimestamp("LatestTime in StartTimeFilter", times.GetLatestTime()),
		c.optional("WorkflowId", ex.GetWorkflowId()),
		c.runID("RunId", ex.GetRunId()),
		c.optional("WorkflowType", typ.GetName()),
	)
}

func validateListTaskQueuePartitions(req *workflowservice.ListTaskQueuePartitionsRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.taskQueue("TaskQueue", req.GetTaskQueue()),
	)
}
