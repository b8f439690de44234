package frontend

import (
	"errors"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	querypb "go.temporal.io/api/query/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	updatepb "go.temporal.io/api/update/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"
)

// testLim is small so that tests can exceed it cheaply.
var testLim = Limits{MaxIDLength: 20, MaxPayloadBytes: 100}

const (
	testRunID = "0b6c7f3e-8a1d-4c2b-9e5f-6a7b8c9d0e1f"
	tooLong   = "abcdefghijklmnopqrstu" // 21 bytes, one over testLim.MaxIDLength
)

func bigPayloads() *commonpb.Payloads {
	return &commonpb.Payloads{Payloads: []*commonpb.Payload{{Data: make([]byte, 200)}}}
}

func smallPayloads() *commonpb.Payloads {
	return &commonpb.Payloads{Payloads: []*commonpb.Payload{{Data: []byte("ok")}}}
}

func bigFailure() *failurepb.Failure {
	return &failurepb.Failure{Message: strings.Repeat("boom ", 40)}
}

func tq(name string) *taskqueuepb.TaskQueue {
	return &taskqueuepb.TaskQueue{Name: name, Kind: enumspb.TASK_QUEUE_KIND_NORMAL}
}

func exec(workflowID, runID string) *commonpb.WorkflowExecution {
	return &commonpb.WorkflowExecution{WorkflowId: workflowID, RunId: runID}
}

func dur(d time.Duration) *durationpb.Duration { return durationpb.New(d) }

// tcase is one row of a validator's table: a change to a valid request and the
// message expected (empty when the request must stay valid). A message ending in "*"
// is matched as a prefix.
type tcase[T any] struct {
	name   string
	mutate func(T)
	want   string
}

// runCases checks every row against a fresh valid request, and also checks that the
// unmodified request is valid and that a nil request is refused.
func runCases[T any](t *testing.T, fresh func() T, nilReq T, validate func(T, Limits) error, cases []tcase[T]) {
	t.Helper()
	t.Run("valid", func(t *testing.T) {
		if err := validate(fresh(), testLim); err != nil {
			t.Fatalf("valid request refused: %v", err)
		}
	})
	t.Run("nil request", func(t *testing.T) {
		assertInvalid(t, validate(nilReq, testLim), "Request is nil.")
	})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := fresh()
			tc.mutate(req)
			assertInvalid(t, validate(req, testLim), tc.want)
		})
	}
}

// assertInvalid checks that err is nil when want is empty, and otherwise that it is
// an InvalidArgument with the wanted message.
func assertInvalid(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want InvalidArgument %q", want)
	}
	var ia *serviceerror.InvalidArgument
	var ce *CommandError
	if !errors.As(err, &ia) && !errors.As(err, &ce) {
		t.Errorf("error %T is neither *serviceerror.InvalidArgument nor *CommandError", err)
	}
	// serviceerror types convert through serviceerror.ToStatus (they have no
	// GRPCStatus method), which is how the handlers must send them.
	if code := serviceerror.ToStatus(err).Code(); code != codes.InvalidArgument {
		t.Errorf("serviceerror.ToStatus code = %v, want InvalidArgument", code)
	}
	got := err.Error()
	if ce != nil {
		got = ce.Message
	}
	if prefix, ok := strings.CutSuffix(want, "*"); ok {
		if !strings.HasPrefix(got, prefix) {
			t.Errorf("message %q does not start with %q", got, prefix)
		}
		return
	}
	if got != want {
		t.Errorf("message = %q\n          want %q", got, want)
	}
}

func TestDefaultLimits(t *testing.T) {
	lim := DefaultLimits()
	if lim.MaxIDLength != 1000 || lim.MaxPayloadBytes != 2<<20 {
		t.Fatalf("DefaultLimits() = %+v, want 1000 and 2 MiB", lim)
	}
	// A zero Limits behaves like the defaults.
	req := &workflowservice.DescribeWorkflowExecutionRequest{Namespace: "ns", Execution: exec(strings.Repeat("w", 1000), "")}
	if err := validateDescribeWorkflowExecution(req, Limits{}); err != nil {
		t.Fatalf("1000-byte workflow id refused with zero Limits: %v", err)
	}
	req.Execution.WorkflowId += "w"
	assertInvalid(t, validateDescribeWorkflowExecution(req, Limits{}), "WorkflowId length exceeds limit. Limit: 1000.")
}

