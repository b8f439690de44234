package machine_test

import (
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// TestHelloWorldActivityHistory walks the canonical "workflow calls one
// activity" table of protocol reference §2.1 and checks every event id and the
// reference fields that tie events together.
func TestHelloWorldActivityHistory(t *testing.T) {
	r := startRun(t, defaultStart())
	wantTypes(t, r.history, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	started := r.history[0].GetWorkflowExecutionStartedEventAttributes()
	if started.GetTaskQueue().GetName() != "tq" || started.GetWorkflowType().GetName() != "Greet" || started.Attempt != 1 {
		t.Errorf("WorkflowExecutionStarted = %v", started)
	}
	if started.OriginalExecutionRunId != "run-1" || started.FirstExecutionRunId != "run-1" {
		t.Errorf("original/first run id = %q/%q, want run-1", started.OriginalExecutionRunId, started.FirstExecutionRunId)
	}
	wantDuration(t, "workflow_task_timeout (defaulted)", started.WorkflowTaskTimeout, machine.DefaultWorkflowTaskTimeout)
	sched := r.history[1].GetWorkflowTaskScheduledEventAttributes()
	if sched.Attempt != 1 || sched.GetTaskQueue().GetName() != "tq" || sched.GetTaskQueue().GetKind() != enumspb.TASK_QUEUE_KIND_NORMAL {
		t.Errorf("WorkflowTaskScheduled = %v", sched)
	}
	wantDuration(t, "WorkflowTaskScheduled.start_to_close_timeout", sched.StartToCloseTimeout, machine.DefaultWorkflowTaskTimeout)
	r.wantNextDeadline(time.Time{})

	// [3] WorkflowTaskStarted
	ev := r.startWFT(at(time.Second))
	wantInt(t, "[3] id", ev.EventId, 3)
	wantInt(t, "[3] scheduled_event_id", ev.GetWorkflowTaskStartedEventAttributes().ScheduledEventId, 2)
	if a := ev.GetWorkflowTaskStartedEventAttributes(); a.Identity != "wf-worker" || a.RequestId != "poll-req" || a.HistorySizeBytes <= 0 {
		t.Errorf("WorkflowTaskStarted = %v", a)
	}
	wantInt(t, "previous started id before any completion", r.s.LastCompletedStartedID, 0)
	r.wantNextDeadline(at(time.Second + machine.DefaultWorkflowTaskTimeout))

	// [4] WorkflowTaskCompleted, [5] ActivityTaskScheduled
	evs := r.complete(at(2*time.Second), machine.CompletionOptions{Identity: "wf-worker", BinaryChecksum: "bin"},
		scheduleActivity(activityAttrs(10*time.Second, nil)))
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
	wtc := evs[0].GetWorkflowTaskCompletedEventAttributes()
	wantInt(t, "[4] scheduled_event_id", wtc.ScheduledEventId, 2)
	wantInt(t, "[4] started_event_id", wtc.StartedEventId, 3)
	if wtc.Identity != "wf-worker" || wtc.BinaryChecksum != "bin" {
		t.Errorf("WorkflowTaskCompleted identity/checksum = %q/%q", wtc.Identity, wtc.BinaryChecksum)
	}
	ats := evs[1].GetActivityTaskScheduledEventAttributes()
	wantInt(t, "[5] workflow_task_completed_event_id", ats.WorkflowTaskCompletedEventId, 4)
	if ats.ActivityId != "a1" || ats.GetActivityType().GetName() != "Charge" || payloadString(ats.Input) != "order-7" {
		t.Errorf("ActivityTaskScheduled = %v", ats)
	}
	if ats.GetTaskQueue().GetName() != "tq" {
		t.Errorf("activity task queue = %q, want the workflow's (tq)", ats.GetTaskQueue().GetName())
	}
	wantInt(t, "previous started id after first completion", r.s.LastCompletedStartedID, 3)
	if r.s.WorkflowTask != nil {
		t.Fatalf("a workflow task is pending after scheduling an activity: %+v", r.s.WorkflowTask)
	}
	// Schedule-to-start defaults to the run timeout: none; only start-to-close
	// matters once started.
	r.wantNextDeadline(time.Time{})

	// The worker takes the activity: no event.
	act := r.startActivity(at(3*time.Second), 5)
	if act.State != machine.ActivityStarted || act.Attempt != 1 {
		t.Fatalf("activity after start: state %v attempt %d", act.State, act.Attempt)
	}
	r.wantNextDeadline(at(13 * time.Second))

	// [6] ActivityTaskStarted, [7] ActivityTaskCompleted, [8] WorkflowTaskScheduled
	evs = r.do(at(4*time.Second), func(tx *machine.Tx) { tx.CompleteActivity(r.activity(5), payloads("charged"), "act-worker") })
	wantTypes(t, evs, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	as := evs[0].GetActivityTaskStartedEventAttributes()
	wantInt(t, "[6] scheduled_event_id", as.ScheduledEventId, 5)
	if as.Attempt != 1 || as.Identity != "act-worker" || as.RequestId != "act-req-1" || as.LastFailure != nil {
		t.Errorf("ActivityTaskStarted = %v", as)
	}
	if !evs[0].EventTime.AsTime().Equal(at(3 * time.Second)) {
		t.Errorf("ActivityTaskStarted event_time = %v, want the attempt's start t0+3s", fmtTime(evs[0].EventTime.AsTime()))
	}
	ac := evs[1].GetActivityTaskCompletedEventAttributes()
	wantInt(t, "[7] scheduled_event_id", ac.ScheduledEventId, 5)
	wantInt(t, "[7] started_event_id", ac.StartedEventId, 6)
	if payloadString(ac.Result) != "charged" || ac.Identity != "act-worker" {
		t.Errorf("ActivityTaskCompleted = %v", ac)
	}
	if len(r.s.Activities) != 0 {
		t.Errorf("activity still open after completion")
	}

	// [9] WorkflowTaskStarted
	ev = r.startWFT(at(5 * time.Second))
	wantInt(t, "[9] id", ev.EventId, 9)
	wantInt(t, "[9] scheduled_event_id", ev.GetWorkflowTaskStartedEventAttributes().ScheduledEventId, 8)
	wantInt(t, "previous_started_event_id for the second task", r.s.LastCompletedStartedID, 3)

	// [10] WorkflowTaskCompleted, [11] WorkflowExecutionCompleted
	evs = r.complete(at(6*time.Second), machine.CompletionOptions{Identity: "wf-worker"}, completeWorkflow("done"))
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
	wantInt(t, "[10] scheduled_event_id", evs[0].GetWorkflowTaskCompletedEventAttributes().ScheduledEventId, 8)
	wantInt(t, "[10] started_event_id", evs[0].GetWorkflowTaskCompletedEventAttributes().StartedEventId, 9)
	wec := evs[1].GetWorkflowExecutionCompletedEventAttributes()
	wantInt(t, "[11] workflow_task_completed_event_id", wec.WorkflowTaskCompletedEventId, 10)
	if payloadString(wec.Result) != "done" {
		t.Errorf("result = %q", payloadString(wec.Result))
	}
	if r.s.Open() || r.s.Status != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("status = %v, want COMPLETED", r.s.Status)
	}
	wantInt(t, "CloseEventID", r.s.CloseEventID, 11)
	if !r.s.CloseTime.Equal(at(6 * time.Second)) {
		t.Errorf("CloseTime = %v", fmtTime(r.s.CloseTime))
	}
	r.wantNextDeadline(time.Time{})
	if r.s.WorkflowTask != nil {
		t.Errorf("closed run has a workflow task")
	}
}

// TestClosedRunRejectsWork checks that nothing more happens to a closed run:
// stale starts and tokens, signals, deadlines.
func TestClosedRunRejectsWork(t *testing.T) {
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	r.complete(at(2*time.Second), machine.CompletionOptions{}, completeWorkflow("x"))
	tx := machine.Begin(r.s, at(3*time.Second))
	if _, err := tx.StartWorkflowTask(2, "w", "r"); err != machine.ErrStale {
		t.Errorf("StartWorkflowTask on closed run: %v, want ErrStale", err)
	}
	if _, err := r.s.CurrentWorkflowTask(2, 3, 1); err != machine.ErrStale {
		t.Errorf("CurrentWorkflowTask on closed run: %v, want ErrStale", err)
	}
	if changed, err := tx.FireDeadlines(); changed || err != nil {
		t.Errorf("FireDeadlines changed a closed run")
	}
	if len(tx.Events) != 0 {
		t.Errorf("closed run wrote %s", types(tx.Events))
	}
}
