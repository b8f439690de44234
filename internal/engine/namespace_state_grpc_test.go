package engine_test

import (
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// TestNamespaceLifecycleStates: a deprecated namespace serves its runs but
// starts no workflow; a deleted one serves nothing but Describe; the state
// moves only forward; each refusal carries Temporal's code and text.
func TestNamespaceLifecycleStates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const name = "lifecycle"
	if _, err := e.c.RegisterNamespace(e.ctx(), &workflowservice.RegisterNamespaceRequest{
		Namespace: name, WorkflowExecutionRetentionPeriod: durationpb.New(24 * 3600e9),
	}); err != nil {
		t.Fatal(err)
	}
	start := func(id string) error {
		req := e.startRequest(id, "tq")
		req.Namespace = name
		_, err := e.c.StartWorkflowExecution(e.ctx(), req)
		return err
	}
	if err := start("before"); err != nil {
		t.Fatal(err)
	}
	wantInvalidState := func(what string, err error, want string) {
		t.Helper()
		if _, ok := serviceerror.FromStatus(status.Convert(err)).(*serviceerror.NamespaceInvalidState); !ok {
			t.Fatalf("%s: %v, want NamespaceInvalidState", what, err)
		}
		if got := status.Convert(err).Message(); got != want {
			t.Fatalf("%s: message %q, want %q", what, got, want)
		}
	}

	if _, err := e.c.DeprecateNamespace(e.ctx(), &workflowservice.DeprecateNamespaceRequest{Namespace: name}); err != nil {
		t.Fatalf("DeprecateNamespace: %v", err)
	}
	desc, err := e.c.DescribeNamespace(e.ctx(), &workflowservice.DescribeNamespaceRequest{Namespace: name})
	if err != nil || desc.GetNamespaceInfo().GetState() != enumspb.NAMESPACE_STATE_DEPRECATED {
		t.Fatalf("Describe after deprecation: %v, %v", desc.GetNamespaceInfo().GetState(), err)
	}
	wantInvalidState("Start in a deprecated namespace", start("after"), "Namespace has invalid state: Deprecated. Must be Registered.")
	_, err = e.c.SignalWithStartWorkflowExecution(e.ctx(), &workflowservice.SignalWithStartWorkflowExecutionRequest{
		Namespace: name, WorkflowId: "before", WorkflowType: &commonpb.WorkflowType{Name: "Greet"},
		TaskQueue: e.startRequest("x", "tq").TaskQueue, SignalName: "s", RequestId: "sws",
	})
	wantInvalidState("SignalWithStart in a deprecated namespace", err, "Namespace has invalid state: Deprecated. Must be Registered.")
	if _, err := e.c.SignalWorkflowExecution(e.ctx(), &workflowservice.SignalWorkflowExecutionRequest{
		Namespace: name, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: "before"}, SignalName: "s", RequestId: "sig-1",
	}); err != nil {
		t.Fatalf("a deprecated namespace still takes signals: %v", err)
	}

	_, err = e.c.UpdateNamespace(e.ctx(), &workflowservice.UpdateNamespaceRequest{
		Namespace: name, UpdateInfo: &namespacepb.UpdateNamespaceInfo{State: enumspb.NAMESPACE_STATE_REGISTERED},
	})
	wantCode(t, "Deprecated back to Registered", err, codes.InvalidArgument)
	if got := status.Convert(err).Message(); got != "Invalid namespace state update." {
		t.Fatalf("Deprecated back to Registered: message %q", got)
	}

	if _, err := e.c.UpdateNamespace(e.ctx(), &workflowservice.UpdateNamespaceRequest{
		Namespace: name, UpdateInfo: &namespacepb.UpdateNamespaceInfo{State: enumspb.NAMESPACE_STATE_DELETED},
	}); err != nil {
		t.Fatalf("Deprecated to Deleted: %v", err)
	}
	_, err = e.c.SignalWorkflowExecution(e.ctx(), &workflowservice.SignalWorkflowExecutionRequest{
		Namespace: name, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: "before"}, SignalName: "s", RequestId: "sig-2",
	})
	wantInvalidState("Signal in a deleted namespace", err, "Namespace has invalid state: Deleted. Must be Registered or Deprecated.")
	_, err = e.c.UpdateNamespace(e.ctx(), &workflowservice.UpdateNamespaceRequest{
		Namespace: name, UpdateInfo: &namespacepb.UpdateNamespaceInfo{State: enumspb.NAMESPACE_STATE_REGISTERED},
	})
	wantInvalidState("Update of a deleted namespace", err, "Namespace has invalid state: Deleted. Must be Registered or Deprecated.")
	if _, err := e.c.DescribeNamespace(e.ctx(), &workflowservice.DescribeNamespaceRequest{Namespace: name}); err != nil {
		t.Fatalf("Describe of a deleted namespace: %v", err)
	}

	// The default namespace is untouched by all this.
	if _, err := e.c.StartWorkflowExecution(e.ctx(), e.startRequest("other-ns", "tq")); err != nil {
		t.Fatalf("start in another namespace: %v", err)
	}
}

// TestDisabledFeatureAnswers: RPCs of features Sundial does not have answer
// with Temporal's code and text for the feature turned off.
func TestDisabledFeatureAnswers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	check := func(what string, err error, code codes.Code, text string) {
		t.Helper()
		wantCode(t, what, err, code)
		if got := status.Convert(err).Message(); got != text {
			t.Fatalf("%s: message %q, want %q", what, got, text)
		}
	}
	_, err := e.c.ListArchivedWorkflowExecutions(e.ctx(), &workflowservice.ListArchivedWorkflowExecutionsRequest{Namespace: ns, Query: "WorkflowId = 'x'"})
	check("ListArchivedWorkflowExecutions", err, codes.InvalidArgument, "Cluster is not configured for visibility archival.")
	_, err = e.c.ListArchivedWorkflowExecutions(e.ctx(), &workflowservice.ListArchivedWorkflowExecutionsRequest{Namespace: ns, PageSize: 10001})
	check("ListArchivedWorkflowExecutions page", err, codes.InvalidArgument, "PageSize is larger than allowed 10000.")
	_, err = e.c.CreateWorkflowRule(e.ctx(), &workflowservice.CreateWorkflowRuleRequest{Namespace: ns})
	check("CreateWorkflowRule", err, codes.Unimplemented, "method CreateWorkflowRule not supported")
	_, err = e.c.ListWorkflowRules(e.ctx(), &workflowservice.ListWorkflowRulesRequest{Namespace: ns})
	check("ListWorkflowRules", err, codes.Unimplemented, "method ListWorkflowRules not supported")
	_, err = e.c.FetchWorkerConfig(e.ctx(), &workflowservice.FetchWorkerConfigRequest{Namespace: ns})
	check("FetchWorkerConfig", err, codes.Unimplemented, "FetchWorkerConfig command is not enabled.")
	_, err = e.c.PollWorkflowExecutionTimeSkipping(e.ctx(), &workflowservice.PollWorkflowExecutionTimeSkippingRequest{Namespace: ns})
	check("PollWorkflowExecutionTimeSkipping without execution", err, codes.InvalidArgument, "WorkflowExecution is not set on request.")
	_, err = e.c.PollWorkflowExecutionTimeSkipping(e.ctx(), &workflowservice.PollWorkflowExecutionTimeSkippingRequest{
		Namespace: ns, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: "w"},
	})
	check("PollWorkflowExecutionTimeSkipping", err, codes.Unimplemented, "The Time-Skipping feature is not enabled for namespace.")
}