func TestIsUUID(t *testing.T) {
	for s, want := range map[string]bool{
		testRunID:                              true,
		strings.ToUpper(testRunID):             true,
		"":                                     false,
		"0b6c7f3e8a1d4c2b9e5f6a7b8c9d0e1f":     false,
		"0b6c7f3e-8a1d-4c2b-9e5f-6a7b8c9d0e1":  false,
		"0b6c7f3e-8a1d-4c2b-9e5f_6a7b8c9d0e1f": false,
		"0b6c7f3e-8a1d-4c2b-9e5f-6a7b8c9d0e1g": false,
	} {
		if got := isUUID(s); got != want {
			t.Errorf("isUUID(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestValidateGetSystemInfo(t *testing.T) {
	if err := validateGetSystemInfo(&workflowservice.GetSystemInfoRequest{}, testLim); err != nil {
		t.Fatalf("valid request refused: %v", err)
	}
	assertInvalid(t, validateGetSystemInfo(nil, testLim), "Request is nil.")
}

func TestValidateRegisterNamespace(t *testing.T) {
	runCases(t, func() *workflowservice.RegisterNamespaceRequest {
		return &workflowservice.RegisterNamespaceRequest{Namespace: "orders", WorkflowExecutionRetentionPeriod: dur(24 * time.Hour)}
	}, nil, validateRegisterNamespace, []tcase[*workflowservice.RegisterNamespaceRequest]{
		{"no namespace", func(r *workflowservice.RegisterNamespaceRequest) { r.Namespace = "" }, "Namespace is not set on request."},
		{"long namespace", func(r *workflowservice.RegisterNamespaceRequest) { r.Namespace = tooLong }, "Namespace length exceeds limit. Limit: 20."},
		{"negative retention", func(r *workflowservice.RegisterNamespaceRequest) {
			r.WorkflowExecutionRetentionPeriod = dur(-time.Hour)
		},
			"WorkflowExecutionRetentionPeriod is negative: -1h0m0s."},
		{"malformed retention", func(r *workflowservice.RegisterNamespaceRequest) {
			r.WorkflowExecutionRetentionPeriod = &durationpb.Duration{Seconds: 5, Nanos: -1}
		}, "WorkflowExecutionRetentionPeriod is invalid: *"},
		{"unknown archival state", func(r *workflowservice.RegisterNamespaceRequest) { r.HistoryArchivalState = 42 },
			"HistoryArchivalState has unknown value 42."},
	})
}

func TestValidateDescribeNamespace(t *testing.T) {
	runCases(t, func() *workflowservice.DescribeNamespaceRequest {
		return &workflowservice.DescribeNamespaceRequest{Namespace: "default"}
	}, nil, validateDescribeNamespace, []tcase[*workflowservice.DescribeNamespaceRequest]{
		{"by id only", func(r *workflowservice.DescribeNamespaceRequest) { r.Namespace, r.Id = "", testRunID }, ""},
		{"neither name nor id", func(r *workflowservice.DescribeNamespaceRequest) { r.Namespace = "" }, "Namespace is not set on request."},
		{"long name", func(r *workflowservice.DescribeNamespaceRequest) { r.Namespace = tooLong }, "Namespace length exceeds limit. Limit: 20."},
		{"id not a uuid", func(r *workflowservice.DescribeNamespaceRequest) { r.Id = "nope" }, "Invalid Id."},
	})
}

func TestValidateListNamespaces(t *testing.T) {
	runCases(t, func() *workflowservice.ListNamespacesRequest {
		return &workflowservice.ListNamespacesRequest{PageSize: 10}
	}, nil, validateListNamespaces, []tcase[*workflowservice.ListNamespacesRequest]{
		{"default page size", func(r *workflowservice.ListNamespacesRequest) { r.PageSize = 0 }, ""},
		{"negative page size", func(r *workflowservice.ListNamespacesRequest) { r.PageSize = -1 }, "PageSize is negative: -1."},
	})
}

func TestValidateUpdateNamespace(t *testing.T) {
	runCases(t, func() *workflowservice.UpdateNamespaceRequest {
		return &workflowservice.UpdateNamespaceRequest{
			Namespace:  "default",
			UpdateInfo: &namespacepb.UpdateNamespaceInfo{Description: "d"},
			Config:     &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: dur(48 * time.Hour)},
		}
	}, nil, validateUpdateNamespace, []tcase[*workflowservice.UpdateNamespaceRequest]{
		{"no namespace", func(r *workflowservice.UpdateNamespaceRequest) { r.Namespace = "" }, "Namespace is not set on request."},
		{"negative retention", func(r *workflowservice.UpdateNamespaceRequest) {
			r.Config.WorkflowExecutionRetentionTtl = dur(-time.Second)
		},
			"Config.WorkflowExecutionRetentionTtl is negative: -1s."},
		{"unknown visibility archival state", func(r *workflowservice.UpdateNamespaceRequest) { r.Config.VisibilityArchivalState = 9 },
			"Config.VisibilityArchivalState has unknown value 9."},
	})
}

func validStart() *workflowservice.StartWorkflowExecutionRequest {
	return &workflowservice.StartWorkflowExecutionRequest{
		Namespace:           "default",
		WorkflowId:          "order-1",
		WorkflowType:        &commonpb.WorkflowType{Name: "OrderWorkflow"},
		TaskQueue:           tq("orders"),
		Input:               smallPayloads(),
		WorkflowRunTimeout:  dur(time.Minute),
		WorkflowTaskTimeout: dur(10 * time.Second),
		Identity:            "worker@host",
		RequestId:           "req-1",
		RetryPolicy:         &commonpb.RetryPolicy{InitialInterval: dur(time.Second), MaximumInterval: dur(time.Minute), BackoffCoefficient: 2},
	}
}

func TestValidateStartWorkflowExecution(t *testing.T) {
	type req = *workflowservice.StartWorkflowExecutionRequest
	runCases(t, validStart, nil, validateStartWorkflowExecution, []tcase[req]{
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"no workflow id", func(r req) { r.WorkflowId = "" }, "WorkflowId is not set on request."},
		{"long workflow id", func(r req) { r.WorkflowId = tooLong }, "WorkflowId length exceeds limit. Limit: 20."},
		{"workflow id at the limit", func(r req) { r.WorkflowId = tooLong[:20] }, ""},
		{"no workflow type", func(r req) { r.WorkflowType = nil }, "WorkflowType is not set on request."},
		{"long workflow type", func(r req) { r.WorkflowType.Name = tooLong }, "WorkflowType length exceeds limit. Limit: 20."},
		{"no task queue", func(r req) { r.TaskQueue = nil }, "TaskQueue is not set on request."},
		{"blank task queue", func(r req) { r.TaskQueue.Name = "   " }, "TaskQueue is not set on request."},
		{"padded task queue", func(r req) { r.TaskQueue.Name = " orders" },
			`TaskQueue name must not contain leading or trailing whitespace: " orders".`},
		{"long task queue", func(r req) { r.TaskQueue.Name = tooLong }, "TaskQueue length exceeds limit. Limit: 20."},
		{"reserved task queue", func(r req) { r.TaskQueue.Name = "/_sys/orders/3" },
			`TaskQueue name cannot start with reserved prefix /_sys/: "/_sys/orders/3".`},
		{"unknown task queue kind", func(r req) { r.TaskQueue.Kind = 77 }, "TaskQueue.Kind has unknown value 77."},
		{"long request id", func(r req) { r.RequestId = tooLong }, "RequestId length exceeds limit. Limit: 20."},
		{"long identity", func(r req) { r.Identity = tooLong }, "Identity length exceeds limit. Limit: 20."},
		{"negative execution timeout", func(r req) { r.WorkflowExecutionTimeout = dur(-5 * time.Second) }, "WorkflowExecutionTimeout is negative: -5s."},
		{"negative run timeout", func(r req) { r.WorkflowRunTimeout = dur(-5 * time.Second) }, "WorkflowRunTimeout is negative: -5s."},
		{"negative task timeout", func(r req) { r.WorkflowTaskTimeout = &durationpb.Duration{Nanos: -1} }, "WorkflowTaskTimeout is negative: -1ns."},
		{"mixed-sign run timeout", func(r req) { r.WorkflowRunTimeout = &durationpb.Duration{Seconds: 1, Nanos: -1} }, "WorkflowRunTimeout is invalid: *"},
		{"negative start delay", func(r req) { r.WorkflowStartDelay = dur(-time.Second) }, "WorkflowStartDelay is negative: -1s."},
		{"cron with start delay", func(r req) { r.CronSchedule, r.WorkflowStartDelay = "@every 1m", dur(time.Second) },
			"CronSchedule and WorkflowStartDelay may not be used together."},
		{"retry backoff below one", func(r req) { r.RetryPolicy.BackoffCoefficient = 0.5 }, "BackoffCoefficient cannot be less than 1 on retry policy."},
		{"retry negative attempts", func(r req) { r.RetryPolicy.MaximumAttempts = -1 }, "MaximumAttempts cannot be negative on retry policy."},
		{"retry negative interval", func(r req) { r.RetryPolicy.InitialInterval = dur(-time.Second) }, "invalid InitialInterval set on retry policy: negative duration"},
		{"retry max below initial", func(r req) { r.RetryPolicy.MaximumInterval = dur(time.Millisecond) },
			"MaximumInterval cannot be less than InitialInterval on retry policy."},
		{"unknown reuse policy", func(r req) { r.WorkflowIdReusePolicy = 99 }, "WorkflowIdReusePolicy has unknown value 99."},
		{"unknown conflict policy", func(r req) { r.WorkflowIdConflictPolicy = 99 }, "WorkflowIdConflictPolicy has unknown value 99."},
		{"terminate-if-running with conflict policy", func(r req) {
			r.WorkflowIdReusePolicy = enumspb.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING
			r.WorkflowIdConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL
		}, "Invalid WorkflowIdReusePolicy: WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING cannot be used together with a WorkflowIdConflictPolicy."},
		{"reject-duplicate with terminate-existing", func(r req) {
			r.WorkflowIdReusePolicy = enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE
			r.WorkflowIdConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING
		}, "Invalid WorkflowIdReusePolicy: WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE cannot be used together with WorkflowIdConflictPolicy WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING."},
		{"oversize input", func(r req) { r.Input = bigPayloads() }, "Input size 206 bytes exceeds limit of 100 bytes."},
		{"oversize memo", func(r req) {
			r.Memo = &commonpb.Memo{Fields: map[string]*commonpb.Payload{"k": {Data: make([]byte, 200)}}}
		}, "Memo size 212 bytes exceeds limit of 100 bytes."},
		{"oversize header", func(r req) {
			r.Header = &commonpb.Header{Fields: map[string]*commonpb.Payload{"k": {Data: make([]byte, 200)}}}
		}, "Header size *"},
	})
}

func TestValidateSignalWithStartWorkflowExecution(t *testing.T) {
	type req = *workflowservice.SignalWithStartWorkflowExecutionRequest
	runCases(t, func() req {
		return &workflowservice.SignalWithStartWorkflowExecutionRequest{
			Namespace: "default", WorkflowId: "order-1", WorkflowType: &commonpb.WorkflowType{Name: "OrderWorkflow"},
			TaskQueue: tq("orders"), SignalName: "approve", SignalInput: smallPayloads(),
		}
	}, nil, validateSignalWithStartWorkflowExecution, []tcase[req]{
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"no workflow id", func(r req) { r.WorkflowId = "" }, "WorkflowId is not set on request."},
		{"no signal name", func(r req) { r.SignalName = "" }, "SignalName is not set on request."},
		{"long signal name", func(r req) { r.SignalName = tooLong }, "SignalName length exceeds limit. Limit: 20."},
		{"no workflow type", func(r req) { r.WorkflowType = &commonpb.WorkflowType{} }, "WorkflowType is not set on request."},
		{"no task queue", func(r req) { r.TaskQueue = &taskqueuepb.TaskQueue{} }, "TaskQueue is not set on request."},
		{"negative run timeout", func(r req) { r.WorkflowRunTimeout = dur(-5 * time.Second) }, "WorkflowRunTimeout is negative: -5s."},
		{"cron with start delay", func(r req) { r.CronSchedule, r.WorkflowStartDelay = "* * * * *", dur(0) },
			"CronSchedule and WorkflowStartDelay may not be used together."},
		{"conflict policy fail", func(r req) { r.WorkflowIdConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL },
			"Invalid WorkflowIdConflictPolicy: WORKFLOW_ID_CONFLICT_POLICY_FAIL is not supported for this operation."},
		{"use-existing is fine", func(r req) { r.WorkflowIdConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING }, ""},
		{"oversize signal input", func(r req) { r.SignalInput = bigPayloads() }, "SignalInput size 206 bytes exceeds limit of 100 bytes."},
		{"oversize input", func(r req) { r.Input = bigPayloads() }, "Input size 206 bytes exceeds limit of 100 bytes."},
	})
}

