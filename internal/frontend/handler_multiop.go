package frontend

import (
	"context"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

// ExecuteMultiOperation serves update-with-start.
func (h *Handler) ExecuteMultiOperation(ctx context.Context, req *workflowservice.ExecuteMultiOperationRequest) (*workflowservice.ExecuteMultiOperationResponse, error) {
	return serve(ctx, h, req, validateExecuteMultiOperation, h.engine.ExecuteMultiOperation)
}

// validateExecuteMultiOperation accepts exactly what Temporal supports: one
// start followed by one update of the same workflow in the same namespace.
// Problems with an operation are reported per operation, as the SDKs expect.
func validateExecuteMultiOperation(req *workflowservice.ExecuteMultiOperationRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	if req.Namespace == "" {
		return serviceerror.NewInvalidArgument("Namespace is not set on request.")
	}
	ops := req.GetOperations()
	if len(ops) != 2 || ops[0].GetStartWorkflow() == nil || ops[1].GetUpdateWorkflow() == nil {
		return serviceerror.NewInvalidArgument("Operations must be exactly a StartWorkflow followed by an UpdateWorkflow.")
	}
	start, update := ops[0].GetStartWorkflow(), ops[1].GetUpdateWorkflow()
	// Temporal's texts: the SDKs unpack the per-operation statuses.
	const failed = "Update-with-Start could not be executed."
	aborted := serviceerror.NewMultiOperationAborted("Operation was aborted.")
	if err := validateStartWorkflowExecution(start, lim); err != nil {
		return serviceerror.NewMultiOperationExecution(failed, []error{err, aborted})
	}
	if err := validateUpdateWorkflowExecution(update, lim); err != nil {
		return serviceerror.NewMultiOperationExecution(failed, []error{aborted, err})
	}
	var problem string
	switch {
	case start.Namespace != req.Namespace || update.Namespace != req.Namespace:
		problem = "every operation must use the request's namespace"
	case update.GetWorkflowExecution().GetWorkflowId() != start.WorkflowId:
		problem = fmt.Sprintf("the update targets workflow %q but the start is for %q", update.GetWorkflowExecution().GetWorkflowId(), start.WorkflowId)
	case update.GetWorkflowExecution().GetRunId() != "":
		problem = "the update must not name a run id"
	case start.CronSchedule != "":
		problem = "CronSchedule is not allowed with update-with-start"
	}
	if problem != "" {
		return serviceerror.NewMultiOperationExecution(failed,
			[]error{serviceerror.NewInvalidArgument(problem), aborted})
	}
	return nil
}
