package matching

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/sundialdev/sundial/internal/clock"
)

// queue is one task queue's in-memory state. The fields from mu down are guarded
// by mu; those above it never change.
//
// Its invariant, restored by dispatchLocked after every change: tasks wait in the
// backlog only while no poller waits, or while the rate limit holds them back (and
// then a refill callback is armed to resume dispatching).
type queue[T any] struct {
	key QueueKey
	clk clock.Clock
	// window bounds the backlog Offer fills; onLow is Options.OnLow.
	window int
	onLow  func(QueueKey)

	mu        sync.Mutex
	backlog   backlog[T]
	waiters   waiterList[T]
	limiter   *dispatchLimiter // nil: no rate limit
	pollers   map[string]*Poller
	pollerTTL time.Duration
	created   time.Time

	// workerRate is the last positive rate a poller asked for (0: none);
	// config is what the operator set (see config.go), which takes precedence.
	workerRate float64
	config     QueueConfig
	keyLimits  *keyLimiter // nil: no per-fairness-key limit

	// lastPoll is when a Poll last started or gave up on this queue.
	lastPoll time.Time

	refill    clock.Timer // armed while the rate limit holds back backlog from waiters
	refillGen uint64

	// unservedSince is when the queue last began holding tasks with no poller
	// waiting (zero while that is not the case); unservedSignal, when set, is
	// closed as that begins.
	unservedSince  time.Time
	unservedSignal chan struct{}

	// spill is the state of tasks the queue refused for want of room (see
	// Manager.Offer); nil while there are none.
	spill *spillState

	// retired is set when the queue's worker said it shut down (Retire) and
	// cleared by its next poll; while set, LastPoll reports no poll.
	retired bool

	closed bool // the manager is closed: polls return at once
	dead   bool // removed from the manager's map: callers must look the key up again
}

func newQueue[T any](key QueueKey, clk clock.Clock, pollerTTL time.Duration, now time.Time, closed bool) *queue[T] {
	return &queue[T]{
		key:       key,
		clk:       clk,
		pollers:   make(map[string]*Poller),
		pollerTTL: pollerTTL,
		created:   now,
		closed:    closed,
	}
}

// pollerPruneThreshold is the poller count above which a new poller identity first
// prunes stale ones, so a busy queue that is never collected stays bounded too.
const pollerPruneThreshold = 64

// dispatchLocked hands backlog tasks to waiting pollers, oldest task to longest
// waiter, as far as the rate limits allow.
func (q *queue[T]) dispatchLocked() {
	for q.backlog.Len() > 0 && q.waiters.Len() > 0 {
		task, ok := q.takeNextLocked()
		if !ok {
			return
		}
		w := q.waiters.PopFront()
		w.handoff <- task
	}
	q.noteServiceLocked()
	q.checkLowLocked()
}

// takeNextLocked takes the next backlog task the rate limits allow, spending
// its tokens; when they allow none, it arms the refill that resumes
// dispatching and returns false. The backlog must not be empty.
func (q *queue[T]) takeNextLocked() (T, bool) {
	if q.limiter == nil && q.keyLimits == nil {
		return q.backlog.PopFront(), true
	}
	var zero T
	now := q.clk.Now()
	if q.limiter != nil && !q.limiter.take(now) {
		q.armRefillLocked(q.limiter.untilToken(now))
		return zero, false
	}
	if q.keyLimits == nil {
		return q.backlog.PopFront(), true
	}
	task, ok, wait := q.backlog.popAllowed(q.keyLimits, now)
	if !ok {
		if q.limiter != nil {
			q.limiter.refund()
		}
		q.armRefillLocked(wait)
		return zero, false
	}
	return task, true
}