func TestValidateGetWorkflowExecutionHistory(t *testing.T) {
	type req = *workflowservice.GetWorkflowExecutionHistoryRequest
	runCases(t, func() req {
		return &workflowservice.GetWorkflowExecutionHistoryRequest{Namespace: "default", Execution: exec("wf", testRunID), MaximumPageSize: 100}
	}, nil, validateGetWorkflowExecutionHistory, []tcase[req]{
		{"no run id", func(r req) { r.Execution.RunId = "" }, ""},
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"no execution", func(r req) { r.Execution = nil }, "Execution is not set on request."},
		{"no workflow id", func(r req) { r.Execution.WorkflowId = "" }, "WorkflowId is not set on request."},
		{"bad run id", func(r req) { r.Execution.RunId = "run-1" }, "Invalid RunId."},
		{"negative page size", func(r req) { r.MaximumPageSize = -3 }, "MaximumPageSize is negative: -3."},
		{"unknown filter", func(r req) { r.HistoryEventFilterType = 8 }, "HistoryEventFilterType has unknown value 8."},
	})
}

func TestValidateDescribeWorkflowExecution(t *testing.T) {
	type req = *workflowservice.DescribeWorkflowExecutionRequest
	runCases(t, func() req {
		return &workflowservice.DescribeWorkflowExecutionRequest{Namespace: "default", Execution: exec("wf", "")}
	}, nil, validateDescribeWorkflowExecution, []tcase[req]{
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"no execution", func(r req) { r.Execution = nil }, "Execution is not set on request."},
		{"long workflow id", func(r req) { r.Execution.WorkflowId = tooLong }, "WorkflowId length exceeds limit. Limit: 20."},
		{"long run id is reported as not a uuid", func(r req) { r.Execution.RunId = strings.Repeat("a", 100) },
			"Invalid RunId."},
	})
}

