package machine_test

import (
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// TestNormalizeWorkflowTimeouts checks Temporal's rules for the workflow's own
// timeouts.
func TestNormalizeWorkflowTimeouts(t *testing.T) {
	const s = time.Second
	cases := []struct {
		exec, run, task          time.Duration
		wantExec, wantRun, wantT time.Duration
	}{
		{0, 0, 0, 0, 0, 10 * s},
		{0, 0, 200 * s, 0, 0, 120 * s},
		{0, 5 * s, 0, 0, 5 * s, 5 * s},
		{60 * s, 0, 0, 60 * s, 60 * s, 10 * s},
		{60 * s, 100 * s, 0, 60 * s, 60 * s, 10 * s},
		{60 * s, 30 * s, 20 * s, 60 * s, 30 * s, 20 * s},
	}
	for _, c := range cases {
		e, r, tt := machine.NormalizeWorkflowTimeouts(c.exec, c.run, c.task)
		if e != c.wantExec || r != c.wantRun || tt != c.wantT {
			t.Errorf("NormalizeWorkflowTimeouts(%v, %v, %v) = %v, %v, %v; want %v, %v, %v",
				c.exec, c.run, c.task, e, r, tt, c.wantExec, c.wantRun, c.wantT)
		}
	}
}

// TestRunAndExecutionTimeouts: the run closes with WorkflowExecutionTimedOut at
// the earlier of its run and execution deadlines, dropping pending work.
func TestRunAndExecutionTimeouts(t *testing.T) {
	cases := []struct {
		name          string
		exec, run     time.Duration
		wantAt        time.Duration
		wantExecution bool // the execution timeout (not only the run timeout) expired
	}{
		{"run timeout", 0, 30 * time.Second, 30 * time.Second, false},
		{"execution timeout also bounds the run", 20 * time.Second, 0, 20 * time.Second, true},
		{"execution timeout earlier than run timeout", 20 * time.Second, 50 * time.Second, 20 * time.Second, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := defaultStart()
			p.ExecutionTimeout, p.RunTimeout = c.exec, c.run
			r := toScheduledActivity(t, p, activityAttrs(5*time.Second, nil))
			started := r.history[0].GetWorkflowExecutionStartedEventAttributes()
			if c.exec > 0 && !started.GetWorkflowExecutionExpirationTime().AsTime().Equal(at(c.exec)) {
				t.Errorf("workflow_execution_expiration_time = %v", started.GetWorkflowExecutionExpirationTime())
			}
			r.startActivity(at(3*time.Second), 5)
			r.wantNextDeadline(at(8 * time.Second)) // the activity's start-to-close comes first
			r.fire(at(8 * time.Second))             // retried: backoff until 9s
			r.fire(at(9 * time.Second))
			r.wantNextDeadline(at(c.wantAt))
			if _, changed := r.fire(at(c.wantAt - time.Millisecond)); changed {
				t.Fatal("run timed out early")
			}
			evs, _ := r.fire(at(c.wantAt))
			wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT)
			state := evs[0].GetWorkflowExecutionTimedOutEventAttributes().RetryState
			if state == enumspb.RETRY_STATE_IN_PROGRESS || state == enumspb.RETRY_STATE_UNSPECIFIED {
				t.Errorf("retry_state = %v; no new run follows", state)
			}
			if c.wantExecution && state != enumspb.RETRY_STATE_TIMEOUT {
				t.Errorf("retry_state = %v after the execution timeout, want TIMEOUT", state)
			}
			if r.s.Status != enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT || len(r.s.Activities) != 0 || r.s.WorkflowTask != nil {
				t.Errorf("after timeout: status %v, %d activities, task %+v", r.s.Status, len(r.s.Activities), r.s.WorkflowTask)
			}
			r.wantNextDeadline(time.Time{})
		})
	}
}

// TestForceCloseDuringStartedWorkflowTask: terminating or timing out a run while
// a workflow task runs first fails that task with FORCE_CLOSE_COMMAND (as
// Temporal's server does), then writes what was buffered, then the close event.
func TestForceCloseDuringStartedWorkflowTask(t *testing.T) {
	cases := []struct {
		name      string
		close     func(r *run) []*historypb.HistoryEvent
		wantClose enumspb.EventType
		status    enumspb.WorkflowExecutionStatus
	}{
		{"terminate", func(r *run) []*historypb.HistoryEvent {
			return r.do(at(6*time.Second), func(tx *machine.Tx) { tx.TerminateRun("stop it", payloads("why"), "admin") })
		}, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED},
		{"run timeout", func(r *run) []*historypb.HistoryEvent {
			evs, _ := r.fire(at(9 * time.Second))
			return evs
		}, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT, enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := defaultStart()
			p.RunTimeout = 9 * time.Second
			p.WorkflowTaskTimeout = 5 * time.Second
			r := startRun(t, p)
			r.startWFT(at(time.Second))
			r.complete(at(2*time.Second), machine.CompletionOptions{},
				scheduleActivity(activityAttrs(time.Second, nil)), startTimer("t1", time.Hour)) // [5] activity, [6] timer
			r.do(at(3*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "a"}) }) // [7], [8]
			wft := r.startWFT(at(5 * time.Second))                                                     // [9]
			r.do(at(5500*time.Millisecond), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "buffered"}) })

			evs := c.close(r)
			wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, c.wantClose)
			f := evs[0].GetWorkflowTaskFailedEventAttributes()
			if f.Cause != enumspb.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND || f.ScheduledEventId != 8 || f.StartedEventId != wft.EventId {
				t.Errorf("WorkflowTaskFailed = %v", f)
			}
			if evs[1].GetWorkflowExecutionSignaledEventAttributes().SignalName != "buffered" {
				t.Errorf("flushed signal = %v", evs[1])
			}
			if c.wantClose == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED {
				a := evs[2].GetWorkflowExecutionTerminatedEventAttributes()
				if a.Reason != "stop it" || payloadString(a.Details) != "why" || a.Identity != "admin" {
					t.Errorf("Terminated = %v", a)
				}
			}
			checkClosed(t, r, c.status, wft.EventId)
		})
	}
}

