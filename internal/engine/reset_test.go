package engine_test

import (
	"testing"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
)

// resetTo resets the current run of id to the workflow task finished at
// finish.
func (e *env) resetTo(id string, finish int64, requestID string, edit ...func(*workflowservice.ResetWorkflowExecutionRequest)) (string, error) {
	e.t.Helper()
	req := &workflowservice.ResetWorkflowExecutionRequest{
		Namespace: ns, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id},
		Reason: "bad deploy", WorkflowTaskFinishEventId: finish, RequestId: requestID,
	}
	for _, f := range edit {
		f(req)
	}
	resp, err := e.c.ResetWorkflowExecution(e.ctx(), req)
	if err != nil {
		return "", err
	}
	return resp.RunId, nil
}

func (e *env) describe(id, runID string) *workflowservice.DescribeWorkflowExecutionResponse {
	e.t.Helper()
	resp, err := e.c.DescribeWorkflowExecution(e.ctx(), &workflowservice.DescribeWorkflowExecutionRequest{
		Namespace: ns, Execution: &commonpb.WorkflowExecution{WorkflowId: id, RunId: runID},
	})
	if err != nil {
		e.t.Fatalf("DescribeWorkflowExecution(%s, %s): %v", id, runID, err)
	}
	return resp
}

// runTwoActivities drives a run to: [5] a1 and [6] a2 (on queue reset-tq-2)
// scheduled by task 1
// (finished at [4]); a1 completed [7,8]; task 2 [9,10] completed at [11];
// then the signal "after" [12] and task 3 scheduled [13].
func runTwoActivities(e *env, id string) string {
	e.t.Helper()
	runID := e.start(id, "reset-tq")
	wt := e.pollWFT("reset-tq")
	e.completeWFT(wt.TaskToken, scheduleActivityCmd("a1", "reset-tq"), scheduleActivityCmd("a2", "reset-tq-2"))
	at := e.pollActivity("reset-tq")
	if at.ActivityId != "a1" {
		e.t.Fatalf("first activity task is %q, want a1", at.ActivityId)
	}
	e.completeActivity(at.TaskToken, "one")
	wt = e.pollWFT("reset-tq")
	e.completeWFT(wt.TaskToken)
	e.signal(id, "after")
	h := e.history(id, runID)
	wantTypes(e.t, h[10:], enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	return runID
}

func TestResetToFirstWorkflowTask(t *testing.T) {
	e := newEnv(t)
	baseRun := runTwoActivities(e, "reset-first")

	newRun, err := e.resetTo("reset-first", 4, "reset-1")
	if err != nil {
		t.Fatalf("ResetWorkflowExecution: %v", err)
	}
	if newRun == "" || newRun == baseRun {
		t.Fatalf("reset returned run %q (base %q)", newRun, baseRun)
	}

	base := e.history("reset-first", baseRun)
	last := base[len(base)-1]
	term := last.GetWorkflowExecutionTerminatedEventAttributes()
	if last.EventType != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED || term.Reason != "bad deploy" || term.Identity != "history-resetter" {
		t.Fatalf("base run ends with %s %v, want WorkflowExecutionTerminated by the resetter", last.EventType, term)
	}
	if st := e.describe("reset-first", "").WorkflowExecutionInfo; st.Execution.RunId != newRun || st.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("current run = %s (%v), want the reset run %s running", st.Execution.RunId, st.Status, newRun)
	}

	h := e.history("reset-first", newRun)
	wantTypes(t, h, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	f := h[3].GetWorkflowTaskFailedEventAttributes()
	if f.Cause != enumspb.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW || f.BaseRunId != baseRun || f.NewRunId != newRun || f.GetFailure().GetMessage() != "bad deploy" {
		t.Errorf("WorkflowTaskFailed = %v", f)
	}
	if name := h[4].GetWorkflowExecutionSignaledEventAttributes().SignalName; name != "after" {
		t.Errorf("reapplied signal = %q, want after", name)
	}

	// The worker replays the new run from the start and schedules a1 again.
	wt := e.pollWFT("reset-tq")
	if wt.WorkflowExecution.RunId != newRun || wt.StartedEventId != 7 || wt.PreviousStartedEventId != 0 {
		t.Fatalf("workflow task for run %s started %d previous %d, want the reset run's at 7 with no previous", wt.WorkflowExecution.RunId, wt.StartedEventId, wt.PreviousStartedEventId)
	}
	e.completeWFT(wt.TaskToken, scheduleActivityCmd("a1", "reset-tq"))
	at := e.pollActivity("reset-tq")
	if at.WorkflowExecution.RunId != newRun || at.ActivityId != "a1" || at.Attempt != 1 {
		t.Fatalf("activity task %s of run %s attempt %d, want a1 of the reset run at attempt 1", at.ActivityId, at.WorkflowExecution.RunId, at.Attempt)
	}

	// The same request again finds the run it created.
	again, err := e.resetTo("reset-first", 4, "reset-1")
	if err != nil || again != newRun {
		t.Fatalf("repeated reset = %q, %v; want %q", again, err, newRun)
	}
	if cur := e.describe("reset-first", "").WorkflowExecutionInfo.Execution.RunId; cur != newRun {
		t.Fatalf("after a repeated reset the current run is %s, want %s", cur, newRun)
	}
}

func TestResetKeepsPendingActivities(t *testing.T) {
	e := newEnv(t)
	baseRun := runTwoActivities(e, "reset-second")
	newRun, err := e.resetTo("reset-second", 11, "reset-2", func(r *workflowservice.ResetWorkflowExecutionRequest) {
		r.ResetReapplyExcludeTypes = []enumspb.ResetReapplyExcludeType{enumspb.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL}
	})
	if err != nil {
		t.Fatalf("ResetWorkflowExecution: %v", err)
	}
	h := e.history("reset-second", newRun)
	wantTypes(t, h[8:], enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)

	pending := e.describe("reset-second", newRun).PendingActivities
	if len(pending) != 1 || pending[0].ActivityId != "a2" || pending[0].Attempt != 1 {
		t.Fatalf("pending activities of the reset run = %v, want a2 at attempt 1", pending)
	}
	at := e.pollActivity("reset-tq-2")
	if at.WorkflowExecution.RunId != newRun || at.ActivityId != "a2" || at.Attempt != 1 {
		t.Fatalf("activity task %s (attempt %d) of run %s, want a2 of the reset run at attempt 1", at.ActivityId, at.Attempt, at.WorkflowExecution.RunId)
	}
	e.completeActivity(at.TaskToken, "two")
	wt := e.pollWFT("reset-tq")
	if wt.WorkflowExecution.RunId != newRun {
		t.Fatalf("workflow task is for run %s, want %s", wt.WorkflowExecution.RunId, newRun)
	}
	e.completeWFT(wt.TaskToken, completeWorkflowCmd("done"))
	if st := e.describe("reset-second", newRun).WorkflowExecutionInfo.Status; st != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Fatalf("reset run status = %v, want completed", st)
	}
	if st := e.describe("reset-second", baseRun).WorkflowExecutionInfo.Status; st != enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED {
		t.Fatalf("base run status = %v, want terminated", st)
	}
}