func TestValidateRequestCancelWorkflowExecution(t *testing.T) {
	type req = *workflowservice.RequestCancelWorkflowExecutionRequest
	runCases(t, func() req {
		return &workflowservice.RequestCancelWorkflowExecutionRequest{Namespace: "default", WorkflowExecution: exec("wf", testRunID), RequestId: "r1"}
	}, nil, validateRequestCancelWorkflowExecution, []tcase[req]{
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"no execution", func(r req) { r.WorkflowExecution = nil }, "WorkflowExecution is not set on request."},
		{"bad first execution run id", func(r req) { r.FirstExecutionRunId = "x" }, "Invalid FirstExecutionRunId."},
		{"long request id", func(r req) { r.RequestId = tooLong }, "RequestId length exceeds limit. Limit: 20."},
	})
}

func TestValidateTerminateWorkflowExecution(t *testing.T) {
	type req = *workflowservice.TerminateWorkflowExecutionRequest
	runCases(t, func() req {
		return &workflowservice.TerminateWorkflowExecutionRequest{Namespace: "default", WorkflowExecution: exec("wf", ""), Reason: "stop", Details: smallPayloads()}
	}, nil, validateTerminateWorkflowExecution, []tcase[req]{
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"no workflow id", func(r req) { r.WorkflowExecution.WorkflowId = "" }, "WorkflowId is not set on request."},
		{"bad run id", func(r req) { r.WorkflowExecution.RunId = "nope" }, "Invalid RunId."},
		{"oversize details", func(r req) { r.Details = bigPayloads() }, "Details size 206 bytes exceeds limit of 100 bytes."},
	})
}

