package compat

import (
	"errors"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// policyFixture is a worker for greetOnSignal and a helper to start it under one id.
type policyFixture struct {
	t          *testing.T
	c          client.Client
	taskQueue  string
	workflowID string
}

func newPolicyFixture(t *testing.T) *policyFixture {
	_, c := setup(t)
	f := &policyFixture{t: t, c: c, taskQueue: uniqueName(t, "tq"), workflowID: uniqueName(t, "wf")}
	startWorker(t, c, f.taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(greetOnSignal, workflow.RegisterOptions{Name: "GreetOnSignal"})
	})
	return f
}

// start starts GreetOnSignal under the fixture's id, reporting AlreadyStarted as an
// error rather than attaching to the existing run.
func (f *policyFixture) start(reuse enumspb.WorkflowIdReusePolicy, conflict enumspb.WorkflowIdConflictPolicy) (client.WorkflowRun, error) {
	return f.c.ExecuteWorkflow(testContext(f.t, 10*time.Second), client.StartWorkflowOptions{
		ID:                                       f.workflowID,
		TaskQueue:                                f.taskQueue,
		WorkflowIDReusePolicy:                    reuse,
		WorkflowIDConflictPolicy:                 conflict,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, "GreetOnSignal")
}

func (f *policyFixture) mustStart(reuse enumspb.WorkflowIdReusePolicy, conflict enumspb.WorkflowIdConflictPolicy) client.WorkflowRun {
	f.t.Helper()
	run, err := f.start(reuse, conflict)
	if err != nil {
		f.t.Fatalf("starting %s (reuse %v, conflict %v): %v", f.workflowID, reuse, conflict, err)
	}
	return run
}

// finish lets a run complete and waits for it.
func (f *policyFixture) finish(run client.WorkflowRun) {
	f.t.Helper()
	waitForHistoryEvent(f.t, f.c, run.GetID(), run.GetRunID(), evTaskCompleted)
	if err := f.c.SignalWorkflow(testContext(f.t, 10*time.Second), run.GetID(), run.GetRunID(), "name", "policy"); err != nil {
		f.t.Fatalf("signalling %s: %v", run.GetID(), err)
	}
	if _, err := getResult(f.t, run); err != nil {
		f.t.Fatalf("waiting for %s: %v", run.GetID(), err)
	}
}

func requireAlreadyStarted(t *testing.T, err error, what string) {
	t.Helper()
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if !errors.As(err, &already) {
		t.Errorf("%s: error = %v, want WorkflowExecutionAlreadyStarted", what, err)
	}
}

func TestStartConflictPolicies(t *testing.T) {
	t.Parallel()
	f := newPolicyFixture(t)
	first := f.mustStart(enumspb.WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED, enumspb.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED)
	// Wait for the first task to finish so the termination below finds no task in
	// flight and the old run's history has one shape.
	waitForHistoryEvent(t, f.c, first.GetID(), first.GetRunID(), evTaskCompleted)

	_, err := f.start(enumspb.WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED, enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
	requireAlreadyStarted(t, err, "conflict policy FAIL with a running workflow")

	// By default the SDK swallows AlreadyStarted and attaches to the running run,
	// which needs the run id in the error's details.
	attached, err := f.c.ExecuteWorkflow(testContext(t, 10*time.Second),
		client.StartWorkflowOptions{ID: f.workflowID, TaskQueue: f.taskQueue}, "GreetOnSignal")
	if err != nil || attached.GetRunID() != first.GetRunID() {
		t.Errorf("default start of a running id = run %v, %v; want the running run %s", runIDOf(attached), err, first.GetRunID())
	}

	existing := f.mustStart(enumspb.WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED, enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
	if existing.GetRunID() != first.GetRunID() {
		t.Errorf("USE_EXISTING returned run %s, want the running run %s", existing.GetRunID(), first.GetRunID())
	}

	replacement := f.mustStart(enumspb.WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED, enumspb.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING)
	if replacement.GetRunID() == first.GetRunID() {
		t.Fatalf("TERMINATE_EXISTING returned the old run %s, want a new one", first.GetRunID())
	}
	requireHistory(t, f.c, f.workflowID, first.GetRunID(), concat(startAndFirstTask, ev(evWorkflowTerminated)))
	f.finish(replacement)
}

func TestStartReusePolicies(t *testing.T) {
	t.Parallel()
	f := newPolicyFixture(t)
	first := f.mustStart(enumspb.WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED, enumspb.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED)
	f.finish(first)

	_, err := f.start(enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE, enumspb.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED)
	requireAlreadyStarted(t, err, "REJECT_DUPLICATE after a completed run")
	_, err = f.start(enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY, enumspb.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED)
	requireAlreadyStarted(t, err, "ALLOW_DUPLICATE_FAILED_ONLY after a completed run")

	second := f.mustStart(enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE, enumspb.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED)
	if second.GetRunID() == first.GetRunID() {
		t.Fatalf("ALLOW_DUPLICATE reused run %s", first.GetRunID())
	}
	if err := f.c.TerminateWorkflow(testContext(t, 10*time.Second), f.workflowID, second.GetRunID(), "make it unsuccessful"); err != nil {
		t.Fatalf("terminating the second run: %v", err)
	}
	third := f.mustStart(enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY, enumspb.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED)
	if third.GetRunID() == second.GetRunID() {
		t.Fatalf("ALLOW_DUPLICATE_FAILED_ONLY after a terminated run reused run %s", second.GetRunID())
	}
	f.finish(third)
	// An empty run id means the latest run.
	requireHistory(t, f.c, f.workflowID, "", concat(startAndFirstTask, ev(evWorkflowSignaled), workflowTask, ev(evWorkflowCompleted)))
	requireHistory(t, f.c, f.workflowID, first.GetRunID(), concat(startAndFirstTask, ev(evWorkflowSignaled), workflowTask, ev(evWorkflowCompleted)))
}

func runIDOf(run client.WorkflowRun) string {
	if run == nil {
		return "<none>"
	}
	return run.GetRunID()
}

func TestStartRequestIDDeduplication(t *testing.T) {
	t.Parallel()
	tg, c := setup(t)
	ctx := testContext(t, 20*time.Second)
	request := func(requestID string) *workflowservice.StartWorkflowExecutionRequest {
		return &workflowservice.StartWorkflowExecutionRequest{
			Namespace:    tg.Namespace,
			WorkflowId:   "dedup-" + uniqueName(t, "wf"),
			WorkflowType: &commonpb.WorkflowType{Name: "NobodyRunsThis"},
			TaskQueue:    &taskqueuepb.TaskQueue{Name: uniqueName(t, "tq")},
			RequestId:    requestID,
			Identity:     "compat-test",
		}
	}
	first := request("request-1")
	resp1, err := c.WorkflowService().StartWorkflowExecution(ctx, first)
	if err != nil {
		t.Fatalf("first start: %v", err)
	}
	if !resp1.GetStarted() || resp1.GetRunId() == "" {
		t.Fatalf("first start response = %v, want started with a run id", resp1)
	}
	resp2, err := c.WorkflowService().StartWorkflowExecution(ctx, first)
	if err != nil {
		t.Fatalf("retried start with the same request id: %v", err)
	}
	if resp2.GetRunId() != resp1.GetRunId() {
		t.Errorf("retried start returned run %s, want the original run %s", resp2.GetRunId(), resp1.GetRunId())
	}
	other := request("request-2")
	other.WorkflowId = first.WorkflowId
	_, err = c.WorkflowService().StartWorkflowExecution(ctx, other)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if !errors.As(err, &already) {
		t.Fatalf("start with a new request id: error = %v, want WorkflowExecutionAlreadyStarted", err)
	}
	if already.RunId != resp1.GetRunId() || already.StartRequestId != "request-1" {
		t.Errorf("AlreadyStarted details = run %q request %q, want run %q request request-1", already.RunId, already.StartRequestId, resp1.GetRunId())
	}
	requireHistory(t, c, first.WorkflowId, resp1.GetRunId(), ev(evWorkflowStarted, evTaskScheduled))
	if err := c.TerminateWorkflow(ctx, first.WorkflowId, resp1.GetRunId(), "test over"); err != nil {
		t.Errorf("terminating: %v", err)
	}
}
