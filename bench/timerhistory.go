package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// historyEvent is what the timer breakdown needs of one history event.
type historyEvent struct {
	kind enumspb.EventType
	at   time.Time
}

// timerBreakdown splits the lag a TimerLag workflow observes into the parts its
// history shows. The workflow reads workflow.Now, the time of the running
// workflow task's WorkflowTaskStarted event, before and after the timer, so
//
//	observed = firstTask + (TimerStarted − first WorkflowTaskCompleted) + fireLag + dispatch
//
// where the middle term is zero or nearly: the server writes TimerStarted with the
// completion of the task that asked for the timer.
type timerBreakdown struct {
	// firstTask is the first WorkflowTaskStarted → the first WorkflowTaskCompleted:
	// the worker answering the task that starts the timer.
	firstTask time.Duration
	// fireLag is TimerFired − (TimerStarted + d): how late the server fired the timer.
	fireLag time.Duration
	// dispatch is TimerFired → the next WorkflowTaskStarted: how long the task that
	// reports the timer waited before a worker's poll took it.
	dispatch time.Duration
}

// timerParts are the parts of the lag over many timer workflows, one sample per
// workflow whose history was read in each.
type timerParts struct {
	firstTask []time.Duration
	fireLag   []time.Duration
	dispatch  []time.Duration
}

// add appends one workflow's breakdown.
func (p *timerParts) add(b timerBreakdown) {
	p.firstTask = append(p.firstTask, b.firstTask)
	p.fireLag = append(p.fireLag, b.fireLag)
	p.dispatch = append(p.dispatch, b.dispatch)
}

// breakDownTimer splits a TimerLag(d) workflow's lag using its events, given in
// history order.
func breakDownTimer(events []historyEvent, d time.Duration) (timerBreakdown, error) {
	var taskStarted, taskCompleted, timerStarted, timerFired, nextTask time.Time
	for _, e := range events {
		switch e.kind {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
			switch {
			case taskStarted.IsZero():
				taskStarted = e.at
			case !timerFired.IsZero() && nextTask.IsZero():
				nextTask = e.at
			}
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			if taskCompleted.IsZero() {
				taskCompleted = e.at
			}
		case enumspb.EVENT_TYPE_TIMER_STARTED:
			if timerStarted.IsZero() {
				timerStarted = e.at
			}
		case enumspb.EVENT_TYPE_TIMER_FIRED:
			if timerFired.IsZero() {
				timerFired = e.at
			}
		}
	}
	var missing []string
	for _, need := range []struct {
		name string
		at   time.Time
	}{
		{"WorkflowTaskStarted", taskStarted},
		{"WorkflowTaskCompleted", taskCompleted},
		{"TimerStarted", timerStarted},
		{"TimerFired", timerFired},
		{"WorkflowTaskStarted after TimerFired", nextTask},
	} {
		if need.at.IsZero() {
			missing = append(missing, need.name)
		}
	}
	if len(missing) > 0 {
		return timerBreakdown{}, fmt.Errorf("history lacks %s", strings.Join(missing, ", "))
	}
	return timerBreakdown{
		firstTask: taskCompleted.Sub(taskStarted),
		fireLag:   timerFired.Sub(timerStarted.Add(d)),
		dispatch:  nextTask.Sub(timerFired),
	}, nil
}

// readTimerHistory reads a TimerLag(d) workflow's history and breaks its lag down.
func readTimerHistory(ctx context.Context, e *env, workflowID string, d time.Duration) (timerBreakdown, error) {
	iter := e.client.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var events []historyEvent
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			return timerBreakdown{}, fmt.Errorf("reading history of %s: %w", workflowID, err)
		}
		if event.GetEventTime() == nil {
			return timerBreakdown{}, fmt.Errorf("history of %s: event %d has no time", workflowID, event.GetEventId())
		}
		events = append(events, historyEvent{kind: event.GetEventType(), at: event.GetEventTime().AsTime()})
	}
	b, err := breakDownTimer(events, d)
	if err != nil {
		return timerBreakdown{}, fmt.Errorf("history of %s: %w", workflowID, err)
	}
	return b, nil
}

// timerHistories reads the histories of the finished timer workflows (within a
// 30-second budget) and returns a summary of the lag's parts for the note and the
// parts themselves.
func timerHistories(ctx context.Context, e *env, ids []string, finished []bool, d time.Duration) (string, timerParts) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	breakdowns := make([]timerBreakdown, len(ids))
	read := make([]bool, len(ids))
	_ = forEach(ctx, len(ids), 20, func(ctx context.Context, seq int) error {
		if !finished[seq] {
			return nil
		}
		b, err := readTimerHistory(ctx, e, ids[seq], d)
		if err != nil {
			return nil // left out; the count in the note says how many were read
		}
		breakdowns[seq], read[seq] = b, true
		return nil
	})
	var parts timerParts
	for seq := range ids {
		if read[seq] {
			parts.add(breakdowns[seq])
		}
	}
	return breakdownNote(parts, d), parts
}

// breakdownNote summarises the parts of the timer lag so that the note reads as
// the sum they form, per workflow.
func breakdownNote(parts timerParts, d time.Duration) string {
	n := len(parts.fireLag)
	if n == 0 {
		return "lag breakdown: no history could be read"
	}
	spread := func(samples []time.Duration) string {
		return fmt.Sprintf("p50 %s, p99 %s", formatLatency(percentile(samples, 50)), formatLatency(percentile(samples, 99)))
	}
	return fmt.Sprintf("from %d histories, observed lag ≈ first workflow task + server fire lag + dispatch wait (a sum per workflow; the parts' p99s need not add up to the observed p99): "+
		"first workflow task (first WorkflowTaskStarted → WorkflowTaskCompleted; the timer starts when it completes) %s"+
		" + server fire lag (TimerFired − TimerStarted − %v) %s"+
		" + dispatch wait (TimerFired → next WorkflowTaskStarted) %s",
		n, spread(parts.firstTask), d, spread(parts.fireLag), spread(parts.dispatch))
}