func TestValidateSignalWorkflowExecution(t *testing.T) {
	type req = *workflowservice.SignalWorkflowExecutionRequest
	runCases(t, func() req {
		return &workflowservice.SignalWorkflowExecutionRequest{Namespace: "default", WorkflowExecution: exec("wf", ""), SignalName: "approve", Input: smallPayloads()}
	}, nil, validateSignalWorkflowExecution, []tcase[req]{
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"no execution", func(r req) { r.WorkflowExecution = nil }, "WorkflowExecution is not set on request."},
		{"no signal name", func(r req) { r.SignalName = "" }, "SignalName is not set on request."},
		{"long signal name", func(r req) { r.SignalName = tooLong }, "SignalName length exceeds limit. Limit: 20."},
		{"oversize input", func(r req) { r.Input = bigPayloads() }, "Input size 206 bytes exceeds limit of 100 bytes."},
	})
}

func TestValidateQueryWorkflow(t *testing.T) {
	type req = *workflowservice.QueryWorkflowRequest
	runCases(t, func() req {
		return &workflowservice.QueryWorkflowRequest{Namespace: "default", Execution: exec("wf", ""),
			Query: &querypb.WorkflowQuery{QueryType: "status", QueryArgs: smallPayloads()}}
	}, nil, validateQueryWorkflow, []tcase[req]{
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"no execution", func(r req) { r.Execution = nil }, "Execution is not set on request."},
		{"no query", func(r req) { r.Query = nil }, "Query is not set on request."},
		{"no query type", func(r req) { r.Query.QueryType = "" }, "QueryType is not set on request."},
		{"long query type", func(r req) { r.Query.QueryType = tooLong }, "QueryType length exceeds limit. Limit: 20."},
		{"oversize args", func(r req) { r.Query.QueryArgs = bigPayloads() }, "QueryArgs size 206 bytes exceeds limit of 100 bytes."},
		{"unknown reject condition", func(r req) { r.QueryRejectCondition = 12 }, "QueryRejectCondition has unknown value 12."},
	})
}

