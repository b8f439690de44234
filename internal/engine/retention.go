package engine

import (
	"context"
	"sync"
	"time"

	"github.com/sundialdev/sundial/internal/clock"
)

// retentionBatch is how many expired runs one sweep deletes before it yields.
const retentionBatch = 500

// retention deletes closed runs once their namespace's retention period has
// passed. Each namespace has at most one armed sweep, set for when its oldest
// closed run expires; a sweep deletes what expired and re-arms for the next.
type retention struct {
	e      *Engine
	mu     sync.Mutex
	armed  map[string]clock.Timer // by namespace id
	at     map[string]time.Time
	closed bool
}

func newRetention(e *Engine) *retention {
	return &retention{e: e, armed: map[string]clock.Timer{}, at: map[string]time.Time{}}
}

// start arms a sweep for every namespace that has closed runs.
func (rt *retention) start(ctx context.Context) error {
	after := ""
	for {
		rows, err := rt.e.store.ListNamespaces(ctx, after, 100)
		if err != nil {
			return err
		}
		for _, row := range rows {
			rt.sweepSoon(row.ID, time.Time{})
		}
		if len(rows) < 100 {
			return nil
		}
		after = rows[len(rows)-1].Name
	}
}

// closedRun notes that a run of namespace nsID closed at closeTime, arming a
// sweep if none is.
func (rt *retention) closedRun(nsID string, closeTime time.Time, ttl time.Duration) {
	rt.arm(nsID, closeTime.Add(ttl))
}

// sweepSoon arms a sweep of nsID at t, or at once for the zero time.
func (rt *retention) sweepSoon(nsID string, t time.Time) {
	if t.IsZero() {
		t = rt.e.clock.Now()
	}
	rt.arm(nsID, t)
}

func (rt *retention) arm(nsID string, at time.Time) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		return
	}
	if cur, ok := rt.at[nsID]; ok && !cur.After(at) {
		return
	}
	if t := rt.armed[nsID]; t != nil {
		t.Stop()
	}
	rt.at[nsID] = at
	// Housekeeping: a time-skipping clock runs the sweep when it gets there, but
	// never jumps ahead just to delete closed runs.
	wait := max(at.Sub(rt.e.clock.Now()), 0)
	rt.armed[nsID] = clock.AfterHousekeeping(rt.e.clock, wait, func() { rt.sweep(nsID) })
}

// sweep deletes nsID's expired runs and arms the next sweep.
func (rt *retention) sweep(nsID string) {
	rt.mu.Lock()
	if rt.closed {
		rt.mu.Unlock()
		return
	}
	delete(rt.armed, nsID)
	delete(rt.at, nsID)
	rt.mu.Unlock()

	e := rt.e
	ctx := context.Background()
	ns, err := e.ns.lookupID(ctx, nsID)
	if err != nil {
		return // the namespace is gone
	}
	ttl := ns.desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration()
	if ttl <= 0 {
		return
	}
	deleted, err := e.store.DeleteClosedExecutions(ctx, nsID, e.clock.Now().Add(-ttl), retentionBatch)
	if err != nil {
		e.log.Warn("deleting expired runs failed; will retry", "namespace", ns.name, "error", err)
		rt.arm(nsID, e.clock.Now().Add(time.Minute))
		return
	}
	for _, k := range deleted {
		e.runs.forget(runKey{k.NamespaceID, k.WorkflowID, k.RunID})
	}
	if len(deleted) > 0 {
		e.log.Debug("deleted expired runs", "namespace", ns.name, "count", len(deleted))
	}
	if len(deleted) == retentionBatch {
		rt.sweepSoon(nsID, time.Time{})
		return
	}
	earliest, err := e.store.EarliestCloseTime(ctx, nsID)
	switch {
	case err != nil:
		rt.arm(nsID, e.clock.Now().Add(time.Minute))
	case !earliest.IsZero():
		rt.arm(nsID, earliest.Add(ttl))
	}
}

// stop disarms every sweep.
func (rt *retention) stop() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.closed = true
	for _, t := range rt.armed {
		t.Stop()
	}
}
