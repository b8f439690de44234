package frontend

import (
	"context"
	"math"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/engine"
)

// maxBatchExecutions is the most runs one batch operation may list, as
// Temporal's default for its MaxExecutionCountBatchOperationPerNamespace setting.
const maxBatchExecutions = 1000

// batchPlaceholderRun stands for each run of a batch when the batch's
// operation is checked as the request it makes for every run.
func batchPlaceholderRun() *commonpb.WorkflowExecution {
	return &commonpb.WorkflowExecution{WorkflowId: "batch"}
}

func (h *Handler) StartBatchOperation(ctx context.Context, req *workflowservice.StartBatchOperationRequest) (*workflowservice.StartBatchOperationResponse, error) {
	return serve(ctx, h, req, validateStartBatchOperation, h.engine.StartBatchOperation)
}

func (h *Handler) StopBatchOperation(ctx context.Context, req *workflowservice.StopBatchOperationRequest) (*workflowservice.StopBatchOperationResponse, error) {
	return serve(ctx, h, req, validateStopBatchOperation, h.engine.StopBatchOperation)
}

func (h *Handler) DescribeBatchOperation(ctx context.Context, req *workflowservice.DescribeBatchOperationRequest) (*workflowservice.DescribeBatchOperationResponse, error) {
	return serve(ctx, h, req, validateDescribeBatchOperation, h.engine.DescribeBatchOperation)
}

func (h *Handler) ListBatchOperations(ctx context.Context, req *workflowservice.ListBatchOperationsRequest) (*workflowservice.ListBatchOperationsResponse, error) {
	return serve(ctx, h, req, validateListBatchOperations, h.engine.ListBatchOperations)
}

