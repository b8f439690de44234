package clock

import (
	"container/heap"
	"time"
)

// simTimer is a callback scheduled on a simulated clock (Virtual, Skipping).
// index is its position in the owner's heap, -1 once it has fired or been
// stopped. A chore is a housekeeping callback (see AfterHousekeeping).
type simTimer struct {
	owner interface{ stopTimer(*simTimer) bool }
	at    time.Time
	seq   uint64
	f     func()
	index int
	chore bool
}

// Stop removes the callback if it has not fired yet.
func (t *simTimer) Stop() bool { return t.owner.stopTimer(t) }

// before orders timers by deadline, then by scheduling order.
func (t *simTimer) before(u *simTimer) bool {
	if t.at.Equal(u.at) {
		return t.seq < u.seq
	}
	return t.at.Before(u.at)
}

// simTimerHeap orders timers by deadline, then by scheduling order.
type simTimerHeap []*simTimer

func (h simTimerHeap) Len() int { return len(h) }

func (h simTimerHeap) Less(i, j int) bool { return h[i].before(h[j]) }

func (h simTimerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *simTimerHeap) Push(x any) {
	t := x.(*simTimer)
	t.index = len(*h)
	*h = append(*h, t)
}

func (h *simTimerHeap) Pop() any {
	old := *h
	n := len(old)
	t := old[n-1]
	old[n-1] = nil
	t.index = -1
	*h = old[:n-1]
	return t
}

// simQueue holds a simulated clock's pending callbacks in two heaps: the
// deadlines (what workflows wait on, which a skipping clock may jump to) and
// the chores (housekeeping, which fires when the clock gets there but is never
// a reason to move it). Callers hold the owner's lock.
type simQueue struct {
	deadlines simTimerHeap
	chores    simTimerHeap
	seq       uint64
}

// add schedules f at at, as a chore or a deadline, and returns its timer.
func (q *simQueue) add(owner interface{ stopTimer(*simTimer) bool }, at time.Time, f func(), chore bool) *simTimer {
	q.seq++
	t := &simTimer{owner: owner, at: at, seq: q.seq, f: f, chore: chore}
	heap.Push(q.heapOf(t), t)
	return t
}

// heapOf is the heap t belongs in.
func (q *simQueue) heapOf(t *simTimer) *simTimerHeap {
	if t.chore {
		return &q.chores
	}
	return &q.deadlines
}

// earliest is the first pending callback of either kind, nil if none.
func (q *simQueue) earliest() *simTimer {
	switch {
	case len(q.deadlines) == 0 && len(q.chores) == 0:
		return nil
	case len(q.chores) == 0:
		return q.deadlines[0]
	case len(q.deadlines) == 0:
		return q.chores[0]
	case q.chores[0].before(q.deadlines[0]):
		return q.chores[0]
	default:
		return q.deadlines[0]
	}
}

// popDueBy removes and returns the earliest callback if its deadline is at or
// before target.
func (q *simQueue) popDueBy(target time.Time) (*simTimer, bool) {
	t := q.earliest()
	if t == nil || t.at.After(target) {
		return nil, false
	}
	heap.Pop(q.heapOf(t))
	return t, true
}

// nextDeadline is the earliest pending deadline, chores left out.
func (q *simQueue) nextDeadline() (time.Time, bool) {
	if len(q.deadlines) == 0 {
		return time.Time{}, false
	}
	return q.deadlines[0].at, true
}

// remove takes t out if it is still pending and reports whether it was.
func (q *simQueue) remove(t *simTimer) bool {
	if t.index < 0 {
		return false
	}
	heap.Remove(q.heapOf(t), t.index)
	return true
}
