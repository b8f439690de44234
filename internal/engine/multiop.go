package engine

import (
	"context"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

// ExecuteMultiOperation runs update-with-start: a start (usually with
// conflict policy USE_EXISTING) and then an update of the run it started or
// found. Errors name the operation that failed; the other is reported aborted.
func (e *Engine) ExecuteMultiOperation(ctx context.Context, req *workflowservice.ExecuteMultiOperationRequest) (*workflowservice.ExecuteMultiOperationResponse, error) {
	start := req.Operations[0].GetStartWorkflow()
	update := req.Operations[1].GetUpdateWorkflow()
	startResp, err := e.StartWorkflowExecution(ctx, start)
	if err != nil {
		return nil, serviceerror.NewMultiOperationExecution("update-with-start: the start failed",
			[]error{err, serviceerror.NewMultiOperationAborted("operation was aborted because the start failed")})
	}
	update.WorkflowExecution.RunId = startResp.RunId
	updateResp, err := e.UpdateWorkflowExecution(ctx, update)
	if err != nil {
		return nil, serviceerror.NewMultiOperationExecution("update-with-start: the update failed",
			[]error{serviceerror.NewMultiOperationAborted("operation was aborted because the update failed"), err})
	}
	return &workflowservice.ExecuteMultiOperationResponse{Responses: []*workflowservice.ExecuteMultiOperationResponse_Response{
		{Response: &workflowservice.ExecuteMultiOperationResponse_Response_StartWorkflow{StartWorkflow: startResp}},
		{Response: &workflowservice.ExecuteMultiOperationResponse_Response_UpdateWorkflow{UpdateWorkflow: updateResp}},
	}}, nil
}
