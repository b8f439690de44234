package machine_test

import (
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// toStickyRun completes the first workflow task with sticky attributes for
// queue "sticky-1" at 2s: history [1..4].
func toStickyRun(t *testing.T, scheduleToStart time.Duration) *run {
	t.Helper()
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	r.complete(at(2*time.Second), machine.CompletionOptions{Sticky: sticky("sticky-1", scheduleToStart)})
	if r.s.StickyQueue != "sticky-1" || r.s.StickyTimeout != scheduleToStart {
		t.Fatalf("sticky queue %q timeout %v after a sticky completion", r.s.StickyQueue, r.s.StickyTimeout)
	}
	return r
}

func wantScheduledOn(t *testing.T, ev *historypb.HistoryEvent, queue string, kind enumspb.TaskQueueKind, attempt int32) {
	t.Helper()
	a := ev.GetWorkflowTaskScheduledEventAttributes()
	if a == nil {
		t.Fatalf("event %d is %s, not WorkflowTaskScheduled", ev.EventId, ev.EventType)
	}
	if a.GetTaskQueue().GetName() != queue || a.GetTaskQueue().GetKind() != kind || a.Attempt != attempt {
		t.Errorf("WorkflowTaskScheduled on %q (%v) attempt %d, want %q (%v) attempt %d",
			a.GetTaskQueue().GetName(), a.GetTaskQueue().GetKind(), a.Attempt, queue, kind, attempt)
	}
}

// TestWorkflowTaskStartToCloseTimeout: a started task that is not completed in
// time times out; the next attempt goes to the normal queue with attempt+1 and
// the old task is stale (§2.2 "Timed out").
func TestWorkflowTaskStartToCloseTimeout(t *testing.T) {
	r := toStickyRun(t, 5*time.Second)
	r.do(at(3*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "s"}) }) // [5] signal, [6] sticky task
	wantScheduledOn(t, r.history[5], "sticky-1", enumspb.TASK_QUEUE_KIND_STICKY, 1)
	if nn := r.history[5].GetWorkflowTaskScheduledEventAttributes().GetTaskQueue().GetNormalName(); nn != "tq" {
		t.Errorf("sticky task normal_name = %q, want tq", nn)
	}
	r.startWFT(at(4 * time.Second)) // [7]
	r.wantNextDeadline(at(14 * time.Second))
	if _, changed := r.fire(at(13 * time.Second)); changed {
		t.Fatal("workflow task timed out early")
	}
	evs, _ := r.fire(at(14 * time.Second))
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	to := evs[0].GetWorkflowTaskTimedOutEventAttributes()
	if to.ScheduledEventId != 6 || to.StartedEventId != 7 || to.TimeoutType != enumspb.TIMEOUT_TYPE_START_TO_CLOSE {
		t.Errorf("WorkflowTaskTimedOut = %v", to)
	}
	wantScheduledOn(t, evs[1], "tq", enumspb.TASK_QUEUE_KIND_NORMAL, 2)
	if r.s.StickyQueue != "" || r.s.WorkflowTask.Sticky {
		t.Errorf("stickiness survived a timeout: queue %q", r.s.StickyQueue)
	}
	if _, err := r.s.CurrentWorkflowTask(6, 7, 1); err != machine.ErrStale {
		t.Errorf("timed-out task's token: %v, want ErrStale", err)
	}
	tx := machine.Begin(r.s.Clone(), at(15*time.Second))
	if _, err := tx.StartWorkflowTask(6, "w", "r"); err != machine.ErrStale {
		t.Errorf("starting the timed-out task again: %v, want ErrStale", err)
	}
	started := r.startWFT(at(15 * time.Second))
	if wt, err := r.s.CurrentWorkflowTask(evs[1].EventId, started.EventId, 2); err != nil || wt.Attempt != 2 {
		t.Errorf("CurrentWorkflowTask for attempt 2: %v", err)
	}
	// Completing the retried task resets the attempt count.
	r.do(at(16*time.Second), func(tx *machine.Tx) {
		if _, err := tx.CompleteWorkflowTask(nil, machine.CompletionOptions{ForceNewTask: true}); err != nil {
			t.Fatal(err)
		}
	})
	wantScheduledOn(t, r.history[len(r.history)-1], "tq", enumspb.TASK_QUEUE_KIND_NORMAL, 1)
}

// TestStickyScheduleToStartTimeout: a sticky task nobody takes in time moves to
// the normal queue without using up an attempt (§4.2).
func TestStickyScheduleToStartTimeout(t *testing.T) {
	r := toStickyRun(t, 5*time.Second)
	r.do(at(3*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "s"}) }) // [5], [6]
	wt := r.s.WorkflowTask
	if !wt.Sticky || wt.TaskQueue != "sticky-1" || !wt.ScheduleToStartDeadline.Equal(at(8*time.Second)) {
		t.Fatalf("sticky task = %+v", wt)
	}
	r.wantNextDeadline(at(8 * time.Second))
	evs, _ := r.fire(at(8 * time.Second))
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	to := evs[0].GetWorkflowTaskTimedOutEventAttributes()
	if to.ScheduledEventId != 6 || to.StartedEventId != 0 || to.TimeoutType != enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START {
		t.Errorf("WorkflowTaskTimedOut = %v", to)
	}
	wantScheduledOn(t, evs[1], "tq", enumspb.TASK_QUEUE_KIND_NORMAL, 1)
	if r.s.StickyQueue != "" || r.s.WorkflowTask.Sticky || !r.s.WorkflowTask.ScheduleToStartDeadline.IsZero() {
		t.Errorf("after the fallback: sticky queue %q task %+v", r.s.StickyQueue, r.s.WorkflowTask)
	}
	r.wantNextDeadline(time.Time{})
}

