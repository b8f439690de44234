package engine

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/sundialdev/sundial/internal/backoff"
	"github.com/sundialdev/sundial/internal/engine/machine"
)

// deadlineRetries spaces out the retries of a run deadline that failed to
// fire (the store could not commit): one second, doubling up to a minute. A
// deadline is never given up: it is retried until it fires.
var deadlineRetries = backoff.Policy{Initial: time.Second, Max: time.Minute}

// retryDelay is how long a failed run load or task-queue refill waits before
// it is tried again.
const retryDelay = time.Second

// faultLogInterval is how often one kind of repeated store failure is logged;
// the occurrences in between are counted and reported with the next line.
const faultLogInterval = 10 * time.Second

// onDeadline runs when a run's earliest deadline passes.
func (e *Engine) onDeadline(key runKey) {
	select {
	case <-e.stopped:
		return
	default:
	}
	e.addOutstanding(1)
	defer e.addOutstanding(-1)
	ctx := context.Background()
	fired := false
	err := e.update(ctx, key, func(r *run, tx *machine.Tx) error {
		changed, err := tx.FireDeadlines()
		if err != nil {
			return err
		}
		if !changed {
			return errNoChange
		}
		fired = true
		return nil
	})
	if err != nil {
		e.deadlineFailed(key, err)
		return
	}
	r := e.runs.lock(key)
	defer r.mu.Unlock()
	r.deadlineFailures, r.deadlineRetryAt = 0, time.Time{}
	if r.state == nil {
		return
	}
	next := r.state.NextDeadline()
	if now := e.clock.Now(); !next.IsZero() && !next.After(now) {
		if fired {
			// Firing one deadline can make another due at once (a retry whose
			// schedule-to-start already passed after a long stop): fire again.
			e.timers.Set(key, now)
			return
		}
		// Due, yet nothing to fire: a disagreement between NextDeadline and
		// FireDeadlines. Back off rather than spin.
		e.log.Warn("run deadline is due but nothing fired; backing off", e.runLogAttrs(key, "deadline", next)...)
		next = now.Add(deadlineRetries.Initial)
	}
	e.timers.Set(key, next)
}

// deadlineFailed arms the retry of a deadline that could not fire, backing
// off the run so that nothing re-arms it earlier (see dispatch).
func (e *Engine) deadlineFailed(key runKey, err error) {
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return // the run is gone, and its deadlines with it
	}
	select {
	case <-e.stopped:
		return
	default:
	}
	r := e.runs.lock(key)
	defer r.mu.Unlock()
	r.deadlineFailures++
	wait := deadlineRetries.Delay(r.deadlineFailures)
	r.deadlineRetryAt = e.clock.Now().Add(wait)
	e.timers.Set(key, r.deadlineRetryAt)
	e.logStoreFault("firing run deadline failed; will retry", err,
		e.runLogAttrs(key, "failures", r.deadlineFailures, "retry_in", wait)...)
}

// logStoreFault logs a failure of the store at WARN, at most once per
// faultLogInterval for the same message and error, with the number of
// identical failures held back since the previous line.
func (e *Engine) logStoreFault(msg string, err error, attrs ...any) {
	ok, suppressed := e.faultLogs.Allow(msg+"\x00"+err.Error(), e.cfg.WallClock.Now())
	if !ok {
		return
	}
	if suppressed > 0 {
		attrs = append(attrs, "repeated", suppressed)
	}
	attrs = append(attrs, "error", err)
	e.log.Warn(msg, attrs...)
}
