// Package timer keeps one in-memory deadline per key and calls back when it passes.
//
// The engine keeps, for every workflow run, the earliest moment something in that run
// falls due (a user timer, an activity timeout, a retry), and sets it here under the
// run's key. The queue holds all keys in one heap and arms exactly one clock callback,
// for the earliest deadline; when it passes, due keys are handed to a bounded pool of
// workers that call fire. Nothing is persisted: on start the engine rebuilds the queue
// from its store.
package timer

import (
	"container/heap"
	"sync"
	"time"

	"github.com/sundialdev/sundial/internal/clock"
)

// DefaultWorkers is the size of the fire pool when Options.Workers is not set.
const DefaultWorkers = 16

// Options tunes a Queue.
type Options struct {
	// Workers is how many fire calls may run at once. Zero means DefaultWorkers.
	Workers int
	// OnFire, if set, is told how late each fire call starts: the time from
	// its deadline to the moment a worker calls fire. It runs on the worker,
	// just before fire, and must not block.
	OnFire func(lag time.Duration)
}

// Queue calls fire(key) once key's deadline has passed on its clock.
//
// Each key has at most one deadline; setting it again replaces the old one. A deadline
// fires once and is then gone: the callee sets the next one if there is one. The same
// key never fires concurrently with itself: if its next deadline passes while fire(key)
// is still running, it fires again as soon as that call returns.
//
// A fire may still happen for a deadline that passed just before a Clear or a later
// Set, because the two race; fire should treat a call as "look at this key now",
// not as proof that the deadline still stands.
type Queue[K comparable] struct {
	clk     clock.Clock
	fire    func(K)
	onFire  func(time.Duration)
	workers int

	mu        sync.Mutex
	workReady *sync.Cond // signalled when ready gains a key or the queue stops
	deadlines deadlineHeap[K]
	byKey     map[K]*entry[K]
	firing    map[K]struct{} // keys handed to a worker whose fire has not returned
	ready     []dueKey[K]    // keys due, waiting for a worker, oldest first
	readyHead int
	seq       uint64

	alarm    clock.Timer // the single armed clock callback, nil if none
	alarmAt  time.Time
	alarmGen uint64

	started bool
	stopped bool
	wg      sync.WaitGroup
}

// New creates a stopped queue that will call fire for each key whose deadline passes
// on clk. Deadlines may be set before Start; none fires until Start is called.
// fire must not panic and must not call Stop.
func New[K comparable](clk clock.Clock, fire func(K), opts Options) *Queue[K] {
	workers := opts.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	q := &Queue[K]{
		clk:     clk,
		fire:    fire,
		onFire:  opts.OnFire,
		workers: workers,
		byKey:   make(map[K]*entry[K]),
		firing:  make(map[K]struct{}),
	}
	q.workReady = sync.NewCond(&q.mu)
	return q
}

// Start launches the workers and arms the clock for the earliest deadline. Calling it
// again, or after Stop, does nothing.
func (q *Queue[K]) Start() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.started || q.stopped {
		return
	}
	q.started = true
	q.wg.Add(q.workers)
	for range q.workers {
		go q.runWorker()
	}
	q.scheduleLocked()
}

// Stop stops firing and waits for fire calls in progress to return. Deadlines not yet
// fired are dropped from consideration; the queue cannot be restarted.
func (q *Queue[K]) Stop() {
	q.mu.Lock()
	if !q.stopped {
		q.stopped = true
		if q.alarm != nil {
			q.alarm.Stop()
			q.alarm = nil
		}
		q.workReady.Broadcast()
	}
	q.mu.Unlock()
	q.wg.Wait()
}

