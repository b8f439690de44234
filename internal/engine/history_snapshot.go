package engine

import (
	"context"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// eventsSnapshot is a range of a run's history, taken under the run's lock
// and completed without it: the events the run holds in memory are copied,
// and those before them, which are in the store and never change, are read
// afterwards. So a reader of a long history never holds up the run.
type eventsSnapshot struct {
	key runKey
	// [storedFrom, storedTo) is read from the store.
	storedFrom, storedTo int64
	// memory are the events from storedTo on.
	memory []*historypb.HistoryEvent
}

// snapshotEvents takes the events of r with ids in [from, to). The caller
// holds r.mu; it may release it before calling read.
func (r *run) snapshotEvents(from, to int64) eventsSnapshot {
	snap := eventsSnapshot{key: r.key}
	if from >= to {
		return snap
	}
	tailEnd := r.tailStart + int64(len(r.tail))
	if len(r.tail) == 0 || to > tailEnd || to <= r.tailStart {
		snap.storedFrom, snap.storedTo = from, to
		return snap
	}
	memFrom := max(from, r.tailStart)
	if from < memFrom {
		snap.storedFrom, snap.storedTo = from, memFrom
	}
	snap.memory = append([]*historypb.HistoryEvent(nil), r.tail[memFrom-r.tailStart:to-r.tailStart]...)
	return snap
}

// read completes the snapshot: the stored part from the store, then the part
// taken from memory.
func (s eventsSnapshot) read(ctx context.Context, e *Engine) ([]*historypb.HistoryEvent, error) {
	if s.storedFrom >= s.storedTo {
		return s.memory, nil
	}
	stored, err := e.readEvents(ctx, s.key, s.storedFrom, s.storedTo)
	if err != nil {
		return nil, err
	}
	if len(s.memory) == 0 {
		return stored, nil
	}
	return append(stored, s.memory...), nil
}

// historyPageSnapshot is the first page of a task's history, taken under the
// run's lock and read after it.
type historyPageSnapshot struct {
	snap eventsSnapshot
	// to ends the range the whole history of the task covers; size is the
	// run's history size when taken.
	to, size int64
}

// snapshotPage takes the first page of the locked run's events [from, to)
// for a task: at most HistoryPageSize events (and, once read,
// maxHistoryPageBytes).
func (e *Engine) snapshotPage(r *run, from, to int64) historyPageSnapshot {
	end := min(to, from+int64(e.cfg.HistoryPageSize))
	return historyPageSnapshot{snap: r.snapshotEvents(from, end), to: to, size: r.state.HistorySize}
}

// fill reads the page into resp, with the token that continues it when the
// page does not reach the end of the task's history.
func (p historyPageSnapshot) fill(ctx context.Context, e *Engine, resp *workflowservice.PollWorkflowTaskQueueResponse) error {
	events, err := p.snap.read(ctx, e)
	if err != nil {
		return err
	}
	events = trimPage(events, p.size)
	resp.History = &historypb.History{Events: events}
	if n := len(events); n > 0 && events[n-1].EventId+1 < p.to {
		resp.NextPageToken = encodeHistoryToken(historyToken{runID: p.snap.key.runID, nextEventID: events[n-1].EventId + 1})
	}
	return nil
}
