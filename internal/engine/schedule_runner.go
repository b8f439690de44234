package engine

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/sundialdev/sundial/internal/schedule/spec"
	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/timer"
)

// scheduleRetryDelay is how long a schedule waits after the store or a
// start failed before it tries again.
const scheduleRetryDelay = time.Second

// scheduleKey names one schedule.
type scheduleKey struct{ nsID, id string }

// watchKey names a workflow id a schedule started and watches.
type watchKey struct{ nsID, workflowID string }

// scheduleRunner keeps one deadline per schedule and takes the schedules'
// actions when they fall due. Its timer queue's workers are its only
// goroutines; Stop ends them.
type scheduleRunner struct {
	e      *Engine
	timers *timer.Queue[scheduleKey]
	// locks serializes everything done to one schedule: firings and RPCs.
	locks keyedMutex

	mu sync.Mutex
	// watched maps the running workflows of schedules to their schedule, so
	// that a run's close wakes its schedule.
	watched map[watchKey]scheduleKey
	// specs caches compiled specs by schedule, with the conflict token and
	// generation they were compiled at.
	specs map[scheduleKey]compiledSpec
	// woken holds the schedules a closing run woke since their state was
	// last read: the deadline armed after that read must not replace the
	// wake-up with a later one.
	woken map[scheduleKey]struct{}
}

type compiledSpec struct {
	token      int64
	generation string
	spec       *spec.Spec
}

func newScheduleRunner(e *Engine) *scheduleRunner {
	sr := &scheduleRunner{e: e, watched: map[watchKey]scheduleKey{}, specs: map[scheduleKey]compiledSpec{}, woken: map[scheduleKey]struct{}{}}
	sr.timers = timer.New[scheduleKey](e.clock, sr.fire, timer.Options{Workers: 4})
	return sr
}

// lock serializes work on one schedule.
func (sr *scheduleRunner) lock(k scheduleKey) func() {
	return sr.locks.lock(k.nsID + "\x00" + k.id)
}

// compiled returns the schedule's compiled spec, compiling it when the
// schedule changed since.
func (sr *scheduleRunner) compiled(k scheduleKey, st *scheduleState) (*spec.Spec, error) {
	sr.mu.Lock()
	c, ok := sr.specs[k]
	sr.mu.Unlock()
	if ok && c.token == st.ConflictToken && c.generation == st.Generation {
		return c.spec, nil
	}
	sp, err := spec.Compile(st.schedule.GetSpec(), k.nsID+"-"+k.id)
	if err != nil {
		return nil, err
	}
	sr.mu.Lock()
	sr.specs[k] = compiledSpec{token: st.ConflictToken, generation: st.Generation, spec: sp}
	sr.mu.Unlock()
	return sp, nil
}

// track makes the schedule's running workflows wake it when they close.
func (sr *scheduleRunner) track(k scheduleKey, st *scheduleState) {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	for _, r := range st.Running {
		sr.watched[watchKey{k.nsID, r.WorkflowID}] = k
	}
}

// untrack forgets a workflow the schedule no longer watches.
func (sr *scheduleRunner) untrack(k scheduleKey, workflowID string) {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if sr.watched[watchKey{k.nsID, workflowID}] == k {
		delete(sr.watched, watchKey{k.nsID, workflowID})
	}
}

// forget drops everything kept about a deleted schedule.
func (sr *scheduleRunner) forget(k scheduleKey, st *scheduleState) {
	sr.timers.Set(k, time.Time{})
	sr.mu.Lock()
	delete(sr.specs, k)
	sr.mu.Unlock()
	if st != nil {
		for _, r := range st.Running {
			sr.untrack(k, r.WorkflowID)
		}
	}
}

// runClosed is called when a run closes: a schedule that watches its
// workflow id looks at it at once.
func (sr *scheduleRunner) runClosed(nsID, workflowID string) {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if k, ok := sr.watched[watchKey{nsID, workflowID}]; ok {
		sr.woken[k] = struct{}{}
		sr.timers.Set(k, sr.e.clock.Now())
	}
}

