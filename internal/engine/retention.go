package engine

import (
	"context"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sundialdev/sundial/internal/backoff"
	"github.com/sundialdev/sundial/internal/clock"
	"github.com/sundialdev/sundial/internal/store"
)

// retentionBatch is how many expired runs one sweep deletes before it yields.
const retentionBatch = 500

// retentionBatchSpacing is the pause between two full batches of one
// namespace, so that a large expiry is deleted in paced, logged steps.
const retentionBatchSpacing = time.Second

// Clock steps: every clockStepInterval of real time the engine checks that
// the wall clock moved by as much; a difference beyond clockStepThreshold is a
// step, which holds retention back (see retention.hold).
const (
	clockStepInterval  = 10 * time.Second
	clockStepThreshold = time.Minute
)

// retentionRetries spaces out the sweeps of a namespace whose deletion keeps
// failing (the store cannot write): 30 seconds, doubling up to 15 minutes.
var retentionRetries = backoff.Policy{Initial: 30 * time.Second, Max: 15 * time.Minute}

// DefaultRetentionHold is Config.RetentionHold's default.
const DefaultRetentionHold = 10 * time.Minute

// retention deletes closed runs once their namespace's retention period has
// passed. Each namespace has at most one armed sweep, set for when its oldest
// closed run expires; a sweep deletes what expired and re-arms for the next.
type retention struct {
	e      *Engine
	mu     sync.Mutex
	armed  map[string]clock.Timer // by namespace id
	at     map[string]time.Time
	closed bool
	// holdUntil is when sweeps may run again after a clock step: until then
	// nothing is deleted, giving an operator time to see the warning and fix
	// a wrong clock before runs that only seem expired are gone.
	holdUntil time.Time
	steps     *clock.StepWatcher
	// failures counts each namespace's sweeps that failed in a row.
	failures map[string]int
	// sweeping counts the sweeps running; stop waits for them.
	sweeping sync.WaitGroup
}

func newRetention(e *Engine) *retention {
	return &retention{e: e, armed: map[string]clock.Timer{}, at: map[string]time.Time{}, failures: map[string]int{}}
}