func TestValidateResetStickyTaskQueue(t *testing.T) {
	type req = *workflowservice.ResetStickyTaskQueueRequest
	runCases(t, func() req {
		return &workflowservice.ResetStickyTaskQueueRequest{Namespace: "default", Execution: exec("wf", testRunID)}
	}, nil, validateResetStickyTaskQueue, []tcase[req]{
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"no execution", func(r req) { r.Execution = nil }, "Execution is not set on request."},
		{"bad run id", func(r req) { r.Execution.RunId = "r" }, "Invalid RunId."},
	})
}

func TestValidateListWorkflowExecutions(t *testing.T) {
	type req = *workflowservice.ListWorkflowExecutionsRequest
	runCases(t, func() req {
		return &workflowservice.ListWorkflowExecutionsRequest{Namespace: "default", PageSize: 50, Query: "WorkflowType = 'x'"}
	}, nil, validateListWorkflowExecutions, []tcase[req]{
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"long namespace", func(r req) { r.Namespace = tooLong }, "Namespace length exceeds limit. Limit: 20."},
		{"negative page size", func(r req) { r.PageSize = -50 }, "PageSize is negative: -50."},
	})
}

func TestValidateCountWorkflowExecutions(t *testing.T) {
	type req = *workflowservice.CountWorkflowExecutionsRequest
	runCases(t, func() req {
		return &workflowservice.CountWorkflowExecutionsRequest{Namespace: "default"}
	}, nil, validateCountWorkflowExecutions, []tcase[req]{
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"long namespace", func(r req) { r.Namespace = tooLong }, "Namespace length exceeds limit. Limit: 20."},
	})
}

