package frontend

import (
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
)

var testToken = []byte{0x01, 0x08, 0x02}

func TestValidatePollWorkflowTaskQueue(t *testing.T) {
	type req = *workflowservice.PollWorkflowTaskQueueRequest
	runCases(t, func() req {
		return &workflowservice.PollWorkflowTaskQueueRequest{Namespace: "default", TaskQueue: tq("orders"), Identity: "w1"}
	}, nil, validatePollWorkflowTaskQueue, []tcase[req]{
		{"sticky queue", func(r req) {
			r.TaskQueue = &taskqueuepb.TaskQueue{Name: "host:1234", Kind: enumspb.TASK_QUEUE_KIND_STICKY, NormalName: "orders"}
		}, ""},
		{"sticky queue with reserved normal name", func(r req) {
			r.TaskQueue = &taskqueuepb.TaskQueue{Name: "host:1234", Kind: enumspb.TASK_QUEUE_KIND_STICKY, NormalName: "/_sys/x"}
		}, `TaskQueue.NormalName name cannot start with reserved prefix /_sys/: "/_sys/x".`},
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"no task queue", func(r req) { r.TaskQueue = nil }, "TaskQueue is not set on request."},
		{"long task queue", func(r req) { r.TaskQueue.Name = tooLong }, "TaskQueue length exceeds limit. Limit: 20."},
		{"reserved task queue", func(r req) { r.TaskQueue.Name = "/_sys/orders/1" }, `TaskQueue name cannot start with reserved prefix /_sys/: "/_sys/orders/1".`},
		{"long identity", func(r req) { r.Identity = tooLong }, "Identity length exceeds limit. Limit: 20."},
	})
}

func TestValidatePollActivityTaskQueue(t *testing.T) {
	type req = *workflowservice.PollActivityTaskQueueRequest
	runCases(t, func() req {
		return &workflowservice.PollActivityTaskQueueRequest{Namespace: "default", TaskQueue: tq("orders")}
	}, nil, validatePollActivityTaskQueue, []tcase[req]{
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"no task queue", func(r req) { r.TaskQueue = nil }, "TaskQueue is not set on request."},
		{"blank task queue", func(r req) { r.TaskQueue.Name = "\t" }, "TaskQueue is not set on request."},
		{"unknown kind", func(r req) { r.TaskQueue.Kind = 5 }, "TaskQueue.Kind has unknown value 5."},
	})
}

func TestValidateRespondWorkflowTaskFailed(t *testing.T) {
	type req = *workflowservice.RespondWorkflowTaskFailedRequest
	runCases(t, func() req {
		return &workflowservice.RespondWorkflowTaskFailedRequest{
			TaskToken: testToken, Namespace: "default",
			Cause:   enumspb.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR,
			Failure: &failurepb.Failure{Message: "nondeterminism"},
		}
	}, nil, validateRespondWorkflowTaskFailed, []tcase[req]{
		{"no token", func(r req) { r.TaskToken = nil }, "TaskToken is not set on request."},
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"unknown cause", func(r req) { r.Cause = 1000 }, "Cause has unknown value 1000."},
		{"oversize failure", func(r req) { r.Failure = bigFailure() }, "Failure size 203 bytes exceeds limit of 100 bytes."},
	})
}

func TestValidateRespondActivityTaskCompleted(t *testing.T) {
	type req = *workflowservice.RespondActivityTaskCompletedRequest
	runCases(t, func() req {
		return &workflowservice.RespondActivityTaskCompletedRequest{TaskToken: testToken, Namespace: "default", Result: smallPayloads()}
	}, nil, validateRespondActivityTaskCompleted, []tcase[req]{
		{"no token", func(r req) { r.TaskToken = []byte{} }, "TaskToken is not set on request."},
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"oversize result", func(r req) { r.Result = bigPayloads() }, "Result size 206 bytes exceeds limit of 100 bytes."},
		{"long identity", func(r req) { r.Identity = tooLong }, "Identity length exceeds limit. Limit: 20."},
	})
}

func TestValidateRespondActivityTaskCompletedById(t *testing.T) {
	type req = *workflowservice.RespondActivityTaskCompletedByIdRequest
	runCases(t, func() req {
		return &workflowservice.RespondActivityTaskCompletedByIdRequest{Namespace: "default", WorkflowId: "wf", RunId: testRunID, ActivityId: "a1"}
	}, nil, validateRespondActivityTaskCompletedById, []tcase[req]{
		{"current run", func(r req) { r.RunId = "" }, ""},
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"bad run id", func(r req) { r.RunId = "abc" }, "Invalid RunId."},
		{"no activity id", func(r req) { r.ActivityId = "" }, "ActivityId is not set on request."},
		{"long activity id", func(r req) { r.ActivityId = tooLong }, "ActivityId length exceeds limit. Limit: 20."},
		{"oversize result", func(r req) { r.Result = bigPayloads() }, "Result size 206 bytes exceeds limit of 100 bytes."},
	})
}