// TestTerminateWithoutStartedWorkflowTask: only the close event is written; the
// pending (unstarted) task, activities and timers are dropped.
func TestTerminateWithoutStartedWorkflowTask(t *testing.T) {
	r := toScheduledActivity(t, defaultStart(), activityAttrs(time.Minute, nil))
	r.startActivity(at(3*time.Second), 5)
	r.do(at(4*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "s"}) }) // [6], [7] scheduled
	evs := r.do(at(5*time.Second), func(tx *machine.Tx) { tx.TerminateRun("stop", nil, "admin") })
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED)
	checkClosed(t, r, enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED, 0)
	if _, err := r.s.StartedActivity(5, 1); err != machine.ErrStale {
		t.Errorf("the running activity's token after terminate: %v, want ErrStale", err)
	}
}

// checkClosed checks that a run is closed and that nothing about it is pending.
func checkClosed(t *testing.T, r *run, status enumspb.WorkflowExecutionStatus, startedWFT int64) {
	t.Helper()
	if r.s.Status != status || r.s.Open() {
		t.Errorf("status = %v, want %v", r.s.Status, status)
	}
	wantInt(t, "CloseEventID", r.s.CloseEventID, int64(len(r.history)))
	if r.s.WorkflowTask != nil || len(r.s.Activities) != 0 || len(r.s.Timers) != 0 || len(r.s.Buffered) != 0 || r.s.StickyQueue != "" {
		t.Errorf("closed run still has work: task %+v, %d activities, %d timers, %d buffered", r.s.WorkflowTask, len(r.s.Activities), len(r.s.Timers), len(r.s.Buffered))
	}
	r.wantNextDeadline(time.Time{})
	if startedWFT != 0 {
		if _, err := r.s.CurrentWorkflowTask(startedWFT-1, startedWFT, 1); err != machine.ErrStale {
			t.Errorf("the dropped workflow task's token: %v, want ErrStale", err)
		}
	}
	tx := machine.Begin(r.s, at(time.Hour))
	if changed, err := tx.FireDeadlines(); changed || err != nil || len(tx.Events) != 0 {
		t.Errorf("a closed run fired deadlines")
	}
}

// TestDelayedStart: with a start delay the first workflow task waits; the run
// timeout counts from the delayed start.
func TestDelayedStart(t *testing.T) {
	p := defaultStart()
	p.StartDelay = 10 * time.Second
	p.RunTimeout = 30 * time.Second
	r := startRun(t, p)
	wantTypes(t, r.history, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
	wantDuration(t, "first_workflow_task_backoff", r.history[0].GetWorkflowExecutionStartedEventAttributes().FirstWorkflowTaskBackoff, 10*time.Second)
	if !r.s.DelayedStart || !r.s.ExecutionTime.Equal(at(10*time.Second)) || !r.s.RunDeadline.Equal(at(40*time.Second)) {
		t.Fatalf("DelayedStart=%v ExecutionTime=%v RunDeadline=%v", r.s.DelayedStart, fmtTime(r.s.ExecutionTime), fmtTime(r.s.RunDeadline))
	}
	r.wantNextDeadline(at(10 * time.Second))
	if evs, changed := r.fire(at(9 * time.Second)); changed || len(evs) != 0 {
		t.Fatalf("delayed start fired early: %s", types(evs))
	}
	evs, changed := r.fire(at(10 * time.Second))
	if !changed {
		t.Fatal("FireDeadlines at the end of the delay reported no change")
	}
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	if r.s.DelayedStart {
		t.Errorf("DelayedStart still set")
	}
	r.wantNextDeadline(at(40 * time.Second))
}

// TestSignalDuringStartDelay: a plain signal during the start delay is recorded
// but does not start the workflow early (Temporal's server leaves the first
// workflow task to the backoff timer; only signal-with-start bypasses it).
func TestSignalDuringStartDelay(t *testing.T) {
	p := defaultStart()
	p.StartDelay = 10 * time.Second
	r := startRun(t, p)
	evs := r.do(at(2*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "early"}) })
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
	r.wantNextDeadline(at(10 * time.Second))
	evs, _ = r.fire(at(10 * time.Second))
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
}