// start arms a sweep for every namespace that has closed runs, and starts
// watching the wall clock for steps.
//
// A namespace whose closed runs have all expired is what a clock set far
// ahead looks like at start (as is a long downtime): its first sweep waits
// RetentionHold, with a warning, instead of deleting everything at once.
func (rt *retention) start(ctx context.Context) error {
	e := rt.e
	after := ""
	for {
		rows, err := e.store.ListNamespaces(ctx, after, 100)
		if err != nil {
			return err
		}
		for _, row := range rows {
			if err := rt.startNamespace(ctx, row.ID); err != nil {
				return err
			}
		}
		if len(rows) < 100 {
			break
		}
		after = rows[len(rows)-1].Name
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if !rt.closed {
		rt.steps = clock.WatchSteps(e.cfg.WallClock, clockStepInterval, clockStepThreshold, rt.clockStepped)
	}
	return nil
}

// startNamespace arms the first sweep of one namespace.
func (rt *retention) startNamespace(ctx context.Context, nsID string) error {
	e := rt.e
	ns, err := e.ns.lookupID(ctx, nsID)
	if err != nil {
		return err
	}
	latest, err := e.store.LatestCloseTime(ctx, nsID)
	if err != nil {
		return err
	}
	now := e.clock.Now()
	ttl := ns.desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration()
	switch {
	case ns.desc.GetNamespaceInfo().GetState() == enumspb.NAMESPACE_STATE_DELETED:
		// A deletion interrupted by a stop carries on.
		rt.sweepSoon(nsID, time.Time{})
	case latest.IsZero() || ttl <= 0:
		rt.sweepSoon(nsID, time.Time{})
	case latest.After(now.Add(clockStepThreshold)):
		e.log.Warn("the clock is behind the latest close time in the database: was it set back? Retention goes by the clock",
			"namespace", ns.name, "latest_close", latest, "now", now)
		rt.sweepSoon(nsID, time.Time{})
	case latest.Add(ttl).Before(now):
		resume := now.Add(e.cfg.RetentionHold)
		e.log.Warn("every closed run of the namespace is past its retention: if the system clock is wrong, stop the server and fix it before deletion starts",
			"namespace", ns.name, "latest_close", latest, "retention", ttl, "now", now, "deletion_starts", resume)
		rt.arm(nsID, resume)
	default:
		rt.sweepSoon(nsID, time.Time{})
	}
	return nil
}

// clockStepped holds every sweep back by RetentionHold after a wall-clock
// step.
func (rt *retention) clockStepped(step time.Duration) {
	e := rt.e
	resume := e.clock.Now().Add(e.cfg.RetentionHold)
	e.log.Warn("the wall clock was stepped; retention deletes nothing until the hold ends",
		"step", step.Round(time.Second), "deletion_resumes", resume)
	rt.mu.Lock()
	rt.holdUntil = resume
	held := make([]string, 0, len(rt.at))
	for nsID, at := range rt.at {
		if at.Before(resume) {
			held = append(held, nsID)
		}
	}
	rt.mu.Unlock()
	for _, nsID := range held {
		rt.rearm(nsID, resume)
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
	if at.Before(rt.holdUntil) {
		at = rt.holdUntil
	}
	if cur, ok := rt.at[nsID]; ok && !cur.After(at) {
		return
	}
	rt.armLocked(nsID, at)
}

// rearm moves nsID's sweep to at, later or earlier.
func (rt *retention) rearm(nsID string, at time.Time) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if !rt.closed {
		rt.armLocked(nsID, at)
	}
}

func (rt *retention) armLocked(nsID string, at time.Time) {
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
	rt.sweeping.Add(1)
	rt.mu.Unlock()
	defer rt.sweeping.Done()

	e := rt.e
	ctx := context.Background()
	ns, err := e.ns.lookupID(ctx, nsID)
	if err != nil {
		return // the namespace is gone
	}
	if ns.desc.GetNamespaceInfo().GetState() == enumspb.NAMESPACE_STATE_DELETED {
		rt.reclaim(ctx, ns)
		return
	}
	ttl := ns.desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration()
	if ttl <= 0 {
		return
	}
	rt.mu.Lock()
	held := e.clock.Now().Before(rt.holdUntil)
	rt.mu.Unlock()
	if held {
		rt.arm(nsID, time.Time{}) // arm clamps to the end of the hold
		return
	}
	cutoff := e.clock.Now().Add(-ttl)
	deleted, err := e.store.DeleteClosedExecutions(ctx, nsID, cutoff, retentionBatch)
	if err == nil && len(deleted) < retentionBatch {
		// The namespace's standalone activities (stored apart) expire alike.
		var activities []store.ExecutionKey
		activities, err = e.store.DeleteClosedExecutions(ctx, StandaloneNamespaceID(nsID), cutoff, retentionBatch-len(deleted))
		deleted = append(deleted, activities...)
	}
	if err == nil && len(deleted) < retentionBatch {
		// So do its standalone Nexus operations.
		var operations []store.ExecutionKey
		operations, err = e.store.DeleteClosedExecutions(ctx, StandaloneNexusNamespaceID(nsID), cutoff, retentionBatch-len(deleted))
		deleted = append(deleted, operations...)
	}
	if err != nil {
		rt.failed(nsID, ns.name, "deleting expired runs failed; will retry", err)
		return
	}
	rt.succeeded(nsID)
	for _, k := range deleted {
		e.runs.forget(runKey{k.NamespaceID, k.WorkflowID, k.RunID})
	}
	if len(deleted) > 0 {
		e.log.Info("deleted runs past their retention", "namespace", ns.name, "count", len(deleted), "closed_before", cutoff)
	}
	if len(deleted) == retentionBatch {
		rt.sweepSoon(nsID, e.clock.Now().Add(retentionBatchSpacing))
		return
	}
	earliest, err := e.store.EarliestCloseTime(ctx, nsID)
	if err == nil {
		var activities time.Time
		activities, err = e.store.EarliestCloseTime(ctx, StandaloneNamespaceID(nsID))
		if !activities.IsZero() && (earliest.IsZero() || activities.Before(earliest)) {
			earliest = activities
		}
	}
	if err == nil {
		var operations time.Time
		operations, err = e.store.EarliestCloseTime(ctx, StandaloneNexusNamespaceID(nsID))
		if !operations.IsZero() && (earliest.IsZero() || operations.Before(earliest)) {
			earliest = operations
		}
	}
	if err != nil {
		rt.failed(nsID, ns.name, "reading the earliest close time failed; will retry", err)
		return
	}
	if !earliest.IsZero() {
		rt.arm(nsID, earliest.Add(ttl))
	}
}

// reclaim removes a batch of a deleted namespace's runs and schedules, and
// arms the next batch while any are left. Unlike expiry it is not held back
// by a clock step: an operator asked for it.
func (rt *retention) reclaim(ctx context.Context, ns *namespace) {
	e := rt.e
	at, err := e.reclaimTime(ctx, ns.id)
	if err != nil {
		rt.failed(ns.id, ns.name, "reading a deleted namespace's deletion failed; will retry", err)
		return
	}
	if at.After(e.clock.Now()) {
		rt.rearm(ns.id, at)
		return
	}
	more, err := e.reclaimDeletedNamespace(ctx, ns)
	if err != nil {
		rt.failed(ns.id, ns.name, "removing a deleted namespace's runs failed; will retry", err)
		return
	}
	rt.succeeded(ns.id)
	if more {
		rt.sweepSoon(ns.id, e.clock.Now().Add(retentionBatchSpacing))
		return
	}
	e.log.Info("a deleted namespace's runs and schedules are removed", "namespace", ns.name)
}

// failed arms the retry of a sweep of nsID that the store failed, after a
// wait that grows with each failure in a row, and logs the failure (once per
// interval for identical ones).
func (rt *retention) failed(nsID, nsName, msg string, err error) {
	rt.mu.Lock()
	rt.failures[nsID]++
	n := rt.failures[nsID]
	rt.mu.Unlock()
	wait := retentionRetries.Delay(n)
	rt.e.logStoreFault(msg, err, "namespace", nsName, "failures", n, "retry_in", wait)
	rt.arm(nsID, rt.e.clock.Now().Add(wait))
}

// succeeded forgets the failures of nsID's sweeps.
func (rt *retention) succeeded(nsID string) {
	rt.mu.Lock()
	delete(rt.failures, nsID)
	rt.mu.Unlock()
}

// stop disarms every sweep and waits for one that is running.
func (rt *retention) stop() {
	rt.mu.Lock()
	rt.closed = true
	if rt.steps != nil {
		rt.steps.Stop()
	}
	for _, t := range rt.armed {
		t.Stop()
	}
	rt.mu.Unlock()
	// A sweep already running finishes before Stop returns, so none uses the
	// store (or logs) after the engine stopped.
	rt.sweeping.Wait()
}