// TestStickyTaskStartedInTimeHasNoScheduleToStartDeadline: once the sticky worker
// takes the task only its start-to-close timeout counts.
func TestStickyTaskStartedInTimeHasNoScheduleToStartDeadline(t *testing.T) {
	r := toStickyRun(t, 5*time.Second)
	r.do(at(3*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "s"}) })
	r.startWFT(at(4 * time.Second))
	r.wantNextDeadline(at(14 * time.Second))
	if _, changed := r.fire(at(8 * time.Second)); changed {
		t.Fatal("a started sticky task timed out at its schedule-to-start deadline")
	}
	// A completion without sticky attributes ends stickiness.
	r.complete(at(5*time.Second), machine.CompletionOptions{ForceNewTask: true})
	if r.s.StickyQueue != "" {
		t.Errorf("completion without sticky attributes kept queue %q", r.s.StickyQueue)
	}
	wantScheduledOn(t, r.history[len(r.history)-1], "tq", enumspb.TASK_QUEUE_KIND_NORMAL, 1)
}

// TestWorkflowTaskFailedByWorker: RespondWorkflowTaskFailed writes
// WorkflowTaskFailed and schedules attempt+1 on the normal queue.
func TestWorkflowTaskFailedByWorker(t *testing.T) {
	r := toStickyRun(t, 5*time.Second)
	r.do(at(3*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "s"}) }) // [5], [6]
	r.startWFT(at(4 * time.Second))                                                            // [7]
	evs := r.do(at(5*time.Second), func(tx *machine.Tx) {
		tx.FailWorkflowTask(enumspb.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE, &failurepb.Failure{Message: "panic"}, "wf-worker", "bin")
	})
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	f := evs[0].GetWorkflowTaskFailedEventAttributes()
	if f.ScheduledEventId != 6 || f.StartedEventId != 7 || f.Cause != enumspb.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE ||
		f.GetFailure().GetMessage() != "panic" || f.Identity != "wf-worker" || f.BinaryChecksum != "bin" {
		t.Errorf("WorkflowTaskFailed = %v", f)
	}
	wantScheduledOn(t, evs[1], "tq", enumspb.TASK_QUEUE_KIND_NORMAL, 2)
	if r.s.StickyQueue != "" {
		t.Errorf("stickiness survived a failure")
	}
	wantInt(t, "previous started id is the last completed task's", r.s.LastCompletedStartedID, 3)
}

// TestWorkflowTaskFailureFlushesBufferedEvents: events buffered during a task
// that fails are written after WorkflowTaskFailed, before the next task.
func TestWorkflowTaskFailureFlushesBufferedEvents(t *testing.T) {
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	r.do(at(2*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "s"}) })
	evs, _ := r.fire(at(11 * time.Second))
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
}

// TestInlineNextWorkflowTask: return_new_workflow_task starts the next task in
// the completion's own transition when one is needed (§4.5).
func TestInlineNextWorkflowTask(t *testing.T) {
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	r.do(at(2*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "s"}) })
	var res machine.CompletionResult
	evs := r.do(at(3*time.Second), func(tx *machine.Tx) {
		var err error
		res, err = tx.CompleteWorkflowTask(nil, machine.CompletionOptions{Identity: "wf-worker", ReturnNewTask: true, RequestID: "inline-req"})
		if err != nil {
			t.Fatal(err)
		}
	})
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED)
	if res.Inline == nil || !res.Inline.Inline || res.Inline.StartedEventID != evs[3].EventId || res.Inline.ScheduledEventID != evs[2].EventId {
		t.Fatalf("inline task = %+v", res.Inline)
	}
	if a := evs[3].GetWorkflowTaskStartedEventAttributes(); a.RequestId != "inline-req" || a.ScheduledEventId != evs[2].EventId {
		t.Errorf("inline WorkflowTaskStarted = %v", a)
	}
	r.wantNextDeadline(at(3*time.Second + machine.DefaultWorkflowTaskTimeout))

	// Nothing needed: no inline task.
	evs = r.do(at(4*time.Second), func(tx *machine.Tx) {
		var err error
		res, err = tx.CompleteWorkflowTask(nil, machine.CompletionOptions{ReturnNewTask: true})
		if err != nil {
			t.Fatal(err)
		}
	})
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
	if res.Inline != nil || r.s.WorkflowTask != nil {
		t.Errorf("an idle completion produced a workflow task")
	}
}

// TestForceNewWorkflowTask: force_create_new_workflow_task schedules a task even
// though nothing happened.
func TestForceNewWorkflowTask(t *testing.T) {
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	evs := r.complete(at(2*time.Second), machine.CompletionOptions{ForceNewTask: true})
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
}

// TestRequestCancelRun: the first request writes CancelRequested and a task; a
// repeated one does nothing; one during a started task is buffered.
func TestRequestCancelRun(t *testing.T) {
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	evs := r.do(at(2*time.Second), func(tx *machine.Tx) { tx.RequestCancelRun("user asked", "client") })
	if len(evs) != 0 || !r.s.CancelRequested {
		t.Fatalf("cancel request during a started task: events %s CancelRequested=%v", types(evs), r.s.CancelRequested)
	}
	evs = r.do(at(3*time.Second), func(tx *machine.Tx) { tx.RequestCancelRun("again", "client") })
	if len(evs) != 0 || len(r.s.Buffered) != 1 {
		t.Fatalf("second cancel request: events %s, %d buffered", types(evs), len(r.s.Buffered))
	}
	evs = r.complete(at(4*time.Second), machine.CompletionOptions{})
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	if a := evs[1].GetWorkflowExecutionCancelRequestedEventAttributes(); a.Cause != "user asked" || a.Identity != "client" {
		t.Errorf("CancelRequested = %v", a)
	}
}