func TestValidateUpdateWorkflowExecution(t *testing.T) {
	type req = *workflowservice.UpdateWorkflowExecutionRequest
	runCases(t, func() req {
		return &workflowservice.UpdateWorkflowExecutionRequest{
			Namespace: "default", WorkflowExecution: exec("wf", ""),
			WaitPolicy: &updatepb.WaitPolicy{LifecycleStage: enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED},
			Request: &updatepb.Request{
				Meta:  &updatepb.Meta{UpdateId: "u1", Identity: "me"},
				Input: &updatepb.Input{Name: "setPrice", Args: smallPayloads()},
			},
		}
	}, nil, validateUpdateWorkflowExecution, []tcase[req]{
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"no execution", func(r req) { r.WorkflowExecution = nil }, "WorkflowExecution is not set on request."},
		{"bad first run id", func(r req) { r.FirstExecutionRunId = "1" }, "Invalid FirstExecutionRunId."},
		{"unknown wait stage", func(r req) { r.WaitPolicy.LifecycleStage = 40 }, "WaitPolicy.LifecycleStage has unknown value 40."},
		{"no request", func(r req) { r.Request = nil }, "Request is not set on request."},
		{"no meta", func(r req) { r.Request.Meta = nil }, "Request.Meta is not set on request."},
		{"no input", func(r req) { r.Request.Input = nil }, "Request.Input is not set on request."},
		{"no update name", func(r req) { r.Request.Input.Name = "" }, "Request.Input.Name is not set on request."},
		{"long update id", func(r req) { r.Request.Meta.UpdateId = tooLong }, "UpdateId length exceeds limit. Limit: 20."},
		{"oversize args", func(r req) { r.Request.Input.Args = bigPayloads() }, "Request.Input.Args size 206 bytes exceeds limit of 100 bytes."},
	})
}

func TestValidatePollWorkflowExecutionUpdate(t *testing.T) {
	type req = *workflowservice.PollWorkflowExecutionUpdateRequest
	runCases(t, func() req {
		return &workflowservice.PollWorkflowExecutionUpdateRequest{
			Namespace: "default",
			UpdateRef: &updatepb.UpdateRef{WorkflowExecution: exec("wf", testRunID), UpdateId: "u1"},
		}
	}, nil, validatePollWorkflowExecutionUpdate, []tcase[req]{
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"no update ref", func(r req) { r.UpdateRef = nil }, "UpdateRef is not set on request."},
		{"no execution", func(r req) { r.UpdateRef.WorkflowExecution = nil }, "UpdateRef.WorkflowExecution is not set on request."},
		{"no workflow id", func(r req) { r.UpdateRef.WorkflowExecution.WorkflowId = "" }, "WorkflowId is not set on request."},
		{"no update id", func(r req) { r.UpdateRef.UpdateId = "" }, "UpdateRef.UpdateId is not set on request."},
		{"unknown wait stage", func(r req) { r.WaitPolicy = &updatepb.WaitPolicy{LifecycleStage: 17} }, "WaitPolicy.LifecycleStage has unknown value 17."},
	})
}
