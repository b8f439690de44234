package engine

import "sync"

// evictable reports whether dropping the run from memory loses nothing: the
// store holds all of it and nothing in flight refers to this copy. A closed
// run qualifies unless queries or admitted updates wait on it; an open one
// while it only waits: for a timer, a signal, or a worker to take one of its
// queued tasks (the queue entries outlive the run's copy and stay counted in
// Outstanding; a reload takes them as they are, see adoptStoredTasks). It
// does not qualify with a task running on a worker, events kept in memory
// only, a long poll waiting on it, or cross-run work (children, a parent,
// signals or cancels to other runs) that reloading would re-check; nor when
// a failed commit left it without a state, since the store may then hold
// tasks it never queued, or a failed load may have cost a queue entry
// (requeue). The caller holds r.mu.
func (r *run) evictable() bool {
	if len(r.queries) > 0 || r.admittedUpdates() > 0 {
		return false
	}
	s := r.state
	if s == nil {
		return !r.loaded && !r.requeue
	}
	if !s.Open() {
		return true
	}
	// taskWork counts the queued tasks (dispatched) and the started ones;
	// only queued ones may be left behind.
	if len(r.unsaved) > 0 || r.taskWork != int64(len(r.dispatched)) || r.outstanding != r.taskWork {
		return false
	}
	if len(s.Children) > 0 || s.Parent != nil || len(s.ExternalSignals) > 0 || len(s.ExternalCancels) > 0 {
		return false
	}
	r.changedMu.Lock()
	waited := r.changed != nil
	r.changedMu.Unlock()
	return !waited
}

// runCache holds the runs the engine knows in memory, in a recency list so
// that eviction drops the least recently used evictable runs first.
type runCache struct {
	mu   sync.Mutex
	runs map[runKey]*run
	// newest and oldest are the ends of the recency list through
	// run.newer/run.older.
	newest, oldest *run
	capacity       int
	// evictAt is the size at which the next eviction pass runs; passes are
	// spaced out so that many runs that must stay do not make every insert
	// scan the list.
	evictAt int
}

func newRunCache(capacity int) *runCache {
	return &runCache{runs: map[runKey]*run{}, capacity: capacity, evictAt: capacity}
}

// get returns the run for key, creating an empty (unloaded) one if needed,
// and marks it the most recently used.
func (c *runCache) get(key runKey) *run {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.runs[key]
	if r != nil {
		c.touchLocked(r)
		return r
	}
	if len(c.runs) >= c.evictAt {
		c.evictLocked()
		c.evictAt = max(c.capacity, len(c.runs)+c.capacity/10+1)
	}
	r = &run{key: key}
	c.runs[key] = r
	c.pushNewestLocked(r)
	return r
}

// evictLocked drops evictable runs, least recently used first, until the
// cache is under 90% of its capacity.
func (c *runCache) evictLocked() {
	for r := c.oldest; r != nil && len(c.runs) >= c.capacity*9/10; {
		newer := r.newer
		if r.mu.TryLock() {
			if r.evictable() {
				c.dropLocked(r)
			}
			r.mu.Unlock()
		}
		r = newer
	}
}

// lock returns key's run with r.mu held, making sure it is the copy the cache
// holds: one evicted between lookup and lock is dropped and looked up again.
func (c *runCache) lock(key runKey) *run {
	for {
		r := c.get(key)
		r.mu.Lock()
		c.mu.Lock()
		live := c.runs[key] == r
		c.mu.Unlock()
		if live {
			return r
		}
		r.mu.Unlock()
	}
}

// forget drops a run that no longer exists in the store.
func (c *runCache) forget(key runKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.runs[key]; r != nil {
		r.notify()
		c.dropLocked(r)
	}
}

func (c *runCache) wakeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.runs {
		r.notify()
	}
}

// dropLocked removes r from the map and the recency list.
func (c *runCache) dropLocked(r *run) {
	delete(c.runs, r.key)
	c.unlinkLocked(r)
}

// touchLocked moves r to the newest end of the recency list.
func (c *runCache) touchLocked(r *run) {
	if c.newest == r {
		return
	}
	c.unlinkLocked(r)
	c.pushNewestLocked(r)
}

func (c *runCache) pushNewestLocked(r *run) {
	r.older, r.newer = c.newest, nil
	if c.newest != nil {
		c.newest.newer = r
	} else {
		c.oldest = r
	}
	c.newest = r
}

func (c *runCache) unlinkLocked(r *run) {
	if r.newer != nil {
		r.newer.older = r.older
	} else if c.newest == r {
		c.newest = r.older
	}
	if r.older != nil {
		r.older.newer = r.newer
	} else if c.oldest == r {
		c.oldest = r.newer
	}
	r.newer, r.older = nil, nil
}
