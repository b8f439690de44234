package workflowrt

import (
	"container/list"
	"sync"
)

// runCache keeps up to capacity runs between workflow tasks, evicting the least
// recently used. A run is checked out while a task works on it, so no two tasks touch
// one run at once; a query arriving meanwhile rebuilds its own copy from history.
type runCache struct {
	mu       sync.Mutex
	capacity int
	order    *list.List // of *cachedRun, most recently used first
	byRunID  map[string]*list.Element
}

type cachedRun struct {
	runID string
	run   *workflowRun
}

func newRunCache(capacity int) *runCache {
	return &runCache{capacity: capacity, order: list.New(), byRunID: make(map[string]*list.Element)}
}

// checkOut removes and returns the cached run, nil if there is none.
func (c *runCache) checkOut(runID string) *workflowRun {
	c.mu.Lock()
	defer c.mu.Unlock()
	elem, ok := c.byRunID[runID]
	if !ok {
		return nil
	}
	c.order.Remove(elem)
	delete(c.byRunID, runID)
	return elem.Value.(*cachedRun).run
}

// checkIn stores run as the most recently used, closing runs beyond capacity, and
// returns how many other runs it pushed out that way. With a capacity of 0 the run is
// closed at once.
func (c *runCache) checkIn(runID string, run *workflowRun) (forced int) {
	c.mu.Lock()
	var evicted []*workflowRun
	if old, ok := c.byRunID[runID]; ok {
		c.order.Remove(old)
		evicted = append(evicted, old.Value.(*cachedRun).run)
	}
	replaced := len(evicted)
	c.byRunID[runID] = c.order.PushFront(&cachedRun{runID: runID, run: run})
	for c.order.Len() > c.capacity {
		last := c.order.Back()
		c.order.Remove(last)
		entry := last.Value.(*cachedRun)
		delete(c.byRunID, entry.runID)
		evicted = append(evicted, entry.run)
	}
	c.mu.Unlock()
	for _, r := range evicted {
		r.close()
	}
	forced = len(evicted) - replaced
	if c.capacity > 0 || forced == 0 {
		return forced
	}
	return forced - 1 // with no capacity the run itself goes, which is no eviction
}

// evict closes and forgets the run, if cached.
func (c *runCache) evict(runID string) {
	if run := c.checkOut(runID); run != nil {
		run.close()
	}
}

// evictAll closes every cached run.
func (c *runCache) evictAll() {
	c.mu.Lock()
	var runs []*workflowRun
	for e := c.order.Front(); e != nil; e = e.Next() {
		runs = append(runs, e.Value.(*cachedRun).run)
	}
	c.order.Init()
	clear(c.byRunID)
	c.mu.Unlock()
	for _, r := range runs {
		r.close()
	}
}

// size is the number of cached runs.
func (c *runCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