// noteServiceLocked records whether tasks wait with no poller to take them.
// Tasks the rate limit holds back while pollers wait do not count.
func (q *queue[T]) noteServiceLocked() {
	if q.backlog.Len() == 0 || q.waiters.Len() > 0 {
		q.unservedSince = time.Time{}
		return
	}
	if q.unservedSince.IsZero() {
		q.unservedSince = q.clk.Now()
	}
	if q.unservedSignal != nil {
		close(q.unservedSignal)
		q.unservedSignal = nil
	}
}

// returnLocked puts back, at the front, a task whose dispatch did not complete, and
// gives back the rate-limit tokens it used.
func (q *queue[T]) returnLocked(task T) {
	if q.limiter != nil {
		q.limiter.refund()
	}
	if q.keyLimits != nil {
		_, fk, w := q.backlog.priority(task)
		q.keyLimits.refund(fk, w)
	}
	q.backlog.PushFront(task)
	q.dispatchLocked()
}

// armRefillLocked arranges for dispatching to resume after wait, when the next
// token is due.
func (q *queue[T]) armRefillLocked(wait time.Duration) {
	if q.refill != nil || q.closed {
		return
	}
	q.refillGen++
	gen := q.refillGen
	q.refill = q.clk.AfterFunc(wait, func() { q.onRefill(gen) })
}

func (q *queue[T]) onRefill(gen uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if gen != q.refillGen {
		return
	}
	q.refill = nil
	if !q.dead {
		q.dispatchLocked()
	}
}

func (q *queue[T]) stopRefillLocked() {
	if q.refill != nil {
		q.refill.Stop()
		q.refill = nil
		q.refillGen++
	}
}

// recordPollLocked notes a poll that starts at now: its poller and any rate limit
// it asks for.
func (q *queue[T]) recordPollLocked(p PollerInfo, now time.Time) {
	q.lastPoll = now
	q.retired = false
	rec, ok := q.pollers[p.Identity]
	if !ok {
		if len(q.pollers) >= pollerPruneThreshold {
			q.prunePollersLocked(now.Add(-q.pollerTTL))
		}
		rec = &Poller{Identity: p.Identity}
		q.pollers[p.Identity] = rec
	}
	rec.LastAccess = now
	// Only a positive rate asks for a limit (NaN compares false); clampRate keeps
	// even an out-of-range one harmless.
	if !(p.MaxTasksPerSecond > 0) {
		return
	}
	perSecond, _ := clampRate(p.MaxTasksPerSecond)
	rec.MaxTasksPerSecond = perSecond
	if q.workerRate != perSecond {
		q.workerRate = perSecond
		q.applyRateLocked(now)
	}
}

// lastPollLocked reports the last poll time, or now while a poller is waiting;
// zero while the queue is retired.
func (q *queue[T]) lastPollLocked() time.Time {
	if q.retired {
		return time.Time{}
	}
	if q.waiters.Len() > 0 {
		return q.clk.Now()
	}
	return q.lastPoll
}

// prunePollersLocked forgets pollers not seen since before cutoff.
func (q *queue[T]) prunePollersLocked(cutoff time.Time) {
	for id, p := range q.pollers {
		if p.LastAccess.Before(cutoff) {
			delete(q.pollers, id)
		}
	}
}

// pollersLocked lists pollers seen since cutoff, most recent first.
func (q *queue[T]) pollersLocked(cutoff time.Time) []Poller {
	q.prunePollersLocked(cutoff)
	out := make([]Poller, 0, len(q.pollers))
	for _, p := range q.pollers {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b Poller) int {
		if c := b.LastAccess.Compare(a.LastAccess); c != 0 {
			return c
		}
		return cmp.Compare(a.Identity, b.Identity)
	})
	return out
}

// idleLocked reports whether the queue holds nothing and has not been polled since
// before cutoff, so forgetting it loses nothing that matters.
func (q *queue[T]) idleLocked(cutoff time.Time) bool {
	return q.backlog.Len() == 0 && q.waiters.Len() == 0 && q.spill == nil &&
		q.lastPoll.Before(cutoff) && q.created.Before(cutoff)
}
