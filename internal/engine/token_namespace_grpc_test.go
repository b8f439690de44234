package engine_test

import (
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// TestHardening04TokenNamespace: every token-carrying RPC refuses a token issued in
// another namespace (InvalidArgument, Temporal's text) or an unknown request
// namespace (NamespaceNotFound), and the task is untouched by the refused calls.
func TestHardening04TokenNamespace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const other = "other-namespace"
	if _, err := e.c.RegisterNamespace(e.ctx(), &workflowservice.RegisterNamespaceRequest{
		Namespace: other, WorkflowExecutionRetentionPeriod: durationpb.New(24 * 3600e9),
	}); err != nil {
		t.Fatal(err)
	}
	e.start("token-ns", "tq")
	wft := e.pollWFT("tq")

	wantMismatch := func(what string, err error) {
		t.Helper()
		wantCode(t, what, err, codes.InvalidArgument)
		if got := status.Convert(err).Message(); got != "Operation requested with a token from a different namespace." {
			t.Fatalf("%s: message %q", what, got)
		}
	}
	wantNoNamespace := func(what string, err error) {
		t.Helper()
		if _, ok := serviceerror.FromStatus(status.Convert(err)).(*serviceerror.NamespaceNotFound); !ok {
			t.Fatalf("%s: %v, want NamespaceNotFound", what, err)
		}
	}
	for _, namespace := range []string{other, "no-such-namespace"} {
		check := wantMismatch
		if namespace == "no-such-namespace" {
			check = wantNoNamespace
		}
		_, err := e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{
			Namespace: namespace, TaskToken: wft.TaskToken, Commands: nil,
		})
		check("RespondWorkflowTaskCompleted", err)
		_, err = e.c.RespondWorkflowTaskFailed(e.ctx(), &workflowservice.RespondWorkflowTaskFailedRequest{
			Namespace: namespace, TaskToken: wft.TaskToken,
		})
		check("RespondWorkflowTaskFailed", err)
	}
	e.completeWFT(wft.TaskToken, scheduleActivityCmd("a1", "tq"))
	act := e.pollActivity("tq")
	for _, namespace := range []string{other, "no-such-namespace"} {
		check := wantMismatch
		if namespace == "no-such-namespace" {
			check = wantNoNamespace
		}
		_, err := e.c.RecordActivityTaskHeartbeat(e.ctx(), &workflowservice.RecordActivityTaskHeartbeatRequest{Namespace: namespace, TaskToken: act.TaskToken})
		check("RecordActivityTaskHeartbeat", err)
		_, err = e.c.RespondActivityTaskCompleted(e.ctx(), &workflowservice.RespondActivityTaskCompletedRequest{Namespace: namespace, TaskToken: act.TaskToken})
		check("RespondActivityTaskCompleted", err)
		_, err = e.c.RespondActivityTaskFailed(e.ctx(), &workflowservice.RespondActivityTaskFailedRequest{Namespace: namespace, TaskToken: act.TaskToken})
		check("RespondActivityTaskFailed", err)
		_, err = e.c.RespondActivityTaskCanceled(e.ctx(), &workflowservice.RespondActivityTaskCanceledRequest{Namespace: namespace, TaskToken: act.TaskToken})
		check("RespondActivityTaskCanceled", err)
	}
	// The refused calls changed nothing: the activity is still open and completes.
	e.completeActivity(act.TaskToken, "ok")
}
