package main

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// serverFireLag reads a TimerLag workflow's history and returns how late the
// server fired its timer: the TimerFired event's time minus (the TimerStarted
// event's time + d). Unlike the lag the workflow observes, it leaves out the
// worker's time to answer the first workflow task and the dispatch of the task
// that reports the timer.
func serverFireLag(ctx context.Context, e *env, workflowID string, d time.Duration) (time.Duration, error) {
	iter := e.client.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var started, fired time.Time
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			return 0, fmt.Errorf("reading history of %s: %w", workflowID, err)
		}
		switch event.GetEventType() {
		case enumspb.EVENT_TYPE_TIMER_STARTED:
			started = event.GetEventTime().AsTime()
		case enumspb.EVENT_TYPE_TIMER_FIRED:
			fired = event.GetEventTime().AsTime()
		}
	}
	if started.IsZero() || fired.IsZero() {
		return 0, fmt.Errorf("history of %s has no started and fired timer", workflowID)
	}
	return fired.Sub(started.Add(d)), nil
}

// serverFireLags reads the histories of the finished timer workflows (within a
// 30-second budget) and returns the server-side firing lags and a summary of them
// for the note.
func serverFireLags(ctx context.Context, e *env, ids []string, finished []bool, d time.Duration) (string, []time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	lags := make([]time.Duration, len(ids))
	read := make([]bool, len(ids))
	_ = forEach(ctx, len(ids), 20, func(ctx context.Context, seq int) error {
		if !finished[seq] {
			return nil
		}
		lag, err := serverFireLag(ctx, e, ids[seq], d)
		if err != nil {
			return nil // left out; the count below says how many were read
		}
		lags[seq], read[seq] = lag, true
		return nil
	})
	var samples []time.Duration
	for seq := range ids {
		if read[seq] {
			samples = append(samples, lags[seq])
		}
	}
	if len(samples) == 0 {
		return "server fire lag: no history could be read", nil
	}
	return fmt.Sprintf("server fire lag (TimerFired − TimerStarted − %v, from %d histories) p50 %s, p99 %s",
		d, len(samples), formatLatency(percentile(samples, 50)), formatLatency(percentile(samples, 99))), samples
}
