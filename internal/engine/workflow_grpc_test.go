package engine_test

import (
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sundialdev/sundial/internal/tasktoken"
)

// TestStartActivityCompleteThroughGRPC drives protocol §2.1's hello-world
// workflow with a scripted worker and checks the tasks it gets and the history.
func TestStartActivityCompleteThroughGRPC(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.start("hello", "tq")

	wft := e.pollWFT("tq")
	if wft.StartedEventId != 3 || wft.PreviousStartedEventId != 0 || wft.Attempt != 1 {
		t.Errorf("first task: started %d previous %d attempt %d, want 3, 0, 1", wft.StartedEventId, wft.PreviousStartedEventId, wft.Attempt)
	}
	if wft.GetWorkflowExecution().GetRunId() != runID || wft.GetWorkflowExecution().GetWorkflowId() != "hello" ||
		wft.GetWorkflowType().GetName() != "Greet" || wft.GetWorkflowExecutionTaskQueue().GetName() != "tq" {
		t.Errorf("first task identifies %v %v queue %v", wft.WorkflowExecution, wft.WorkflowType, wft.WorkflowExecutionTaskQueue)
	}
	wantTypes(t, wft.GetHistory().GetEvents(), enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED)
	checkContiguous(t, wft.History.Events, 1)
	if in := wft.History.Events[0].GetWorkflowExecutionStartedEventAttributes().GetInput(); payloadString(in) != "world" {
		t.Errorf("workflow input = %q", payloadString(in))
	}
	e.completeWFT(wft.TaskToken, scheduleActivityCmd("a1", "act-tq"))

	act := e.pollActivity("act-tq")
	if act.ActivityId != "a1" || act.GetActivityType().GetName() != "Charge" || payloadString(act.Input) != "order-7" || act.Attempt != 1 {
		t.Errorf("activity task: id %q type %q input %q attempt %d", act.ActivityId, act.GetActivityType().GetName(), payloadString(act.Input), act.Attempt)
	}
	if act.GetWorkflowExecution().GetRunId() != runID || act.WorkflowNamespace != ns || act.GetStartToCloseTimeout().AsDuration() != 30*time.Second {
		t.Errorf("activity task: execution %v namespace %q start-to-close %v", act.WorkflowExecution, act.WorkflowNamespace, act.GetStartToCloseTimeout().AsDuration())
	}
	if act.ScheduledTime == nil || act.StartedTime == nil || act.CurrentAttemptScheduledTime == nil || act.GetRetryPolicy().GetInitialInterval() == nil {
		t.Errorf("activity task misses times or retry policy: %v", act)
	}
	e.completeActivity(act.TaskToken, "charged")

	wft = e.pollWFT("tq")
	if wft.StartedEventId != 9 || wft.PreviousStartedEventId != 3 {
		t.Errorf("second task: started %d previous %d, want 9 and 3", wft.StartedEventId, wft.PreviousStartedEventId)
	}
	// Polled on the normal queue: full history, ending at the started event.
	checkContiguous(t, wft.History.Events, 1)
	if n := len(wft.History.Events); n != 9 {
		t.Fatalf("second task history has %d events, want 9: %s", n, types(wft.History.Events))
	}
	e.completeWFT(wft.TaskToken, completeWorkflowCmd("done"))

	h := e.history("hello", runID)
	wantTypes(t, h,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
	if a := h[6].GetActivityTaskCompletedEventAttributes(); a.ScheduledEventId != 5 || a.StartedEventId != 6 || payloadString(a.Result) != "charged" {
		t.Errorf("ActivityTaskCompleted = %v", a)
	}
	if a := h[10].GetWorkflowExecutionCompletedEventAttributes(); a.WorkflowTaskCompletedEventId != 10 || payloadString(a.Result) != "done" {
		t.Errorf("WorkflowExecutionCompleted = %v", a)
	}
	desc, err := e.c.DescribeWorkflowExecution(e.ctx(), &workflowservice.DescribeWorkflowExecutionRequest{
		Namespace: ns, Execution: &commonpb.WorkflowExecution{WorkflowId: "hello"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if info := desc.GetWorkflowExecutionInfo(); info.Status != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED || info.HistoryLength != 11 {
		t.Errorf("describe: status %v history length %d", info.Status, info.HistoryLength)
	}
}

// TestStartDeduplicationAndAlreadyStarted: a retried start with the same request
// id gets the same run; another start of a running id gets AlreadyExists with
// the running run's id in its detail (§2.1, §6).
func TestStartDeduplicationAndAlreadyStarted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.start("dup", "tq")

	again, err := e.c.StartWorkflowExecution(e.ctx(), e.startRequest("dup", "tq"))
	if err != nil {
		t.Fatalf("retried start: %v", err)
	}
	if again.RunId != runID {
		t.Errorf("retried start got run %q, want %q", again.RunId, runID)
	}

	other := e.startRequest("dup", "tq")
	other.RequestId = "someone-else"
	_, err = e.c.StartWorkflowExecution(e.ctx(), other)
	wantCode(t, "second start", err, codes.AlreadyExists)
	started, ok := asError[*serviceerror.WorkflowExecutionAlreadyStarted](serviceerror.FromStatus(status.Convert(err)))
	if !ok {
		t.Fatalf("second start error %v has no WorkflowExecutionAlreadyStartedFailure detail", err)
	}
	if started.RunId != runID {
		t.Errorf("AlreadyStarted detail run id %q, want %q", started.RunId, runID)
	}

	other.WorkflowIdConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
	existing, err := e.c.StartWorkflowExecution(e.ctx(), other)
	if err != nil {
		t.Fatalf("USE_EXISTING start: %v", err)
	}
	if existing.RunId != runID || existing.Started {
		t.Errorf("USE_EXISTING start = %v, want run %q not started", existing, runID)
	}
	// Only one workflow task exists.
	wft := e.pollWFT("tq")
	if wft.GetWorkflowExecution().GetRunId() != runID {
		t.Errorf("task for run %q", wft.GetWorkflowExecution().GetRunId())
	}
	e.pollWFTNone(wft.WorkflowExecutionTaskQueue)
}

// TestStaleAndGarbageTokens: an undecodable token is InvalidArgument; a token for
// a task that is no longer pending is NotFound (§3).
func TestStaleAndGarbageTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	garbage := []byte("not a token at all")
	_, err := e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{Namespace: ns, TaskToken: garbage})
	wantCode(t, "completing a workflow task with a garbage token", err, codes.InvalidArgument)
	_, err = e.c.RespondActivityTaskCompleted(e.ctx(), &workflowservice.RespondActivityTaskCompletedRequest{Namespace: ns, TaskToken: garbage})
	wantCode(t, "completing an activity with a garbage token", err, codes.InvalidArgument)
	_, err = e.c.RecordActivityTaskHeartbeat(e.ctx(), &workflowservice.RecordActivityTaskHeartbeatRequest{Namespace: ns, TaskToken: garbage})
	wantCode(t, "heartbeating with a garbage token", err, codes.InvalidArgument)

	runID := e.start("tokens", "tq")
	wft := e.pollWFT("tq")
	e.completeWFT(wft.TaskToken, scheduleActivityCmd("a1", "tq"))
	_, err = e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{Namespace: ns, TaskToken: wft.TaskToken})
	wantCode(t, "completing a workflow task twice", err, codes.NotFound)
	_, err = e.c.RespondWorkflowTaskFailed(e.ctx(), &workflowservice.RespondWorkflowTaskFailedRequest{Namespace: ns, TaskToken: wft.TaskToken})
	wantCode(t, "failing a completed workflow task", err, codes.NotFound)

	act := e.pollActivity("tq")
	// A workflow-task token where an activity token belongs is not a valid token.
	_, err = e.c.RespondActivityTaskCompleted(e.ctx(), &workflowservice.RespondActivityTaskCompletedRequest{Namespace: ns, TaskToken: wft.TaskToken})
	wantCode(t, "completing an activity with a workflow-task token", err, codes.InvalidArgument)
	// A well-formed token for an attempt that never ran is stale.
	tok, err := tasktoken.Decode(act.TaskToken)
	if err != nil {
		t.Fatal(err)
	}
	tok.Attempt = 7
	_, err = e.c.RespondActivityTaskCompleted(e.ctx(), &workflowservice.RespondActivityTaskCompletedRequest{Namespace: ns, TaskToken: tasktoken.Encode(tok)})
	wantCode(t, "completing another attempt", err, codes.NotFound)
	tok.Attempt, tok.RunID = act.Attempt, "00000000-0000-4000-8000-000000000000"
	_, err = e.c.RespondActivityTaskCompleted(e.ctx(), &workflowservice.RespondActivityTaskCompletedRequest{Namespace: ns, TaskToken: tasktoken.Encode(tok)})
	wantCode(t, "completing an activity of an unknown run", err, codes.NotFound)

	e.completeActivity(act.TaskToken, "ok")
	_, err = e.c.RespondActivityTaskCompleted(e.ctx(), &workflowservice.RespondActivityTaskCompletedRequest{Namespace: ns, TaskToken: act.TaskToken})
	wantCode(t, "completing an activity twice", err, codes.NotFound)
	_, err = e.c.RecordActivityTaskHeartbeat(e.ctx(), &workflowservice.RecordActivityTaskHeartbeatRequest{Namespace: ns, TaskToken: act.TaskToken})
	wantCode(t, "heartbeating a completed activity", err, codes.NotFound)

	// None of that touched history.
	wantTypes(t, e.history("tokens", runID)[4:],
		enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
}

// TestCompletionsAfterRunClosed: once a run is terminated, a worker's answers
// for its tasks get NotFound and change nothing (§2.7).
func TestCompletionsAfterRunClosed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.start("closed", "tq")
	wft := e.pollWFT("tq")
	e.completeWFT(wft.TaskToken, scheduleActivityCmd("a1", "tq"))
	act := e.pollActivity("tq")
	e.signal("closed", "wake")
	wft = e.pollWFT("tq")

	_, err := e.c.TerminateWorkflowExecution(e.ctx(), &workflowservice.TerminateWorkflowExecutionRequest{
		Namespace: ns, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: "closed"}, Reason: "enough", Identity: "admin",
	})
	if err != nil {
		t.Fatalf("TerminateWorkflowExecution: %v", err)
	}
	before := e.history("closed", runID)
	if last := before[len(before)-1]; last.EventType != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED ||
		last.GetWorkflowExecutionTerminatedEventAttributes().Reason != "enough" {
		t.Fatalf("history does not end with the termination: %s", types(before))
	}

	_, err = e.c.RespondActivityTaskCompleted(e.ctx(), &workflowservice.RespondActivityTaskCompletedRequest{Namespace: ns, TaskToken: act.TaskToken, Result: payloads("late")})
	wantCode(t, "completing an activity of a terminated run", err, codes.NotFound)
	_, err = e.c.RecordActivityTaskHeartbeat(e.ctx(), &workflowservice.RecordActivityTaskHeartbeatRequest{Namespace: ns, TaskToken: act.TaskToken})
	wantCode(t, "heartbeating an activity of a terminated run", err, codes.NotFound)
	_, err = e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{Namespace: ns, TaskToken: wft.TaskToken})
	wantCode(t, "completing a workflow task of a terminated run", err, codes.NotFound)
	_, err = e.c.SignalWorkflowExecution(e.ctx(), &workflowservice.SignalWorkflowExecutionRequest{
		Namespace: ns, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: "closed"}, SignalName: "late",
	})
	wantCode(t, "signaling a terminated run", err, codes.NotFound)
	if after := e.history("closed", runID); len(after) != len(before) {
		t.Errorf("late answers changed history: %s", types(after[len(before):]))
	}
}

// TestUnhandledCommandThroughGRPC: completing the workflow while a signal waits
// is answered InvalidArgument; history gets WorkflowTaskFailed
// (UNHANDLED_COMMAND), the signal and a new task (§2.2).
func TestUnhandledCommandThroughGRPC(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.start("unhandled", "tq")
	wft := e.pollWFT("tq")
	e.signal("unhandled", "late")
	_, err := e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: ns, TaskToken: wft.TaskToken, Commands: []*commandpb.Command{completeWorkflowCmd("early")},
	})
	wantCode(t, "completing past a buffered signal", err, codes.InvalidArgument)
	h := e.history("unhandled", runID)
	wantTypes(t, h[3:], enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	if c := h[3].GetWorkflowTaskFailedEventAttributes().Cause; c != enumspb.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND {
		t.Errorf("cause = %v", c)
	}
	wft = e.pollWFT("tq")
	e.completeWFT(wft.TaskToken, completeWorkflowCmd("done"))
}
