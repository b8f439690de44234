package engine

import (
	"context"

	historypb "go.temporal.io/api/history/v1"
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

// historyPage reads the first page of the locked run's events [from, to) for
// a task: at most HistoryPageSize events and maxHistoryPageBytes, with the
// token that continues it (nil when the page holds them all).
func (e *Engine) historyPage(ctx context.Context, r *run, from, to int64) ([]*historypb.HistoryEvent, []byte, error) {
	end := min(to, from+int64(e.cfg.HistoryPageSize))
	events, err := e.runEvents(ctx, r, from, end)
	if err != nil {
		return nil, nil, err
	}
	events = trimPage(events, r.state.HistorySize)
	if len(events) == 0 {
		return events, nil, nil
	}
	next := events[len(events)-1].EventId + 1
	if next >= to {
		return events, nil, nil
	}
	return events, encodeHistoryToken(historyToken{runID: r.key.runID, nextEventID: next}), nil
}
