package machine_test

import (
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// TestEventsDuringStartedWorkflowTaskAreBuffered: events that arrive while a
// workflow task runs are written after WorkflowTaskCompleted and the command
// events; a buffered ActivityTaskStarted/Completed pair is linked by the ids
// they get on flush (§2.0 rules 4 and 5).
func TestEventsDuringStartedWorkflowTaskAreBuffered(t *testing.T) {
	r := toScheduledActivity(t, defaultStart(), activityAttrs(time.Minute, nil))
	r.startActivity(at(3*time.Second), 5)

	// While a workflow task is only scheduled, events go straight to history
	// and no second task is scheduled.
	evs := r.do(at(4*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "first", Identity: "client"}) })
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	evs = r.do(at(4500*time.Millisecond), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "also-first"}) })
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)

	started := r.startWFT(at(5 * time.Second)) // [9]
	wantInt(t, "started id", started.EventId, 9)

	evs = r.do(at(6*time.Second), func(tx *machine.Tx) { tx.CompleteActivity(r.activity(5), payloads("ok"), "act-worker") })
	if len(evs) != 0 {
		t.Fatalf("activity completion during a started workflow task wrote %s", types(evs))
	}
	evs = r.do(at(6500*time.Millisecond), func(tx *machine.Tx) {
		tx.SignalRun(&machine.Signal{Name: "second", Input: payloads("s2"), Identity: "client", RequestID: "sig-2"})
	})
	if len(evs) != 0 {
		t.Fatalf("signal during a started workflow task wrote %s", types(evs))
	}
	if len(r.s.Buffered) != 3 || !r.s.WorkflowTaskNeeded {
		t.Fatalf("buffered %d events, WorkflowTaskNeeded=%v; want 3 and true", len(r.s.Buffered), r.s.WorkflowTaskNeeded)
	}

	evs = r.complete(at(7*time.Second), machine.CompletionOptions{Identity: "wf-worker"}, startTimer("t1", time.Hour))
	wantTypes(t, evs,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
		enumspb.EVENT_TYPE_TIMER_STARTED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	wtc, ts, as, ac, sig := evs[0], evs[1], evs[2], evs[3], evs[4]
	wantInt(t, "TimerStarted.workflow_task_completed_event_id", ts.GetTimerStartedEventAttributes().WorkflowTaskCompletedEventId, wtc.EventId)
	wantInt(t, "ActivityTaskStarted.scheduled_event_id", as.GetActivityTaskStartedEventAttributes().ScheduledEventId, 5)
	wantInt(t, "ActivityTaskCompleted.started_event_id", ac.GetActivityTaskCompletedEventAttributes().StartedEventId, as.EventId)
	wantInt(t, "ActivityTaskCompleted.scheduled_event_id", ac.GetActivityTaskCompletedEventAttributes().ScheduledEventId, 5)
	if !as.EventTime.AsTime().Equal(at(3*time.Second)) || !ac.EventTime.AsTime().Equal(at(6*time.Second)) || !sig.EventTime.AsTime().Equal(at(6500*time.Millisecond)) {
		t.Errorf("buffered event times %v, %v, %v; want when each happened (t0+3s, t0+6s, t0+6.5s)",
			fmtTime(as.EventTime.AsTime()), fmtTime(ac.EventTime.AsTime()), fmtTime(sig.EventTime.AsTime()))
	}
	if a := sig.GetWorkflowExecutionSignaledEventAttributes(); a.SignalName != "second" || payloadString(a.Input) != "s2" || a.Identity != "client" {
		t.Errorf("flushed signal = %v", a)
	}
	if len(r.s.Buffered) != 0 || r.s.WorkflowTaskNeeded {
		t.Errorf("after flush: %d buffered, WorkflowTaskNeeded=%v", len(r.s.Buffered), r.s.WorkflowTaskNeeded)
	}
	wantInt(t, "previous started id", r.s.LastCompletedStartedID, 9)
}

