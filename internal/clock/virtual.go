package clock

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Virtual is a Clock whose time moves only when told to, through Advance or AdvanceTo.
// It makes timing tests fast and deterministic and is the base of time skipping.
//
// Callbacks scheduled with AfterFunc run when an advance reaches their deadline, in
// deadline order (ties in scheduling order). Each runs in its own goroutine, and the
// advance waits for it to return before moving on, so a callback observes Now() equal
// to its own deadline and, when Advance returns, every callback it fired has finished.
// A callback may schedule further callbacks; those due within the same advance fire in
// it too. A non-positive duration fires the callback at once in a new goroutine, as
// the wall clock does, without waiting for an advance.
//
// Advance is meant to be driven from one goroutine at a time; Now and AfterFunc are
// safe from any goroutine.
type Virtual struct {
	mu      sync.Mutex
	now     time.Time
	pending simQueue
	// changed is closed and replaced whenever a timer is scheduled, so that
	// WaitForTimers can wait without polling.
	changed chan struct{}
}

var (
	_ Clock       = (*Virtual)(nil)
	_ Housekeeper = (*Virtual)(nil)
)

// NewVirtual returns a virtual clock that reads start until it is advanced.
func NewVirtual(start time.Time) *Virtual {
	return &Virtual{now: start, changed: make(chan struct{})}
}

// Now returns the clock's current time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// AfterFunc schedules f to run once the clock has advanced by d.
func (v *Virtual) AfterFunc(d time.Duration, f func()) Timer {
	return v.schedule(d, f, false)
}

// AfterFuncHousekeeping schedules f like AfterFunc, but NextDeadline,
// PendingTimers and WaitForTimers do not count it.
func (v *Virtual) AfterFuncHousekeeping(d time.Duration, f func()) Timer {
	return v.schedule(d, f, true)
}

func (v *Virtual) schedule(d time.Duration, f func(), chore bool) Timer {
	if d <= 0 {
		go f()
		return &simTimer{owner: v, index: -1, chore: chore}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	t := v.pending.add(v, v.now.Add(d), f, chore)
	if !chore {
		close(v.changed)
		v.changed = make(chan struct{})
	}
	return t
}

// Advance moves the clock forward by d, firing every callback that falls due.
// A negative d does nothing: virtual time never goes backwards.
func (v *Virtual) Advance(d time.Duration) {
	if d < 0 {
		return
	}
	v.AdvanceTo(v.Now().Add(d))
}

// AdvanceTo moves the clock forward to t, firing every callback due at or before t in
// deadline order. If t is not after the current time, only callbacks already due fire
// and the time stays as it is.
func (v *Virtual) AdvanceTo(t time.Time) {
	for {
		f, ok := v.popDue(t)
		if !ok {
			return
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			f()
		}()
		<-done
	}
}

// popDue removes and returns the earliest callback due at or before target, moving the
// clock to its deadline. When none is due it moves the clock to target and reports false.
func (v *Virtual) popDue(target time.Time) (func(), bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if t, ok := v.pending.popDueBy(target); ok {
		if t.at.After(v.now) {
			v.now = t.at
		}
		return t.f, true
	}
	if target.After(v.now) {
		v.now = target
	}
	return nil, false
}

// NextDeadline reports the deadline of the earliest pending callback, if any;
// housekeeping callbacks are left out.
func (v *Virtual) NextDeadline() (time.Time, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.pending.nextDeadline()
}

// PendingTimers reports how many callbacks are scheduled and not yet fired or
// stopped, housekeeping callbacks left out.
func (v *Virtual) PendingTimers() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.pending.deadlines)
}

// WaitForTimers blocks until at least n callbacks are pending or ctx is done. Tests use
// it to know that a goroutine has armed its timer before they advance the clock.
func (v *Virtual) WaitForTimers(ctx context.Context, n int) error {
	for {
		v.mu.Lock()
		count, changed := len(v.pending.deadlines), v.changed
		v.mu.Unlock()
		if count >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("waiting for %d pending timers (have %d): %w", n, count, ctx.Err())
		}
	}
}

// stopTimer removes t if it has not fired yet.
func (v *Virtual) stopTimer(t *simTimer) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.pending.remove(t)
}