func TestResetClosedRun(t *testing.T) {
	e := newEnv(t)
	baseRun := e.start("reset-closed", "reset-tq")
	wt := e.pollWFT("reset-tq")
	e.completeWFT(wt.TaskToken, completeWorkflowCmd("v1"))
	baseLen := len(e.history("reset-closed", baseRun))

	newRun, err := e.resetTo("reset-closed", 3, "reset-3")
	if err != nil {
		t.Fatalf("ResetWorkflowExecution: %v", err)
	}
	if n := len(e.history("reset-closed", baseRun)); n != baseLen {
		t.Errorf("closed base run grew from %d to %d events", baseLen, n)
	}
	if st := e.describe("reset-closed", baseRun).WorkflowExecutionInfo.Status; st != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("base run status = %v, want completed", st)
	}
	// Event 3 is the task's WorkflowTaskStarted: the reset goes back to just
	// after the task was scheduled, starts it for itself and fails it.
	h := e.history("reset-closed", newRun)
	wantTypes(t, h, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	if id := h[2].GetWorkflowTaskStartedEventAttributes().Identity; id != "history-service" {
		t.Errorf("WorkflowTaskStarted identity = %q, want history-service", id)
	}
	wt = e.pollWFT("reset-tq")
	if wt.WorkflowExecution.RunId != newRun {
		t.Fatalf("workflow task is for run %s, want %s", wt.WorkflowExecution.RunId, newRun)
	}
	e.completeWFT(wt.TaskToken, completeWorkflowCmd("v2"))
	closeEv := e.history("reset-closed", newRun)
	if got := payloadString(closeEv[len(closeEv)-1].GetWorkflowExecutionCompletedEventAttributes().GetResult()); got != "v2" {
		t.Errorf("reset run result = %q, want v2", got)
	}
}

func TestResetRejectsBadEventIDs(t *testing.T) {
	e := newEnv(t)
	runTwoActivities(e, "reset-bad")
	for _, tc := range []struct {
		name   string
		finish int64
	}{
		{"zero", 0},
		{"first event", 1},
		{"past the end", 99},
		{"not a workflow task", 6},
	} {
		_, err := e.resetTo("reset-bad", tc.finish, "reset-bad-"+tc.name)
		wantCode(t, tc.name, err, codes.InvalidArgument)
	}
	_, err := e.c.ResetWorkflowExecution(e.ctx(), &workflowservice.ResetWorkflowExecutionRequest{
		Namespace: ns, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: "no-such-workflow"},
		WorkflowTaskFinishEventId: 4, RequestId: "r",
	})
	wantCode(t, "unknown workflow", err, codes.NotFound)
	if st := e.describe("reset-bad", "").WorkflowExecutionInfo.Status; st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("after refused resets the run is %v, want still running", st)
	}
}

