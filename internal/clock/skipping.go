package clock

import (
	"container/heap"
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
	pending simTimerHeap
	seq     uint64
	alarm   *time.Timer // armed for the earliest pending deadline, nil if none
	alarmAt time.Time
	// changed is closed and replaced whenever the pending set changes.
	changed chan struct{}
	closed  bool
}

var _ Clock = (*Skipping)(nil)

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
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	t := &simTimer{owner: s, at: s.nowLocked().Add(max(d, 0)), seq: s.seq, f: f}
	heap.Push(&s.pending, t)
	if t.index == 0 {
		s.armLocked()
	}
	s.notifyLocked()
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

// NextDeadline reports the deadline of the earliest pending callback, if any.
func (s *Skipping) NextDeadline() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) == 0 {
		return time.Time{}, false
	}
	return s.pending[0].at, true
}

// PendingTimers reports how many callbacks are scheduled and not yet fired or
// stopped.
func (s *Skipping) PendingTimers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// Changed returns a channel that is closed the next time a callback is
// scheduled, stopped or fired. Read it before inspecting the clock so that no
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
	if len(s.pending) > 0 && !s.pending[0].at.After(target) {
		t := heap.Pop(&s.pending).(*simTimer)
		if t.at.After(now) {
			s.skipped += t.at.Sub(now)
		}
		s.notifyLocked()
		return t.f, true
	}
	if target.After(now) {
		s.skipped += target.Sub(now)
	}
	s.armLocked()
	return nil, false
}

// armLocked makes the wall alarm match the earliest pending deadline.
func (s *Skipping) armLocked() {
	if s.closed {
		return
	}
	if len(s.pending) == 0 {
		if s.alarm != nil {
			s.alarm.Stop()
			s.alarm = nil
		}
		return
	}
	next := s.pending[0].at
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
	if t.index < 0 {
		return false
	}
	wasFirst := t.index == 0
	heap.Remove(&s.pending, t.index)
	if wasFirst {
		s.armLocked()
	}
	s.notifyLocked()
	return true
}
