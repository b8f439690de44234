package machine_test

import (
	"errors"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// resetBase runs: start [1,2], task 1 [3,4] scheduling a1 [5] and a2 [6] and
// starting child "kid" [7]; a1 completes [8,9] and task 2 [10] is scheduled;
// child starts [11]; signal "late" [12]; task 2 starts [13] and completes [14]
// with timer t1 [15]; the child completes [16], task 3 [17].
func resetBase(t *testing.T) *run {
	t.Helper()
	p := defaultStart()
	p.RunTimeout = time.Hour
	r := startRun(t, p)
	r.startWFT(at(time.Second))
	a2 := activityAttrs(time.Minute, nil)
	a2.ActivityId = "a2"
	r.complete(at(2*time.Second), machine.CompletionOptions{Identity: "wf-worker"},
		scheduleActivity(activityAttrs(time.Minute, nil)), scheduleActivity(a2), startChild("kid"))
	act := r.startActivity(at(3*time.Second), 5)
	r.do(at(4*time.Second), func(tx *machine.Tx) { tx.CompleteActivity(act, payloads("one"), "act-worker") })
	r.do(at(5*time.Second), func(tx *machine.Tx) {
		if err := tx.ChildStarted(7, "kid-run", nil); err != nil {
			t.Fatal(err)
		}
		tx.SignalRun(&machine.Signal{Name: "late", Input: payloads("x"), RequestID: "sig-late"})
	})
	r.startWFT(at(6 * time.Second))
	r.complete(at(7*time.Second), machine.CompletionOptions{Identity: "wf-worker"}, startTimer("t1", time.Minute))
	r.do(at(8*time.Second), func(tx *machine.Tx) {
		if err := tx.ChildClosed(7, "kid-run", &historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
			Attributes: &historypb.HistoryEvent_WorkflowExecutionCompletedEventAttributes{WorkflowExecutionCompletedEventAttributes: &historypb.WorkflowExecutionCompletedEventAttributes{}}}); err != nil {
			t.Fatal(err)
		}
	})
	wantTypes(t, r.history[10:12], enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
	wantTypes(t, r.history[15:], enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	return r
}

func resetParams(r *run, finish int64) machine.ResetParams {
	return machine.ResetParams{
		Base: r.s, NewRunID: "run-2", RequestID: "reset-req", Reason: "bad deploy",
		Reapply: r.history[finish-1:],
	}
}

// TestResetToFirstTask goes back to the first workflow task: everything after
// it is dropped except the signal and the child's outcome.
func TestResetToFirstTask(t *testing.T) {
	r := resetBase(t)
	now := at(time.Hour / 2)
	tx, err := machine.ResetRun(r.history[:3], resetParams(r, 4), now)
	if err != nil {
		t.Fatalf("ResetRun: %v", err)
	}
	wantTypes(t, tx.Events,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	for i := range 3 {
		if tx.Events[i] == r.history[i] || tx.Events[i].EventId != r.history[i].EventId || !tx.Events[i].EventTime.AsTime().Equal(r.history[i].EventTime.AsTime()) {
			t.Errorf("event %d is not a copy of the base's", i+1)
		}
	}
	failed := tx.Events[3].GetWorkflowTaskFailedEventAttributes()
	if failed.Cause != enumspb.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW || failed.BaseRunId != "run-1" || failed.NewRunId != "run-2" ||
		failed.ScheduledEventId != 2 || failed.StartedEventId != 3 || failed.GetFailure().GetMessage() != "bad deploy" ||
		failed.GetFailure().GetResetWorkflowFailureInfo() == nil {
		t.Errorf("WorkflowTaskFailed = %v", failed)
	}
	if !tx.Events[3].EventTime.AsTime().Equal(now) {
		t.Errorf("WorkflowTaskFailed time = %v, want the reset's", tx.Events[3].EventTime.AsTime())
	}
	sig := tx.Events[4].GetWorkflowExecutionSignaledEventAttributes()
	if sig.SignalName != "late" || payloadString(sig.Input) != "x" {
		t.Errorf("reapplied signal = %v", sig)
	}
	sched := tx.Events[5].GetWorkflowTaskScheduledEventAttributes()
	if sched.Attempt != 1 || sched.GetTaskQueue().GetKind() != enumspb.TASK_QUEUE_KIND_NORMAL {
		t.Errorf("new WorkflowTaskScheduled = %v", sched)
	}
	s := tx.S
	if s.RunID != "run-2" || s.StartRequest != "reset-req" || s.NextEventID != 7 || !s.Open() {
		t.Errorf("new run: id %q, request %q, next event %d, status %v", s.RunID, s.StartRequest, s.NextEventID, s.Status)
	}
	if len(s.Activities) != 0 || len(s.Timers) != 0 || len(s.Children) != 0 {
		t.Errorf("new run has work from after the reset point: %d activities, %d timers, %d children", len(s.Activities), len(s.Timers), len(s.Children))
	}
	if wt := s.WorkflowTask; wt == nil || wt.ScheduledEventID != 6 || wt.StartedEventID != 0 {
		t.Errorf("pending workflow task = %+v, want the one scheduled at 6", wt)
	}
	if !s.RunDeadline.Equal(now.Add(time.Hour)) {
		t.Errorf("RunDeadline = %v, want an hour after the reset", fmtTime(s.RunDeadline))
	}
	if len(s.SignalRequestIDs) != 1 || s.SignalRequestIDs[0] != "sig-late" {
		t.Errorf("SignalRequestIDs = %v, want the reapplied signal's", s.SignalRequestIDs)
	}
}

// TestResetKeepsPendingWork goes back to the second task: a2 (scheduled) and
// the started child are pending; the child's completion is reapplied.
func TestResetKeepsPendingWork(t *testing.T) {
	r := resetBase(t)
	now := at(time.Hour / 2)
	tx, err := machine.ResetRun(r.history[:13], resetParams(r, 14), now)
	if err != nil {
		t.Fatalf("ResetRun: %v", err)
	}
	wantTypes(t, tx.Events[13:], enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED, enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	done := tx.Events[14].GetChildWorkflowExecutionCompletedEventAttributes()
	if done.InitiatedEventId != 7 || done.StartedEventId != 11 || done.GetWorkflowExecution().GetRunId() != "kid-run" {
		t.Errorf("reapplied child completion = %v", done)
	}
	s := tx.S
	if len(s.Activities) != 1 {
		t.Fatalf("pending activities = %d, want a2 only", len(s.Activities))
	}
	a := s.Activities[6]
	if a == nil || a.ActivityID != "a2" || a.Attempt != 1 || a.State != machine.ActivityScheduled || !a.ScheduledTime.Equal(now) {
		t.Errorf("a2 after reset = %+v, want scheduled again at attempt 1 at the reset time", a)
	}
	if len(s.Children) != 0 {
		t.Errorf("children = %v, want the completed child gone", s.Children)
	}
}

// TestResetToUnstartedTask resets to a task that was scheduled but never
// started: the reset starts it, then fails it. Later signals are excluded.
func TestResetToUnstartedTask(t *testing.T) {
	r := resetBase(t)
	p := resetParams(r, 13)
	p.ExcludeSignals = true
	tx, err := machine.ResetRun(r.history[:12], p, at(time.Hour/2))
	if err != nil {
		t.Fatalf("ResetRun: %v", err)
	}
	// The signal at 12 is before the reset point; excluding signals only drops
	// later ones. The child's outcome is reapplied regardless.
	wantTypes(t, tx.Events[12:], enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	if id := tx.Events[12].GetWorkflowTaskStartedEventAttributes().Identity; id != "history-service" {
		t.Errorf("WorkflowTaskStarted identity = %q", id)
	}
	if f := tx.Events[13].GetWorkflowTaskFailedEventAttributes(); f.ScheduledEventId != 10 || f.StartedEventId != 13 {
		t.Errorf("WorkflowTaskFailed names %d/%d, want 10/13", f.ScheduledEventId, f.StartedEventId)
	}
}

// TestResetNeedsAWorkflowTask rejects a reset point with no workflow task
// pending.
func TestResetNeedsAWorkflowTask(t *testing.T) {
	r := resetBase(t)
	_, err := machine.ResetRun(r.history[:4], resetParams(r, 5), at(time.Hour/2))
	var reqErr *machine.RequestError
	if !errors.As(err, &reqErr) {
		t.Fatalf("ResetRun to an activity event: err = %v, want a *machine.RequestError", err)
	}
}

// TestResetExcludingSignals drops the signals that came after the reset point.
func TestResetExcludingSignals(t *testing.T) {
	r := resetBase(t)
	p := resetParams(r, 4)
	p.ExcludeSignals = true
	tx, err := machine.ResetRun(r.history[:3], p, at(time.Hour/2))
	if err != nil {
		t.Fatalf("ResetRun: %v", err)
	}
	wantTypes(t, tx.Events[3:], enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
}

// TestResetKeepsPendingTimer keeps a timer started before the reset point, with
// its original fire time.
func TestResetKeepsPendingTimer(t *testing.T) {
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	r.complete(at(2*time.Second), machine.CompletionOptions{Identity: "wf-worker"}, startTimer("t1", time.Minute))
	r.do(at(10*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "poke"}) })
	r.startWFT(at(11 * time.Second))
	wantTypes(t, r.history[4:], enumspb.EVENT_TYPE_TIMER_STARTED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED)

	now := at(20 * time.Second)
	tx, err := machine.ResetRun(r.history, resetParams(r, 9), now)
	if err != nil {
		t.Fatalf("ResetRun: %v", err)
	}
	timer := tx.S.Timers["t1"]
	if timer == nil || timer.StartedEventID != 5 || !timer.FireTime.Equal(at(2*time.Second+time.Minute)) {
		t.Fatalf("timer after reset = %+v, want t1 started at 5 firing at t0+1m2s", timer)
	}
	if got := tx.S.NextDeadline(); !got.Equal(timer.FireTime) {
		t.Errorf("NextDeadline = %v, want the timer's fire time", fmtTime(got))
	}
	if wt := tx.S.WorkflowTask; wt == nil || wt.ScheduledEventID != 10 {
		t.Errorf("pending workflow task = %+v, want the one scheduled at 10", wt)
	}
}