// TestResetAdoptsPendingChild checks that a child the reset run still waits
// on keeps running and reports to the reset run, not the terminated one.
func TestResetAdoptsPendingChild(t *testing.T) {
	e := newEnv(t)
	parentRun := e.start("reset-parent", "reset-tq")
	wt := e.pollWFT("reset-tq")
	e.completeWFT(wt.TaskToken, &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_StartChildWorkflowExecutionCommandAttributes{StartChildWorkflowExecutionCommandAttributes: &commandpb.StartChildWorkflowExecutionCommandAttributes{
			WorkflowId: "reset-kid", WorkflowType: &commonpb.WorkflowType{Name: "Kid"},
		}},
	})
	// The child's first task and the parent's second (which sees the child
	// start) both complete without commands.
	for range 2 {
		wt = e.pollWFT("reset-tq")
		e.completeWFT(wt.TaskToken)
	}
	h := e.history("reset-parent", parentRun)
	var childRun string
	var wftDone int64
	for _, ev := range h {
		if ev.EventType == enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED {
			childRun = ev.GetChildWorkflowExecutionStartedEventAttributes().GetWorkflowExecution().GetRunId()
		}
		if ev.EventType == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && ev.EventId > 4 {
			wftDone = ev.EventId
		}
	}
	if childRun == "" || wftDone == 0 {
		t.Fatalf("parent history has no child start or second completed task: %s", types(h))
	}

	newRun, err := e.resetTo("reset-parent", wftDone, "reset-kid-1")
	if err != nil {
		t.Fatalf("ResetWorkflowExecution: %v", err)
	}
	if st := e.describe("reset-kid", "").WorkflowExecutionInfo.Status; st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("child status after the parent's reset = %v, want running (no parent close policy on reset)", st)
	}
	// The reset parent's new task and the child's (after a signal) arrive;
	// the child completes.
	e.signal("reset-kid", "finish")
	for done := false; !done; {
		wt = e.pollWFT("reset-tq")
		switch wt.WorkflowExecution.WorkflowId {
		case "reset-kid":
			e.completeWFT(wt.TaskToken, completeWorkflowCmd("kid-done"))
			done = true
		default:
			if wt.WorkflowExecution.RunId != newRun {
				t.Fatalf("workflow task for %s, want only the reset run's", wt.WorkflowExecution.RunId)
			}
			e.completeWFT(wt.TaskToken)
		}
	}
	wt = e.pollWFT("reset-tq")
	if wt.WorkflowExecution.RunId != newRun {
		t.Fatalf("next workflow task is for %s/%s, want the reset parent run", wt.WorkflowExecution.WorkflowId, wt.WorkflowExecution.RunId)
	}
	var done *historypb.ChildWorkflowExecutionCompletedEventAttributes
	for _, ev := range e.history("reset-parent", newRun) {
		if a := ev.GetChildWorkflowExecutionCompletedEventAttributes(); a != nil {
			done = a
		}
	}
	if done == nil || done.GetWorkflowExecution().GetRunId() != childRun || payloadString(done.Result) != "kid-done" {
		t.Fatalf("reset parent's child completion = %v, want the child's result", done)
	}
}

// TestResetFollowsContinueAsNew resets a run that continued as new: signals
// the continuing run received are reapplied, and that run, being current, is
// terminated.
func TestResetFollowsContinueAsNew(t *testing.T) {
	e := newEnv(t)
	firstRun := e.start("reset-can", "reset-tq")
	wt := e.pollWFT("reset-tq")
	e.completeWFT(wt.TaskToken, &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_ContinueAsNewWorkflowExecutionCommandAttributes{ContinueAsNewWorkflowExecutionCommandAttributes: &commandpb.ContinueAsNewWorkflowExecutionCommandAttributes{
			WorkflowType: &commonpb.WorkflowType{Name: "Greet"}, Input: payloads("again"),
		}},
	})
	secondRun := e.describe("reset-can", "").WorkflowExecutionInfo.Execution.RunId
	if secondRun == firstRun {
		t.Fatal("the run did not continue as new")
	}
	e.signal("reset-can", "later")

	newRun, err := e.resetTo("reset-can", 4, "reset-can-1", func(r *workflowservice.ResetWorkflowExecutionRequest) {
		r.WorkflowExecution.RunId = firstRun
	})
	if err != nil {
		t.Fatalf("ResetWorkflowExecution: %v", err)
	}
	h := e.history("reset-can", newRun)
	wantTypes(t, h, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	if f := h[3].GetWorkflowTaskFailedEventAttributes(); f.BaseRunId != firstRun || f.NewRunId != newRun {
		t.Errorf("WorkflowTaskFailed base/new = %s/%s, want %s/%s", f.BaseRunId, f.NewRunId, firstRun, newRun)
	}
	if st := e.describe("reset-can", secondRun).WorkflowExecutionInfo.Status; st != enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED {
		t.Errorf("continuing run status = %v, want terminated", st)
	}
	if st := e.describe("reset-can", firstRun).WorkflowExecutionInfo.Status; st != enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW {
		t.Errorf("base run status = %v, want still continued-as-new", st)
	}
	if cur := e.describe("reset-can", "").WorkflowExecutionInfo.Execution.RunId; cur != newRun {
		t.Errorf("current run = %s, want the reset run", cur)
	}
}
