package engine

import (
	batchpb "go.temporal.io/api/batch/v1"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// The requests a batch makes for each run, for the operations that are one
// call of an existing RPC per run.

// BatchResetActivitiesRequest is the ResetActivity request a batch's reset
// activities operation makes for one run. The frontend validates a batch
// through the same request, so both read the operation's fields one way.
func BatchResetActivitiesRequest(namespace string, ex *commonpb.WorkflowExecution, op *batchpb.BatchOperationResetActivities) *workflowservice.ResetActivityRequest {
	req := &workflowservice.ResetActivityRequest{
		Namespace: namespace, Execution: ex, Identity: op.GetIdentity(),
		ResetHeartbeat: op.GetResetHeartbeat(), KeepPaused: op.GetKeepPaused(), Jitter: op.GetJitter(),
		RestoreOriginalOptions: op.GetRestoreOriginalOptions(),
	}
	switch {
	case op.GetMatchAll():
		req.Activity = &workflowservice.ResetActivityRequest_MatchAll{MatchAll: true}
	case op.GetType() != "":
		req.Activity = &workflowservice.ResetActivityRequest_Type{Type: op.GetType()}
	}
	return req
}

// BatchUpdateActivityOptionsRequest is the UpdateActivityOptions request a
// batch's update activity options operation makes for one run.
func BatchUpdateActivityOptionsRequest(namespace string, ex *commonpb.WorkflowExecution, op *batchpb.BatchOperationUpdateActivityOptions) *workflowservice.UpdateActivityOptionsRequest {
	req := &workflowservice.UpdateActivityOptionsRequest{
		Namespace: namespace, Execution: ex, Identity: op.GetIdentity(),
		ActivityOptions: op.GetActivityOptions(), UpdateMask: op.GetUpdateMask(),
		RestoreOriginal: op.GetRestoreOriginal(),
	}
	switch {
	case op.GetMatchAll():
		req.Activity = &workflowservice.UpdateActivityOptionsRequest_MatchAll{MatchAll: true}
	case op.GetType() != "":
		req.Activity = &workflowservice.UpdateActivityOptionsRequest_Type{Type: op.GetType()}
	}
	return req
}

// BatchUpdateWorkflowOptionsRequest is the UpdateWorkflowExecutionOptions
// request a batch's update workflow options operation makes for one run.
func BatchUpdateWorkflowOptionsRequest(namespace string, ex *commonpb.WorkflowExecution, op *batchpb.BatchOperationUpdateWorkflowExecutionOptions) *workflowservice.UpdateWorkflowExecutionOptionsRequest {
	return &workflowservice.UpdateWorkflowExecutionOptionsRequest{
		Namespace: namespace, WorkflowExecution: ex, Identity: op.GetIdentity(),
		WorkflowExecutionOptions: op.GetWorkflowExecutionOptions(), UpdateMask: op.GetUpdateMask(),
	}
}
