package frontend

import (
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
)

func TestValidateResetWorkflowExecution(t *testing.T) {
	fresh := func() *workflowservice.ResetWorkflowExecutionRequest {
		return &workflowservice.ResetWorkflowExecutionRequest{
			Namespace: "ns", WorkflowExecution: exec("wf", testRunID), Reason: "bad deploy",
			WorkflowTaskFinishEventId: 4, RequestId: "req-1",
		}
	}
	type R = *workflowservice.ResetWorkflowExecutionRequest
	runCases(t, fresh, nil, validateResetWorkflowExecution, []tcase[R]{
		{"no namespace", func(r R) { r.Namespace = "" }, "Namespace is not set on request."},
		{"no execution", func(r R) { r.WorkflowExecution = nil }, "WorkflowExecution is not set on request."},
		{"no workflow id", func(r R) { r.WorkflowExecution.WorkflowId = "" }, "WorkflowId is not set on request."},
		{"bad run id", func(r R) { r.WorkflowExecution.RunId = "nope" }, "Invalid RunId."},
		{"no run id", func(r R) { r.WorkflowExecution.RunId = "" }, ""},
		{"no request id", func(r R) { r.RequestId = "" }, "RequestId is not set on request."},
		{"long request id", func(r R) { r.RequestId = tooLong }, "RequestId length exceeds limit. Limit: 20."},
		{"no reason", func(r R) { r.Reason = "" }, ""},
		{"long reason", func(r R) { r.Reason = tooLong }, "Reason length exceeds limit. Limit: 20."},
		{"zero event id", func(r R) { r.WorkflowTaskFinishEventId = 0 }, "WorkflowTaskFinishEventId must be positive, got 0."},
		{"negative event id", func(r R) { r.WorkflowTaskFinishEventId = -3 }, "WorkflowTaskFinishEventId must be positive, got -3."},
		{"reapply none", func(r R) { r.ResetReapplyType = enumspb.RESET_REAPPLY_TYPE_NONE }, ""},
		{"unknown reapply type", func(r R) { r.ResetReapplyType = 99 }, "ResetReapplyType has unknown value 99."},
		{"exclude signals", func(r R) {
			r.ResetReapplyExcludeTypes = []enumspb.ResetReapplyExcludeType{enumspb.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL}
		}, ""},
		{"unknown exclude type", func(r R) { r.ResetReapplyExcludeTypes = []enumspb.ResetReapplyExcludeType{42} },
			"ResetReapplyExcludeTypes has unknown value 42."},
		{"post reset operation", func(r R) { r.PostResetOperations = []*workflowpb.PostResetOperation{{}} },
			"PostResetOperations are not supported by this server."},
	})
}