// validateStartBatchOperation checks a batch request with Temporal's texts
// (its batcher's ValidateBatchOperation), then every field the operation
// reads.
func validateStartBatchOperation(req *workflowservice.StartBatchOperationRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	selectors := 0
	if req.GetVisibilityQuery() != "" {
		selectors++
	}
	if len(req.GetExecutions()) > 0 {
		selectors++
	}
	if len(req.GetTargetExecutions()) > 0 {
		selectors++
	}
	if req.GetOperation() == nil || req.GetReason() == "" || req.GetNamespace() == "" || selectors == 0 {
		return invalid("must provide required parameters: BatchType,Reason,Namespace, AND one of (Query OR Executions OR TargetExecutions)")
	}
	if selectors > 1 {
		return invalid("visibility query, executions, and target executions are mutually exclusive")
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(
		c.namespace(req.GetNamespace()),
		c.required("JobId", req.GetJobId()),
		c.optional("Reason", req.GetReason()),
	); err != nil {
		return err
	}
	if rps := float64(req.GetMaxOperationsPerSecond()); math.IsNaN(rps) || math.IsInf(rps, 0) || rps < 0 || rps > 10_000 {
		return invalid("MaxOperationsPerSecond must be a finite number from 0 to 10000, got %v.", rps)
	}
	if n := len(req.GetExecutions()) + len(req.GetTargetExecutions()); n > maxBatchExecutions {
		return invalid("A batch operation may list at most %d executions, got %d.", maxBatchExecutions, n)
	}
	for _, ex := range req.GetExecutions() {
		if err := c.execution("Executions", ex); err != nil {
			return err
		}
	}
	for i, ex := range req.GetTargetExecutions() {
		if ex.GetType() != enumspb.EXECUTION_TYPE_WORKFLOW {
			return invalid("target_executions[%d] has type %v, but operation %T requires %v", i, ex.GetType(), req.GetOperation(), enumspb.EXECUTION_TYPE_WORKFLOW)
		}
		if err := firstError(c.required("BusinessId", ex.GetBusinessId()), c.runID("RunId", ex.GetRunId())); err != nil {
			return err
		}
	}
	switch op := req.GetOperation().(type) {
	case *workflowservice.StartBatchOperationRequest_TerminationOperation:
		return firstError(c.optional("Identity", op.TerminationOperation.GetIdentity()), c.blob("Details", op.TerminationOperation.GetDetails()))
	case *workflowservice.StartBatchOperationRequest_CancellationOperation:
		return c.optional("Identity", op.CancellationOperation.GetIdentity())
	case *workflowservice.StartBatchOperationRequest_SignalOperation:
		s := op.SignalOperation
		return firstError(c.required("Signal", s.GetSignal()), c.optional("Identity", s.GetIdentity()),
			c.blob("Input", s.GetInput()), c.blob("Header", s.GetHeader()))
	case *workflowservice.StartBatchOperationRequest_DeletionOperation:
		return c.optional("Identity", op.DeletionOperation.GetIdentity())
	case *workflowservice.StartBatchOperationRequest_ResetOperation:
		r := op.ResetOperation
		if len(r.GetPostResetOperations()) > 0 {
			return serviceerror.NewInvalidArgument("Post-reset operations are not supported.")
		}
		opts := r.GetOptions()
		if opts == nil && r.GetResetType() != enumspb.RESET_TYPE_FIRST_WORKFLOW_TASK && r.GetResetType() != enumspb.RESET_TYPE_LAST_WORKFLOW_TASK {
			return invalid("The reset operation names no reset point.")
		}
		if opts != nil && opts.GetTarget() == nil {
			return invalid("The reset operation names no reset point.")
		}
		if opts.GetBuildId() != "" {
			return invalid("Resetting to a build id is not supported.")
		}
		if opts.GetWorkflowTaskId() < 0 {
			return invalid("WorkflowTaskId must not be negative, got %d.", opts.GetWorkflowTaskId())
		}
		return c.optional("Identity", r.GetIdentity())
	case *workflowservice.StartBatchOperationRequest_UnpauseActivitiesOperation:
		u := op.UnpauseActivitiesOperation
		if !u.GetMatchAll() && u.GetType() == "" {
			return invalid("The unpause activities operation names no activity type and does not match all.")
		}
		return firstError(c.optional("Identity", u.GetIdentity()), c.optional("Type", u.GetType()), c.jitter(u.GetJitter()))
	case *workflowservice.StartBatchOperationRequest_ResetActivitiesOperation:
		// Each run gets a ResetActivity request; checking one made for a
		// placeholder run checks every field the operation carries.
		return validateResetActivity(engine.BatchResetActivitiesRequest(req.GetNamespace(), batchPlaceholderRun(), op.ResetActivitiesOperation), lim)
	case *workflowservice.StartBatchOperationRequest_UpdateActivityOptionsOperation:
		return validateUpdateActivityOptions(engine.BatchUpdateActivityOptionsRequest(req.GetNamespace(), batchPlaceholderRun(), op.UpdateActivityOptionsOperation), lim)
	case *workflowservice.StartBatchOperationRequest_UpdateWorkflowOptionsOperation:
		return validateUpdateWorkflowExecutionOptions(engine.BatchUpdateWorkflowOptionsRequest(req.GetNamespace(), batchPlaceholderRun(), op.UpdateWorkflowOptionsOperation), lim)
	}
	return serviceerror.NewInvalidArgumentf("The operation type %T is not supported", req.GetOperation())
}

func validateStopBatchOperation(req *workflowservice.StopBatchOperationRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	if req.GetJobId() == "" {
		return invalid("JobId is not set on request.")
	}
	c := newChecker(lim, scopeRequest)
	if err := c.namespace(req.GetNamespace()); err != nil {
		return err
	}
	if req.GetReason() == "" {
		return invalid("Reason is not set on request.")
	}
	return firstError(c.optional("JobId", req.GetJobId()), c.optional("Reason", req.GetReason()), c.optional("Identity", req.GetIdentity()))
}

func validateDescribeBatchOperation(req *workflowservice.DescribeBatchOperationRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	if req.GetJobId() == "" {
		return invalid("JobId is not set on request.")
	}
	c := newChecker(lim, scopeRequest)
	return firstError(c.namespace(req.GetNamespace()), c.optional("JobId", req.GetJobId()))
}

func validateListBatchOperations(req *workflowservice.ListBatchOperationsRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.pageSize("PageSize", req.GetPageSize()),
		c.optional("NextPageToken", string(req.GetNextPageToken())),
	)
}