func TestValidateRespondActivityTaskFailed(t *testing.T) {
	type req = *workflowservice.RespondActivityTaskFailedRequest
	runCases(t, func() req {
		return &workflowservice.RespondActivityTaskFailedRequest{TaskToken: testToken, Namespace: "default", Failure: &failurepb.Failure{Message: "x"}}
	}, nil, validateRespondActivityTaskFailed, []tcase[req]{
		{"no token", func(r req) { r.TaskToken = nil }, "TaskToken is not set on request."},
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"oversize failure", func(r req) { r.Failure = bigFailure() }, "Failure size 203 bytes exceeds limit of 100 bytes."},
		{"oversize heartbeat details", func(r req) { r.LastHeartbeatDetails = bigPayloads() },
			"LastHeartbeatDetails size 206 bytes exceeds limit of 100 bytes."},
	})
}

func TestValidateRespondActivityTaskFailedById(t *testing.T) {
	type req = *workflowservice.RespondActivityTaskFailedByIdRequest
	runCases(t, func() req {
		return &workflowservice.RespondActivityTaskFailedByIdRequest{Namespace: "default", WorkflowId: "wf", ActivityId: "a1", Failure: &failurepb.Failure{Message: "x"}}
	}, nil, validateRespondActivityTaskFailedById, []tcase[req]{
		{"no activity id", func(r req) { r.ActivityId = "" }, "ActivityId is not set on request."},
		{"bad run id", func(r req) { r.RunId = "1-2-3" }, "Invalid RunId."},
		{"oversize failure", func(r req) { r.Failure = bigFailure() }, "Failure size 203 bytes exceeds limit of 100 bytes."},
	})
}

func TestValidateRespondActivityTaskCanceled(t *testing.T) {
	type req = *workflowservice.RespondActivityTaskCanceledRequest
	runCases(t, func() req {
		return &workflowservice.RespondActivityTaskCanceledRequest{TaskToken: testToken, Namespace: "default", Details: smallPayloads()}
	}, nil, validateRespondActivityTaskCanceled, []tcase[req]{
		{"no token", func(r req) { r.TaskToken = nil }, "TaskToken is not set on request."},
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"oversize details", func(r req) { r.Details = bigPayloads() }, "Details size 206 bytes exceeds limit of 100 bytes."},
	})
}

func TestValidateRespondActivityTaskCanceledById(t *testing.T) {
	type req = *workflowservice.RespondActivityTaskCanceledByIdRequest
	runCases(t, func() req {
		return &workflowservice.RespondActivityTaskCanceledByIdRequest{Namespace: "default", WorkflowId: "wf", ActivityId: "a1"}
	}, nil, validateRespondActivityTaskCanceledById, []tcase[req]{
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"no activity id", func(r req) { r.ActivityId = "" }, "ActivityId is not set on request."},
		{"oversize details", func(r req) { r.Details = bigPayloads() }, "Details size 206 bytes exceeds limit of 100 bytes."},
	})
}

func TestValidateRecordActivityTaskHeartbeat(t *testing.T) {
	type req = *workflowservice.RecordActivityTaskHeartbeatRequest
	runCases(t, func() req {
		return &workflowservice.RecordActivityTaskHeartbeatRequest{TaskToken: testToken, Namespace: "default", Details: smallPayloads()}
	}, nil, validateRecordActivityTaskHeartbeat, []tcase[req]{
		{"no details", func(r req) { r.Details = nil }, ""},
		{"no token", func(r req) { r.TaskToken = nil }, "TaskToken is not set on request."},
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"oversize details", func(r req) { r.Details = bigPayloads() }, "Details size 206 bytes exceeds limit of 100 bytes."},
	})
}

