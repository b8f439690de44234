package engine

import (
	"context"
	"crypto/sha256"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

// batchRequestID is the request id a batch uses for its operation on one
// run: the same on every attempt, so a repeat after a restart is
// deduplicated by the run.
func batchRequestID(jobID, op string, ex *commonpb.WorkflowExecution) string {
	sum := sha256.Sum256([]byte(jobID + "\x00" + op + "\x00" + ex.GetWorkflowId() + "\x00" + ex.GetRunId()))
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

// applyBatchOperation applies a batch's operation to one run.
func (e *Engine) applyBatchOperation(ctx context.Context, jobID string, req *workflowservice.StartBatchOperationRequest, ex *commonpb.WorkflowExecution) error {
	ns := req.GetNamespace()
	switch op := req.GetOperation().(type) {
	case *workflowservice.StartBatchOperationRequest_TerminationOperation:
		_, err := e.TerminateWorkflowExecution(ctx, &workflowservice.TerminateWorkflowExecutionRequest{
			Namespace: ns, WorkflowExecution: ex, Reason: req.GetReason(),
			Details: op.TerminationOperation.GetDetails(), Identity: op.TerminationOperation.GetIdentity(),
		})
		return err
	case *workflowservice.StartBatchOperationRequest_CancellationOperation:
		_, err := e.RequestCancelWorkflowExecution(ctx, &workflowservice.RequestCancelWorkflowExecutionRequest{
			Namespace: ns, WorkflowExecution: ex, Reason: req.GetReason(),
			Identity: op.CancellationOperation.GetIdentity(), RequestId: batchRequestID(jobID, "cancel", ex),
		})
		return err
	case *workflowservice.StartBatchOperationRequest_SignalOperation:
		s := op.SignalOperation
		_, err := e.SignalWorkflowExecution(ctx, &workflowservice.SignalWorkflowExecutionRequest{
			Namespace: ns, WorkflowExecution: ex, SignalName: s.GetSignal(), Input: s.GetInput(), Header: s.GetHeader(),
			Identity: s.GetIdentity(), RequestId: batchRequestID(jobID, "signal", ex),
		})
		return err
	case *workflowservice.StartBatchOperationRequest_DeletionOperation:
		_, err := e.DeleteWorkflowExecution(ctx, &workflowservice.DeleteWorkflowExecutionRequest{Namespace: ns, WorkflowExecution: ex})
		return err
	case *workflowservice.StartBatchOperationRequest_ResetOperation:
		return e.batchReset(ctx, jobID, req, op, ex)
	case *workflowservice.StartBatchOperationRequest_UnpauseActivitiesOperation:
		u := op.UnpauseActivitiesOperation
		unpause := &workflowservice.UnpauseActivityRequest{
			Namespace: ns, Execution: ex, Identity: u.GetIdentity(),
			ResetAttempts: u.GetResetAttempts(), ResetHeartbeat: u.GetResetHeartbeat(), Jitter: u.GetJitter(),
		}
		if u.GetMatchAll() {
			unpause.Activity = &workflowservice.UnpauseActivityRequest_UnpauseAll{UnpauseAll: true}
		} else {
			unpause.Activity = &workflowservice.UnpauseActivityRequest_Type{Type: u.GetType()}
		}
		_, err := e.UnpauseActivity(ctx, unpause)
		return err
	case *workflowservice.StartBatchOperationRequest_ResetActivitiesOperation:
		_, err := e.ResetActivity(ctx, BatchResetActivitiesRequest(ns, ex, op.ResetActivitiesOperation))
		return err
	case *workflowservice.StartBatchOperationRequest_UpdateActivityOptionsOperation:
		_, err := e.UpdateActivityOptions(ctx, BatchUpdateActivityOptionsRequest(ns, ex, op.UpdateActivityOptionsOperation))
		return err
	case *workflowservice.StartBatchOperationRequest_UpdateWorkflowOptionsOperation:
		_, err := e.UpdateWorkflowExecutionOptions(ctx, BatchUpdateWorkflowOptionsRequest(ns, ex, op.UpdateWorkflowOptionsOperation))
		return err
	}
	return serviceerror.NewInvalidArgumentf("The operation type %T is not supported", req.GetOperation())
}

// batchReset resets one run to the workflow task the operation names.
func (e *Engine) batchReset(ctx context.Context, jobID string, req *workflowservice.StartBatchOperationRequest, op *workflowservice.StartBatchOperationRequest_ResetOperation, ex *commonpb.WorkflowExecution) error {
	r := op.ResetOperation
	opts := r.GetOptions()
	reapply, exclude := opts.GetResetReapplyType(), opts.GetResetReapplyExcludeTypes()
	if opts == nil {
		reapply = r.GetResetReapplyType()
	}
	if opts.GetCurrentRunOnly() {
		desc, err := e.DescribeWorkflowExecution(ctx, &workflowservice.DescribeWorkflowExecutionRequest{Namespace: req.GetNamespace(), Execution: &commonpb.WorkflowExecution{WorkflowId: ex.GetWorkflowId()}})
		if err != nil {
			return err
		}
		if desc.GetWorkflowExecutionInfo().GetExecution().GetRunId() != ex.GetRunId() {
			return nil // not the current run: nothing to do
		}
	}
	eventID, err := e.batchResetPoint(ctx, req.GetNamespace(), r, ex)
	if err != nil {
		return err
	}
	_, err = e.ResetWorkflowExecution(ctx, &workflowservice.ResetWorkflowExecutionRequest{
		Namespace: req.GetNamespace(), WorkflowExecution: ex, Reason: req.GetReason(),
		WorkflowTaskFinishEventId: eventID, RequestId: batchRequestID(jobID, "reset", ex),
		ResetReapplyType: reapply, ResetReapplyExcludeTypes: exclude,
		PostResetOperations: r.GetPostResetOperations(), Identity: r.GetIdentity(),
	})
	return err
}

// batchResetPoint is the event a batch reset goes back to: the end of the
// first or last completed workflow task, or the event id the options name.
func (e *Engine) batchResetPoint(ctx context.Context, namespace string, r interface {
	GetOptions() *commonpb.ResetOptions
	GetResetType() enumspb.ResetType
}, ex *commonpb.WorkflowExecution) (int64, error) {
	opts := r.GetOptions()
	first := false
	switch {
	case opts.GetWorkflowTaskId() > 0:
		return opts.GetWorkflowTaskId(), nil
	case opts.GetFirstWorkflowTask() != nil:
		first = true
	case opts.GetLastWorkflowTask() != nil:
	case opts.GetBuildId() != "":
		return 0, serviceerror.NewInvalidArgument("Resetting to a build id is not supported.")
	case opts == nil && r.GetResetType() == enumspb.RESET_TYPE_FIRST_WORKFLOW_TASK:
		first = true
	case opts == nil && r.GetResetType() == enumspb.RESET_TYPE_LAST_WORKFLOW_TASK:
	default:
		return 0, serviceerror.NewInvalidArgument("The reset operation names no reset point.")
	}
	var found int64
	var token []byte
	for {
		page, err := e.GetWorkflowExecutionHistory(ctx, &workflowservice.GetWorkflowExecutionHistoryRequest{
			Namespace: namespace, Execution: ex, NextPageToken: token,
		})
		if err != nil {
			return 0, err
		}
		for _, ev := range page.GetHistory().GetEvents() {
			if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
				found = ev.GetEventId()
				if first {
					return found, nil
				}
			}
		}
		if token = page.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	if found == 0 {
		return 0, serviceerror.NewFailedPrecondition("The run has no completed workflow task to reset to.")
	}
	return found, nil
}