// Set schedules key to fire at t, replacing any deadline key had. A zero t clears it.
// A t already in the past fires promptly.
func (q *Queue[K]) Set(key K, t time.Time) {
	if t.IsZero() {
		q.Clear(key)
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.seq++
	e, ok := q.byKey[key]
	if !ok {
		e = &entry[K]{key: key, index: -1}
		q.byKey[key] = e
	}
	e.at, e.seq = t, q.seq
	if e.index >= 0 {
		heap.Fix(&q.deadlines, e.index)
	} else {
		heap.Push(&q.deadlines, e)
	}
	if e.index == 0 {
		// Only a new earliest deadline can need dispatching or an earlier alarm.
		q.scheduleLocked()
	}
}

// Clear removes key's deadline, if it has one.
func (q *Queue[K]) Clear(key K) {
	q.mu.Lock()
	defer q.mu.Unlock()
	e, ok := q.byKey[key]
	if !ok {
		return
	}
	delete(q.byKey, key)
	if e.index >= 0 {
		heap.Remove(&q.deadlines, e.index)
	}
	// An alarm armed for the removed deadline fires early and re-arms; cheaper than
	// stopping and re-creating it on every Clear.
}

// Deadline reports key's pending deadline, if it has one.
func (q *Queue[K]) Deadline(key K) (time.Time, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	e, ok := q.byKey[key]
	if !ok {
		return time.Time{}, false
	}
	return e.at, true
}

// Len reports how many keys have a pending deadline.
func (q *Queue[K]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.byKey)
}

// scheduleLocked hands every due key to the workers and makes sure the clock callback
// is armed no later than the earliest remaining deadline. q.mu must be held.
func (q *Queue[K]) scheduleLocked() {
	if !q.started || q.stopped {
		return
	}
	now := q.clk.Now()
	for len(q.deadlines) > 0 && !q.deadlines[0].at.After(now) {
		e := heap.Pop(&q.deadlines).(*entry[K])
		if _, busy := q.firing[e.key]; busy {
			// Held back out of the heap (index -1, still in byKey) until the running
			// fire returns; see finishLocked.
			continue
		}
		delete(q.byKey, e.key)
		q.firing[e.key] = struct{}{}
		q.ready = append(q.ready, dueKey[K]{key: e.key, at: e.at})
		q.workReady.Signal()
	}
	if len(q.deadlines) == 0 {
		return
	}
	next := q.deadlines[0].at
	if q.alarm != nil && !next.Before(q.alarmAt) {
		return
	}
	if q.alarm != nil {
		q.alarm.Stop()
	}
	q.alarmGen++
	gen := q.alarmGen
	q.alarmAt = next
	q.alarm = q.clk.AfterFunc(next.Sub(now), func() { q.onAlarm(gen) })
}

// onAlarm runs on the clock's goroutine when an armed callback fires.
func (q *Queue[K]) onAlarm(gen uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if gen == q.alarmGen {
		q.alarm = nil
	}
	q.scheduleLocked()
}

// runWorker takes due keys one at a time and fires them until the queue stops.
func (q *Queue[K]) runWorker() {
	defer q.wg.Done()
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		for !q.stopped && q.readyHead == len(q.ready) {
			q.workReady.Wait()
		}
		if q.stopped {
			return
		}
		due := q.takeReadyLocked()
		key := due.key
		q.mu.Unlock()
		if q.onFire != nil {
			q.onFire(q.clk.Now().Sub(due.at))
		}
		q.fire(key)
		q.mu.Lock()
		q.finishLocked(key)
	}
}

// dueKey is a key whose deadline at has passed.
type dueKey[K comparable] struct {
	key K
	at  time.Time
}

// takeReadyLocked removes the oldest ready key, reclaiming the slice's space when it
// empties or when the consumed prefix grows large.
func (q *Queue[K]) takeReadyLocked() dueKey[K] {
	var zero dueKey[K]
	key := q.ready[q.readyHead]
	q.ready[q.readyHead] = zero
	q.readyHead++
	switch {
	case q.readyHead == len(q.ready):
		q.ready, q.readyHead = q.ready[:0], 0
	case q.readyHead >= 1024 && q.readyHead*2 >= len(q.ready):
		n := copy(q.ready, q.ready[q.readyHead:])
		clear(q.ready[n:])
		q.ready, q.readyHead = q.ready[:n], 0
	}
	return key
}

// finishLocked records that fire(key) returned and releases a deadline of key that
// fell due meanwhile.
func (q *Queue[K]) finishLocked(key K) {
	delete(q.firing, key)
	if e, ok := q.byKey[key]; ok && e.index < 0 {
		heap.Push(&q.deadlines, e)
		q.scheduleLocked()
	}
}
