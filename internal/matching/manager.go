// Package matching pairs tasks with the workers that long-poll for them.
//
// A Manager holds one in-memory queue per (namespace, task queue name, kind). A task
// offered while a poller waits goes straight to that poller (sync match); otherwise it
// waits in the queue's FIFO backlog. Pollers are served in arrival order, and a queue
// may carry a dispatch rate limit that pollers ask for, or that an operator sets with
// a QueueConfig (which also limits each fairness key and overrides weights).
//
// Nothing here is durable. The engine records every pending task in its store and,
// on start, offers them again; a task handed to a poller that has gone away is put
// back at the front of its queue, so in memory no task is ever lost. A task offered
// with Offer may be refused when its queue already holds a window of tasks; its owner
// then brings it back from its store when the queue runs low (see spill.go). Queues that hold
// nothing and have not been polled for a while are forgotten, so that many short-lived
// sticky queue names do not accumulate.
package matching

import (
	"context"
	"sync"
	"time"

	"github.com/sundialdev/sundial/internal/clock"
)

// Manager holds the task queues. It is safe for concurrent use. Create it with New.
type Manager[T any] struct {
	clk  clock.Clock
	opts Options

	mu        sync.RWMutex // guards queues, configs, closed and nextSweep; taken before any queue's mu
	queues    map[QueueKey]*queue[T]
	configs   map[ConfigKey]QueueConfig // set by SetConfig; nil until then
	closed    bool
	nextSweep time.Time
	closedCh  chan struct{} // closed by Close
}

// New creates an empty Manager reading time from clk.
func New[T any](clk clock.Clock, opts Options) *Manager[T] {
	opts = opts.withDefaults()
	return &Manager[T]{
		clk:       clk,
		opts:      opts,
		queues:    make(map[QueueKey]*queue[T]),
		nextSweep: clk.Now().Add(opts.IdleQueueTTL),
		closedCh:  make(chan struct{}),
	}
}

// Add offers task on queue key. If a poller waits there (and the rate limit allows),
// the task is handed to the longest-waiting one; otherwise it joins the back of the
// backlog. Tasks added after Close are kept in the backlog for Drain.
func (m *Manager[T]) Add(key QueueKey, task T) {
	q := m.lockQueue(key, true)
	defer q.mu.Unlock()
	q.backlog.PushBack(task)
	q.dispatchLocked()
}

// Poll waits for a task on queue key until ctx is done, maxWait has elapsed on the
// clock (a non-positive maxWait means no limit besides ctx), or the Manager closes.
// It returns the task and true, or the zero T and false.
//
// If a task was handed to this poller but ctx ended before the poller took it, the
// task goes back to the front of the backlog (or to the next waiting poller). A task
// handed over just as maxWait elapses or the Manager closes is still returned.
func (m *Manager[T]) Poll(ctx context.Context, key QueueKey, p PollerInfo, maxWait time.Duration) (T, bool) {
	if ctx.Err() != nil {
		var zero T
		return zero, false
	}
	q, w, task, ok := m.takeOrPark(key, p)
	if w == nil {
		return task, ok
	}
	return m.await(ctx, q, w, maxWait)
}

// takeOrPark records the poll and either takes the next backlog task at once, or
// (when the backlog is empty, others wait first, or the rate limit holds) parks a new
// waiter at the back of the line and returns it.
func (m *Manager[T]) takeOrPark(key QueueKey, p PollerInfo) (*queue[T], *waiter[T], T, bool) {
	var zero T
	q := m.lockQueue(key, true)
	defer q.mu.Unlock()
	now := m.clk.Now()
	q.recordPollLocked(p, now)
	if q.closed {
		return q, nil, zero, false
	}
	if q.waiters.Len() == 0 && q.backlog.Len() > 0 {
		if task, ok := q.takeNextLocked(); ok {
			q.noteServiceLocked()
			q.checkLowLocked()
			return q, nil, task, true
		}
	}
	w := newWaiter[T]()
	q.waiters.PushBack(w)
	q.dispatchLocked()
	return q, w, zero, false
}

// await blocks a parked waiter until it is handed a task, ctx ends, maxWait elapses
// or the Manager closes, and settles what it was handed.
func (m *Manager[T]) await(ctx context.Context, q *queue[T], w *waiter[T], maxWait time.Duration) (T, bool) {
	var zero T
	var expired <-chan struct{}
	if maxWait > 0 {
		ch := make(chan struct{})
		timer := m.clk.AfterFunc(maxWait, func() { close(ch) })
		defer timer.Stop()
		expired = ch
	}

	select {
	case task := <-w.handoff:
		if ctx.Err() == nil {
			return task, true
		}
		q.mu.Lock()
		m.giveBackLocked(q, task)
		return zero, false
	case <-ctx.Done():
	case <-expired:
	case <-m.closedCh:
	}

	q.mu.Lock()
	if w.linked {
		q.waiters.Remove(w)
		q.lastPoll = m.clk.Now()
		q.mu.Unlock()
		return zero, false
	}
	// The task was handed over while we were giving up; it is in the buffer.
	task := <-w.handoff
	if ctx.Err() != nil {
		m.giveBackLocked(q, task)
		return zero, false
	}
	q.mu.Unlock()
	return task, true
}

// giveBackLocked returns an undelivered task to the front of q and unlocks q. If q
// has meanwhile been forgotten, the task goes to the queue now registered under its
// key instead.
func (m *Manager[T]) giveBackLocked(q *queue[T], task T) {
	q.lastPoll = m.clk.Now()
	if !q.dead {
		q.returnLocked(task)
		q.mu.Unlock()
		return
	}
	q.mu.Unlock()
	live := m.lockQueue(q.key, true)
	live.returnLocked(task)
	live.mu.Unlock()
}