// TestBufferedTimerFiredAndActivityFailure: a timer firing and a final activity
// failure during a started workflow task are buffered too.
func TestBufferedTimerFiredAndActivityFailure(t *testing.T) {
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	r.complete(at(2*time.Second), machine.CompletionOptions{},
		startTimer("t1", 5*time.Second), scheduleActivity(activityAttrs(time.Minute, noRetry))) // [5] timer, [6] activity
	act := r.startActivity(at(3*time.Second), 6)
	r.do(at(4*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "wake"}) })
	r.startWFT(at(5 * time.Second))
	evs, changed := r.fire(at(7 * time.Second))
	if !changed || len(evs) != 0 {
		t.Fatalf("timer during a started workflow task: changed=%v events %s", changed, types(evs))
	}
	if len(r.s.Timers) != 0 {
		t.Fatalf("fired timer still open")
	}
	r.do(at(8*time.Second), func(tx *machine.Tx) { tx.FailActivity(act, appFailure("boom", "X"), nil, "act-worker") })
	evs = r.complete(at(9*time.Second), machine.CompletionOptions{})
	wantTypes(t, evs,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
		enumspb.EVENT_TYPE_TIMER_FIRED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	tf := evs[1].GetTimerFiredEventAttributes()
	if tf.TimerId != "t1" || tf.StartedEventId != 5 {
		t.Errorf("TimerFired = %v, want t1 started at 5", tf)
	}
	wantInt(t, "ActivityTaskFailed.started_event_id", evs[3].GetActivityTaskFailedEventAttributes().StartedEventId, evs[2].EventId)
}

// TestCompletingWhileEventsAreBufferedIsUnhandledCommand: a completion that
// closes the workflow while new events wait is rejected with
// UNHANDLED_COMMAND; the failure writes the buffered events and a new task
// (§2.2 "Unhandled command rule").
func TestCompletingWhileEventsAreBufferedIsUnhandledCommand(t *testing.T) {
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	r.do(at(2*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "late"}) })
	cmdErr, evs := r.completeExpectingError(at(3*time.Second), completeWorkflow("too early"))
	if cmdErr.Cause != enumspb.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND {
		t.Fatalf("cause = %v, want UNHANDLED_COMMAND", cmdErr.Cause)
	}
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	f := evs[0].GetWorkflowTaskFailedEventAttributes()
	if f.Cause != enumspb.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND || f.ScheduledEventId != 2 || f.StartedEventId != 3 {
		t.Errorf("WorkflowTaskFailed = %v", f)
	}
	if !r.s.Open() {
		t.Fatal("the run closed despite the unhandled signal")
	}
	// The workflow sees the signal and may now complete.
	r.startWFT(at(4 * time.Second))
	evs = r.complete(at(5*time.Second), machine.CompletionOptions{}, completeWorkflow("done"))
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
}

// TestCommandAfterCloseCommand: nothing may follow a command that closes the
// workflow.
func TestCommandAfterCloseCommand(t *testing.T) {
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	cmdErr, _ := r.completeExpectingError(at(2*time.Second), completeWorkflow("x"), startTimer("t", time.Second))
	if cmdErr.Index != 1 {
		t.Errorf("CommandError index %d, want 1", cmdErr.Index)
	}
	if !r.s.Open() {
		t.Errorf("rejected completion closed the run")
	}
}

