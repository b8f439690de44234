package clock

import (
	"sync"
	"time"
)

// Skipping is the clock of a time-skipping server. Its time flows with the wall
// clock, so work that runs takes real time, and SkipTo moves it forward at once,
// which is how a server skips over the hours a workflow spends waiting on a timer.
//
// Callbacks scheduled with AfterFunc fall due at a deadline on this clock: a wall
// timer is armed for the earliest one (and re-armed after every skip), and a skip
// fires every callback it passes. Due callbacks run one at a time in deadline
// order (ties in scheduling order), on the goroutine that found them due; each
// observes Now() at or after its deadline. A callback must not call SkipTo.
//
// Housekeeping callbacks (AfterFuncHousekeeping) fire the same way when the
// clock reaches them, but NextDeadline, PendingTimers and Changed leave them
// out: they are never a deadline to skip to.
//
// Now, AfterFunc, SkipTo and the inspection methods are safe from any goroutine.
type Skipping struct {
	// origin is the wall reading (with its monotonic part) at creation; start is
	// the clock's time then.
	origin time.Time
	start  time.Time

	// firing serializes the runs of due callbacks, so that they fire in order
	// even when a skip and the wall alarm find them due together.
	firing sync.Mutex

	mu      sync.Mutex
	skipped time.Duration
	pending simQueue
	alarm   *time.Timer // armed for the earliest pending deadline, nil if none
	alarmAt time.Time
	// changed is closed and replaced whenever the pending deadlines change.
	changed chan struct{}
	closed  bool
}

var (
	_ Clock       = (*Skipping)(nil)
	_ Housekeeper = (*Skipping)(nil)
)

// NewSkipping returns a skipping clock that reads start now and moves on with the
// wall clock from there.
func NewSkipping(start time.Time) *Skipping {
	return &Skipping{
		origin:  time.Now(),
		start:   start.Round(0),
		changed: make(chan struct{}),
	}
}

// Now returns the clock's current time: its start, plus the wall time elapsed
// since, plus everything skipped.
func (s *Skipping) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Skipping) nowLocked() time.Time {
	return s.start.Add(time.Since(s.origin) + s.skipped)
}

// Skipped reports how far the clock has been moved ahead of the wall clock.
func (s *Skipping) Skipped() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.skipped
}

// AfterFunc schedules f to run once the clock reaches Now()+d, whether by the
// passing of wall time or by a skip. A non-positive d makes f due at once.
func (s *Skipping) AfterFunc(d time.Duration, f func()) Timer {
	return s.schedule(d, f, false)
}

// AfterFuncHousekeeping schedules f to run once the clock reaches Now()+d, by
// the passing of wall time or by a skip made for some deadline beyond it. It
// is never a deadline to skip to: NextDeadline, PendingTimers and Changed do
// not see it.
func (s *Skipping) AfterFuncHousekeeping(d time.Duration, f func()) Timer {
	return s.schedule(d, f, true)
}

// schedule adds a callback of either kind and re-arms the alarm if it is now
// the earliest.
func (s *Skipping) schedule(d time.Duration, f func(), chore bool) Timer {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.pending.add(s, s.nowLocked().Add(max(d, 0)), f, chore)
	if s.pending.earliest() == t {
		s.armLocked()
	}
	if !chore {
		s.notifyLocked()
	}
	return t
}

// SkipTo moves the clock forward to t, firing on the way, in deadline order,
// every callback due by then: the clock stands at a callback's deadline when it
// runs, so what it schedules relative to Now() lands where it should and fires
// in the same skip if due by t. SkipTo returns once they have all returned. A t
// that is not after Now() skips nothing, though callbacks already due still fire.
func (s *Skipping) SkipTo(t time.Time) {
	s.firing.Lock()
	defer s.firing.Unlock()
	for {
		f, ok := s.popDue(t)
		if !ok {
			return
		}
		f()
	}
}

// NextDeadline reports the deadline of the earliest pending callback, if any;
// housekeeping callbacks are left out.
func (s *Skipping) NextDeadline() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending.nextDeadline()
}

// PendingTimers reports how many callbacks are scheduled and not yet fired or
// stopped, housekeeping callbacks left out.
func (s *Skipping) PendingTimers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending.deadlines)
}

// Changed returns a channel that is closed the next time a callback other
// than housekeeping is scheduled, stopped or fired. Read it before inspecting the clock so that no
// change between the two is missed.
func (s *Skipping) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// Close disarms the wall alarm; no callback fires afterwards. It is idempotent.
func (s *Skipping) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.alarm != nil {
		s.alarm.Stop()
		s.alarm = nil
	}
}

// fireDue runs every callback whose deadline has passed, earliest first, and
// leaves the alarm armed for the next one. The wall alarm calls it.
func (s *Skipping) fireDue() {
	s.firing.Lock()
	defer s.firing.Unlock()
	for {
		f, ok := s.popDue(time.Time{})
		if !ok {
			return
		}
		f()
	}
}

// popDue removes and returns the earliest callback if it is due by now or by
// target, moving the clock to its deadline. When none is, it moves the clock to
// target (a zero target: no move), arms the alarm and reports false.
func (s *Skipping) popDue(target time.Time) (func(), bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, false
	}
	now := s.nowLocked()
	if target.Before(now) {
		target = now
	}
	if t, ok := s.pending.popDueBy(target); ok {
		if t.at.After(now) {
			s.skipped += t.at.Sub(now)
		}
		if !t.chore {
			s.notifyLocked()
		}
		return t.f, true
	}
	if target.After(now) {
		s.skipped += target.Sub(now)
	}
	s.armLocked()
	return nil, false
}

// armLocked makes the wall alarm match the earliest pending callback of
// either kind.
func (s *Skipping) armLocked() {
	if s.closed {
		return
	}
	first := s.pending.earliest()
	if first == nil {
		if s.alarm != nil {
			s.alarm.Stop()
			s.alarm = nil
		}
		return
	}
	next := first.at
	if s.alarm != nil {
		if s.alarmAt.Equal(next) {
			return
		}
		s.alarm.Stop()
	}
	s.alarmAt = next
	s.alarm = time.AfterFunc(next.Sub(s.nowLocked()), s.fireDue)
}

func (s *Skipping) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// stopTimer removes t if it has not fired yet.
func (s *Skipping) stopTimer(t *simTimer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	wasFirst := s.pending.earliest() == t
	if !s.pending.remove(t) {
		return false
	}
	if wasFirst {
		s.armLocked()
	}
	if !t.chore {
		s.notifyLocked()
	}
	return true
}
