package engine_test

import (
	"strings"
	"testing"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestHardening13ErrorTexts: the common errors carry Temporal's exact texts (or
// start with them) and types, since SDKs, the CLI and test harnesses match on them.
func TestHardening13ErrorTexts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	want := func(what string, err error, code codes.Code, text string) {
		t.Helper()
		wantCode(t, what, err, code)
		got := status.Convert(err).Message()
		if prefix, ok := strings.CutSuffix(text, "*"); ok {
			if !strings.HasPrefix(got, prefix) {
				t.Errorf("%s: message %q, want it to start with %q", what, got, prefix)
			}
		} else if got != text {
			t.Errorf("%s: message %q, want %q", what, got, text)
		}
	}
	describe := func(namespace, id, runID string) error {
		_, err := e.c.DescribeWorkflowExecution(e.ctx(), &workflowservice.DescribeWorkflowExecutionRequest{
			Namespace: namespace, Execution: &commonpb.WorkflowExecution{WorkflowId: id, RunId: runID},
		})
		return err
	}

	want("malformed run id", describe(ns, "w", "not-a-uuid"), codes.InvalidArgument, "Invalid RunId.")
	want("unknown workflow", describe(ns, "nobody", ""), codes.NotFound, "workflow not found for ID: nobody")
	runID := e.start("texts", "tq")
	const otherRun = "0b7f3c4e-1d2a-4e5b-8c6d-7e8f9a0b1c2d"
	want("unknown run", describe(ns, "texts", otherRun), codes.NotFound,
		`workflow execution not found for workflow ID "texts" and run ID "`+otherRun+`"`)
	err := describe("no-such-namespace", "texts", "")
	if _, ok := serviceerror.FromStatus(status.Convert(err)).(*serviceerror.NamespaceNotFound); !ok {
		t.Errorf("unknown namespace: %v, want NamespaceNotFound", err)
	}
	want("unknown namespace", err, codes.NotFound, "Namespace no-such-namespace is not found.")

	_, err = e.c.StartWorkflowExecution(e.ctx(), func() *workflowservice.StartWorkflowExecutionRequest {
		r := e.startRequest("texts", "tq")
		r.RequestId = "another-request"
		return r
	}())
	want("second start", err, codes.AlreadyExists, "Workflow execution is already running. WorkflowId: texts, RunId: "+runID+".")
	started, ok := serviceerror.FromStatus(status.Convert(err)).(*serviceerror.WorkflowExecutionAlreadyStarted)
	if !ok || started.RunId != runID || started.StartRequestId != "req-texts" {
		t.Errorf("second start: %#v, want WorkflowExecutionAlreadyStarted with run id %s and start request id req-texts", started, runID)
	}

	// A completion refused because new events arrived answers exactly
	// "UnhandledCommand": the Rust-core SDKs then replay instead of failing.
	wft := e.pollWFT("tq")
	e.signal("texts", "during")
	_, err = e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: ns, TaskToken: wft.TaskToken, Commands: []*commandpb.Command{completeWorkflowCmd("done")},
	})
	want("completion racing a signal", err, codes.InvalidArgument, "UnhandledCommand")
	_, err = e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: ns, TaskToken: wft.TaskToken, Commands: []*commandpb.Command{completeWorkflowCmd("done")},
	})
	want("stale workflow task", err, codes.NotFound, "workflow task not found.")
	_, err = e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: ns, TaskToken: []byte("garbage"),
	})
	want("garbage token", err, codes.InvalidArgument, "Error deserializing task token.*")

	wft = e.pollWFT("tq")
	e.completeWFT(wft.TaskToken, completeWorkflowCmd("done"))
	_, err = e.c.SignalWorkflowExecution(e.ctx(), &workflowservice.SignalWorkflowExecutionRequest{
		Namespace: ns, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: "texts"}, SignalName: "late",
	})
	want("signal after completion", err, codes.NotFound, "workflow execution already completed")
	_, err = e.c.RegisterNamespace(e.ctx(), &workflowservice.RegisterNamespaceRequest{Namespace: ns})
	if _, ok := serviceerror.FromStatus(status.Convert(err)).(*serviceerror.NamespaceAlreadyExists); !ok {
		t.Errorf("registering %s again: %v, want NamespaceAlreadyExists", ns, err)
	}
	want("namespace exists", err, codes.AlreadyExists, "Namespace already exists.*")
}