// TestTimers covers start, fire, cancel and the timer command errors (§2.4).
func TestTimers(t *testing.T) {
	t.Run("fires", func(t *testing.T) {
		r := startRun(t, defaultStart())
		r.startWFT(at(time.Second))
		evs := r.complete(at(2*time.Second), machine.CompletionOptions{}, startTimer("t1", 30*time.Second))
		wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_TIMER_STARTED)
		wantDuration(t, "start_to_fire_timeout", evs[1].GetTimerStartedEventAttributes().StartToFireTimeout, 30*time.Second)
		r.wantNextDeadline(at(32 * time.Second))
		if _, changed := r.fire(at(31 * time.Second)); changed {
			t.Fatal("timer fired early")
		}
		evs, _ = r.fire(at(32 * time.Second))
		wantTypes(t, evs, enumspb.EVENT_TYPE_TIMER_FIRED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
		if a := evs[0].GetTimerFiredEventAttributes(); a.TimerId != "t1" || a.StartedEventId != 5 {
			t.Errorf("TimerFired = %v", a)
		}
	})
	t.Run("canceled never fires", func(t *testing.T) {
		r := startRun(t, defaultStart())
		r.startWFT(at(time.Second))
		r.complete(at(2*time.Second), machine.CompletionOptions{}, startTimer("t1", 30*time.Second))
		r.do(at(3*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "s"}) })
		r.startWFT(at(4 * time.Second))
		evs := r.complete(at(5*time.Second), machine.CompletionOptions{}, cancelTimer("t1"))
		wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_TIMER_CANCELED)
		a := evs[1].GetTimerCanceledEventAttributes()
		if a.TimerId != "t1" || a.StartedEventId != 5 || a.WorkflowTaskCompletedEventId != evs[0].EventId {
			t.Errorf("TimerCanceled = %v", a)
		}
		r.wantNextDeadline(time.Time{})
		if evs, changed := r.fire(at(40 * time.Second)); changed || len(evs) != 0 {
			t.Errorf("canceled timer fired: %s", types(evs))
		}
	})
	cases := []struct {
		name  string
		first []*machineCommand
		cmds  []*machineCommand
		cause enumspb.WorkflowTaskFailedCause
	}{
		{"duplicate id in one completion", nil, []*machineCommand{timerCmd("t1"), timerCmd("t1")}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID},
		{"duplicate id of an open timer", []*machineCommand{timerCmd("t1")}, []*machineCommand{timerCmd("t1")}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID},
		{"cancel unknown timer", nil, []*machineCommand{{cancel: "nope"}}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES},
		{"zero duration", nil, []*machineCommand{{start: "t0", d: 0}}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES},
		{"no timer id", nil, []*machineCommand{{start: "", d: time.Second}}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := startRun(t, defaultStart())
			r.startWFT(at(time.Second))
			if c.first != nil {
				r.complete(at(2*time.Second), machine.CompletionOptions{}, commands(c.first)...)
				r.do(at(3*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "s"}) })
				r.startWFT(at(4 * time.Second))
			}
			attempt := r.s.WorkflowTask.Attempt
			cmdErr, evs := r.completeExpectingError(at(5*time.Second), commands(c.cmds)...)
			if cmdErr.Cause != c.cause {
				t.Fatalf("cause = %v (%s), want %v", cmdErr.Cause, cmdErr.Message, c.cause)
			}
			wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
			if got := evs[1].GetWorkflowTaskScheduledEventAttributes().Attempt; got != attempt+1 {
				t.Errorf("next workflow task attempt = %d, want %d", got, attempt+1)
			}
			if got := evs[0].GetWorkflowTaskFailedEventAttributes().Cause; got != c.cause {
				t.Errorf("WorkflowTaskFailed.cause = %v", got)
			}
		})
	}
}

// machineCommand describes a timer command compactly for tables.
type machineCommand struct {
	start, cancel string
	d             time.Duration
}

func timerCmd(id string) *machineCommand { return &machineCommand{start: id, d: time.Minute} }

func commands(mc []*machineCommand) []*commandpb.Command {
	out := make([]*commandpb.Command, 0, len(mc))
	for _, m := range mc {
		if m.cancel != "" {
			out = append(out, cancelTimer(m.cancel))
			continue
		}
		c := startTimer(m.start, m.d)
		if m.d == 0 {
			c.GetStartTimerCommandAttributes().StartToFireTimeout = nil
		}
		out = append(out, c)
	}
	return out
}
