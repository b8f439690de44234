package main

import (
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

func TestBreakDownTimerReadsTheThreePartsOfTheLag(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	events := []historyEvent{
		{enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, at(0)},
		{enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, at(0)},
		{enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, at(5)},
		{enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, at(17)},
		{enumspb.EVENT_TYPE_TIMER_STARTED, at(17)},
		{enumspb.EVENT_TYPE_TIMER_FIRED, at(1020)},
		{enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, at(1020)},
		{enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, at(1061)},
		{enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, at(1070)},
		{enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, at(1070)},
	}
	got, err := breakDownTimer(events, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := timerBreakdown{firstTask: 12 * time.Millisecond, fireLag: 3 * time.Millisecond, dispatch: 41 * time.Millisecond}
	if got != want {
		t.Errorf("breakdown = %+v, want %+v", got, want)
	}
	// What the workflow observes, workflow.Now at the second task − at the first − 1 s,
	// is the sum of the parts when TimerStarted is written with the first completion.
	if observed := at(1061).Sub(at(5)) - time.Second; observed != got.firstTask+got.fireLag+got.dispatch {
		t.Errorf("observed %v is not the sum of %+v", observed, got)
	}
}

func TestBreakDownTimerTakesTheFirstTaskAndTheTaskAfterTheFiring(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	// The first task timed out and was retried; a signal's task ran before the firing.
	events := []historyEvent{
		{enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, at(0)},
		{enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, at(10)},
		{enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, at(12)},
		{enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, at(20)},
		{enumspb.EVENT_TYPE_TIMER_STARTED, at(20)},
		{enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, at(500)},
		{enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, at(505)},
		{enumspb.EVENT_TYPE_TIMER_FIRED, at(1030)},
		{enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, at(1032)},
		{enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, at(1090)},
	}
	got, err := breakDownTimer(events, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := timerBreakdown{firstTask: 20 * time.Millisecond, fireLag: 10 * time.Millisecond, dispatch: 2 * time.Millisecond}
	if got != want {
		t.Errorf("breakdown = %+v, want %+v", got, want)
	}
}

func TestBreakDownTimerNamesWhatTheHistoryLacks(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	events := []historyEvent{
		{enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, t0},
		{enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, t0},
		{enumspb.EVENT_TYPE_TIMER_STARTED, t0},
		{enumspb.EVENT_TYPE_TIMER_FIRED, t0.Add(time.Second)},
	}
	_, err := breakDownTimer(events, time.Second)
	if err == nil || !strings.Contains(err.Error(), "WorkflowTaskStarted after TimerFired") {
		t.Errorf("err = %v, want the missing task after the firing named", err)
	}
}

func TestBreakdownNoteReadsAsASum(t *testing.T) {
	var parts timerParts
	for i := range 100 {
		ms := time.Duration(i+1) * time.Millisecond
		parts.add(timerBreakdown{firstTask: ms, fireLag: ms / 2, dispatch: 2 * ms})
	}
	note := breakdownNote(parts, time.Second)
	for _, want := range []string{
		"from 100 histories, observed lag ≈ first workflow task + server fire lag + dispatch wait",
		"first workflow task (first WorkflowTaskStarted → WorkflowTaskCompleted; the timer starts when it completes) p50 50 ms, p99 99 ms",
		" + server fire lag (TimerFired − TimerStarted − 1s) p50 25 ms, p99 50 ms",
		" + dispatch wait (TimerFired → next WorkflowTaskStarted) p50 100 ms, p99 198 ms",
	} {
		if !strings.Contains(note, want) {
			t.Errorf("note lacks %q:\n%s", want, note)
		}
	}
	if note := breakdownNote(timerParts{}, time.Second); !strings.Contains(note, "no history could be read") {
		t.Errorf("empty note = %q", note)
	}
}