// reading marks that the schedule's state is about to be read: wake-ups
// before this point are seen by that read.
func (sr *scheduleRunner) reading(k scheduleKey) {
	sr.mu.Lock()
	delete(sr.woken, k)
	sr.mu.Unlock()
}

// arm sets the schedule's next deadline (none when t is zero), or now when
// a run closed since the schedule's state was read: whoever reads it next
// must see that close.
func (sr *scheduleRunner) arm(k scheduleKey, t time.Time) {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if _, ok := sr.woken[k]; ok {
		delete(sr.woken, k)
		t = sr.e.clock.Now()
	}
	sr.timers.Set(k, t)
}

func (sr *scheduleRunner) start() { sr.timers.Start() }
func (sr *scheduleRunner) stop()  { sr.timers.Stop() }

// fire takes the actions of one schedule that are due.
func (sr *scheduleRunner) fire(k scheduleKey) {
	e := sr.e
	select {
	case <-e.stopped:
		return
	default:
	}
	e.addOutstanding(1)
	defer e.addOutstanding(-1)
	ctx := e.effectsCtx
	unlock := sr.lock(k)
	defer unlock()
	sr.reading(k)
	rec, st, err := e.loadSchedule(ctx, k)
	if errors.Is(err, store.ErrNotFound) {
		sr.forget(k, nil)
		return
	}
	if err != nil {
		e.logStoreFault("reading a schedule failed; will retry", err, "schedule_id", k.id)
		sr.arm(k, e.clock.Now().Add(scheduleRetryDelay))
		return
	}
	next := e.runSchedule(ctx, k, rec, st)
	sr.arm(k, next)
}

// loadSchedule reads one schedule's record.
func (e *Engine) loadSchedule(ctx context.Context, k scheduleKey) (*store.Record, *scheduleState, error) {
	rec, err := e.store.GetRecord(ctx, k.nsID, scheduleRecordKind, k.id)
	if err != nil {
		return nil, nil, err
	}
	st, err := decodeSchedule(rec)
	if err != nil {
		return nil, nil, err
	}
	return rec, st, nil
}

// resumeSchedules arms every schedule in the store, at start.
func (e *Engine) resumeSchedules(ctx context.Context) error {
	return e.eachNamespace(ctx, func(nsID string) error {
		after := ""
		for {
			recs, err := e.store.ListRecords(ctx, nsID, scheduleRecordKind, after, 500)
			if err != nil {
				return err
			}
			for _, r := range recs {
				st, err := decodeSchedule(r)
				if err != nil {
					e.log.Error("a schedule cannot be read; it is left as it is", "schedule_id", r.ID, "error", err)
					continue
				}
				k := scheduleKey{nsID, r.ID}
				e.schedules.track(k, st)
				// Every schedule looks at itself once at start: it takes the
				// actions missed while the server was down and checks on the
				// workflows it watches.
				e.schedules.arm(k, e.clock.Now())
			}
			if len(recs) < 500 {
				return nil
			}
			after = recs[len(recs)-1].ID
		}
	})
}

// eachNamespace calls f with the id of every namespace in the store.
func (e *Engine) eachNamespace(ctx context.Context, f func(nsID string) error) error {
	afterNS := ""
	for {
		namespaces, err := e.store.ListNamespaces(ctx, afterNS, 100)
		if err != nil {
			return err
		}
		for _, ns := range namespaces {
			if err := f(ns.ID); err != nil {
				return err
			}
		}
		if len(namespaces) < 100 {
			return nil
		}
		afterNS = namespaces[len(namespaces)-1].Name
	}
}

// saveSchedule writes st over rec at rec's version.
func (e *Engine) saveSchedule(ctx context.Context, rec *store.Record, st *scheduleState) error {
	data, err := st.encode()
	if err != nil {
		return err
	}
	r := &store.Record{NamespaceID: rec.NamespaceID, Kind: scheduleRecordKind, ID: rec.ID, Data: data}
	if err := e.store.Write(context.WithoutCancel(ctx), &store.Transition{Records: []store.RecordWrite{{Record: r, ExpectedVersion: rec.Version}}}); err != nil {
		return err
	}
	rec.Version, rec.Data = r.Version, data
	return nil
}