// Drain removes and returns q's whole backlog, oldest first. The engine uses it to
// move a sticky queue's tasks to the normal queue.
func (m *Manager[T]) Drain(key QueueKey) []T {
	q := m.lockQueue(key, false)
	if q == nil {
		return nil
	}
	defer q.mu.Unlock()
	if q.backlog.Len() == 0 {
		return nil
	}
	tasks := q.backlog.TakeAll()
	q.noteServiceLocked()
	return tasks
}

// Retire drains key's backlog like Drain and marks the queue as given up by
// its worker: LastPoll reports zero until the queue is polled again. The mark
// lives in the queue, so it goes when an idle queue is forgotten, and a queue
// that does not exist is not created for it.
func (m *Manager[T]) Retire(key QueueKey) []T {
	q := m.lockQueue(key, false)
	if q == nil {
		return nil
	}
	defer q.mu.Unlock()
	q.retired = true
	if q.backlog.Len() == 0 {
		return nil
	}
	tasks := q.backlog.TakeAll()
	q.noteServiceLocked()
	return tasks
}

// Unserved reports since when queue key has held tasks with no poller waiting
// for them. While that is not the case it returns the zero time and a channel
// that is closed when it becomes so (it may also be closed early, when the
// queue is forgotten); callers then ask again.
func (m *Manager[T]) Unserved(key QueueKey) (time.Time, <-chan struct{}) {
	q := m.lockQueue(key, true)
	defer q.mu.Unlock()
	if !q.unservedSince.IsZero() {
		return q.unservedSince, nil
	}
	if q.unservedSignal == nil {
		q.unservedSignal = make(chan struct{})
	}
	return time.Time{}, q.unservedSignal
}

// BacklogLen reports about how many tasks wait in q's backlog: those in
// memory and those Offer refused and Refill has not brought back.
func (m *Manager[T]) BacklogLen(key QueueKey) int {
	q := m.lockQueue(key, false)
	if q == nil {
		return 0
	}
	defer q.mu.Unlock()
	n := q.backlog.Len()
	if q.spill != nil {
		n += q.spill.refused
	}
	return n
}

// LastPoll reports when q was last polled: the current time while a poller is
// waiting on it, otherwise when the last poll started or gave up; zero if q has not
// been polled, has been forgotten as idle, or was retired and not polled since.
func (m *Manager[T]) LastPoll(key QueueKey) time.Time {
	q := m.lockQueue(key, false)
	if q == nil {
		return time.Time{}
	}
	defer q.mu.Unlock()
	return q.lastPollLocked()
}

// Pollers lists the pollers seen on q within Options.PollerTTL, most recent first.
func (m *Manager[T]) Pollers(key QueueKey) []Poller {
	q := m.lockQueue(key, false)
	if q == nil {
		return nil
	}
	defer q.mu.Unlock()
	return q.pollersLocked(m.clk.Now().Add(-m.opts.PollerTTL))
}

// Close wakes every waiting poller with (zero, false) and makes later polls return at
// once. Backlogs stay available to Drain. Close is idempotent.
func (m *Manager[T]) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	m.closed = true
	close(m.closedCh)
	for _, q := range m.queues {
		q.mu.Lock()
		q.closed = true
		q.stopRefillLocked()
		q.mu.Unlock()
	}
}

// lockQueue returns key's queue with its mu held, creating it if create is set;
// without create it returns nil for an unknown key.
func (m *Manager[T]) lockQueue(key QueueKey, create bool) *queue[T] {
	for {
		m.mu.RLock()
		q := m.queues[key]
		m.mu.RUnlock()
		if q == nil {
			if !create {
				return nil
			}
			q = m.createQueue(key)
		}
		q.mu.Lock()
		if !q.dead {
			return q
		}
		q.mu.Unlock()
	}
}

// createQueue registers a queue for key, first forgetting idle queues if a sweep is
// due. Sweeping only when the map is about to grow bounds its size without a
// background goroutine, at a cost amortized over one IdleQueueTTL.
func (m *Manager[T]) createQueue(key QueueKey) *queue[T] {
	m.mu.Lock()
	defer m.mu.Unlock()
	if q, ok := m.queues[key]; ok {
		return q
	}
	now := m.clk.Now()
	if !now.Before(m.nextSweep) {
		m.sweepLocked(now)
	}
	q := newQueue[T](key, m.clk, m.opts.PollerTTL, now, m.closed)
	q.backlog.maxKey = m.opts.PriorityLevels
	q.window, q.onLow = m.opts.Window, m.opts.OnLow
	if cfg, ok := m.configs[configKeyOf(key)]; ok {
		q.applyConfigLocked(cfg, now)
	}
	m.queues[key] = q
	return q
}

// sweepLocked forgets every idle queue and prunes stale pollers. m.mu must be held.
func (m *Manager[T]) sweepLocked(now time.Time) {
	idleCutoff := now.Add(-m.opts.IdleQueueTTL)
	pollerCutoff := now.Add(-m.opts.PollerTTL)
	for key, q := range m.queues {
		q.mu.Lock()
		if q.idleLocked(idleCutoff) {
			q.dead = true
			q.stopRefillLocked()
			if q.unservedSignal != nil {
				// Watchers look the key up again and find its next queue.
				close(q.unservedSignal)
				q.unservedSignal = nil
			}
			delete(m.queues, key)
		} else {
			q.prunePollersLocked(pollerCutoff)
		}
		q.mu.Unlock()
	}
	m.nextSweep = now.Add(m.opts.IdleQueueTTL / 2)
}

// queueCount reports how many queues are held; tests use it to observe collection.
func (m *Manager[T]) queueCount() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.queues)
}