func TestValidateRecordActivityTaskHeartbeatById(t *testing.T) {
	type req = *workflowservice.RecordActivityTaskHeartbeatByIdRequest
	runCases(t, func() req {
		return &workflowservice.RecordActivityTaskHeartbeatByIdRequest{Namespace: "default", WorkflowId: "wf", RunId: testRunID, ActivityId: "a1"}
	}, nil, validateRecordActivityTaskHeartbeatById, []tcase[req]{
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"long workflow id", func(r req) { r.WorkflowId = tooLong }, "WorkflowId length exceeds limit. Limit: 20."},
		{"no activity id", func(r req) { r.ActivityId = "" }, "ActivityId is not set on request."},
		{"oversize details", func(r req) { r.Details = bigPayloads() }, "Details size 206 bytes exceeds limit of 100 bytes."},
	})
}

func TestValidateRespondQueryTaskCompleted(t *testing.T) {
	type req = *workflowservice.RespondQueryTaskCompletedRequest
	runCases(t, func() req {
		return &workflowservice.RespondQueryTaskCompletedRequest{
			TaskToken: testToken, Namespace: "default",
			CompletedType: enumspb.QUERY_RESULT_TYPE_ANSWERED, QueryResult: smallPayloads(),
		}
	}, nil, validateRespondQueryTaskCompleted, []tcase[req]{
		{"failed answer", func(r req) {
			r.CompletedType, r.QueryResult, r.ErrorMessage = enumspb.QUERY_RESULT_TYPE_FAILED, nil, "no such query"
		}, ""},
		{"no token", func(r req) { r.TaskToken = nil }, "TaskToken is not set on request."},
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"unspecified completed type", func(r req) { r.CompletedType = enumspb.QUERY_RESULT_TYPE_UNSPECIFIED },
			"CompletedType must be QUERY_RESULT_TYPE_ANSWERED or QUERY_RESULT_TYPE_FAILED, got QUERY_RESULT_TYPE_UNSPECIFIED."},
		{"unknown completed type", func(r req) { r.CompletedType = 9 },
			"CompletedType must be QUERY_RESULT_TYPE_ANSWERED or QUERY_RESULT_TYPE_FAILED, got 9."},
		{"oversize result", func(r req) { r.QueryResult = bigPayloads() }, "QueryResult size 206 bytes exceeds limit of 100 bytes."},
		{"oversize failure", func(r req) { r.CompletedType, r.Failure = enumspb.QUERY_RESULT_TYPE_FAILED, bigFailure() },
			"Failure size 203 bytes exceeds limit of 100 bytes."},
	})
}

func TestValidateShutdownWorker(t *testing.T) {
	type req = *workflowservice.ShutdownWorkerRequest
	runCases(t, func() req {
		return &workflowservice.ShutdownWorkerRequest{
			Namespace: "default", StickyTaskQueue: "host:abc", TaskQueue: "orders",
			TaskQueueTypes: []enumspb.TaskQueueType{enumspb.TASK_QUEUE_TYPE_WORKFLOW, enumspb.TASK_QUEUE_TYPE_ACTIVITY},
		}
	}, nil, validateShutdownWorker, []tcase[req]{
		{"no sticky queue", func(r req) { r.StickyTaskQueue = "" }, ""},
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"long sticky queue", func(r req) { r.StickyTaskQueue = tooLong }, "StickyTaskQueue length exceeds limit. Limit: 20."},
		{"padded task queue", func(r req) { r.TaskQueue = "orders " }, `TaskQueue name must not contain leading or trailing whitespace: "orders ".`},
		{"unknown task queue type", func(r req) { r.TaskQueueTypes = append(r.TaskQueueTypes, 31) }, "TaskQueueTypes has unknown value 31."},
	})
}

func TestValidateDescribeTaskQueue(t *testing.T) {
	type req = *workflowservice.DescribeTaskQueueRequest
	runCases(t, func() req {
		return &workflowservice.DescribeTaskQueueRequest{Namespace: "default", TaskQueue: tq("orders"), TaskQueueType: enumspb.TASK_QUEUE_TYPE_ACTIVITY}
	}, nil, validateDescribeTaskQueue, []tcase[req]{
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"no task queue", func(r req) { r.TaskQueue = nil }, "TaskQueue is not set on request."},
		{"reserved task queue", func(r req) { r.TaskQueue.Name = "/_sys/q/2" }, `TaskQueue name cannot start with reserved prefix /_sys/: "/_sys/q/2".`},
		{"unknown type", func(r req) { r.TaskQueueType = 50 }, "TaskQueueType has unknown value 50."},
		{"unknown api mode", func(r req) { r.ApiMode = 50 }, "ApiMode has unknown value 50."},
		{"unknown type in list", func(r req) { r.TaskQueueTypes = []enumspb.TaskQueueType{60} }, "TaskQueueTypes has unknown value 60."},
	})
}
