package matching

// A queue's backlog in memory is bounded for the tasks its owner offers with
// Offer: beyond Options.Window such a task is refused, and the owner, which
// keeps every task in its store anyway, finds it there again later. The queue
// remembers that it refused tasks; while it does and its backlog runs low, it
// calls Options.OnLow, and the owner scans its store and brings tasks back
// with Refill. A scan is a pass: BeginPass before it, EndPass after it, and a
// pass during which nothing was refused has found every refused task, which
// ends the queue's spill. Tasks found again may already be in memory, so the
// owner's tasks must be harmless to hand out twice.

// spillState is what a queue knows of the tasks it refused.
type spillState struct {
	// refusals counts refusals, so that a pass can tell whether any happened
	// since it began.
	refusals uint64
	// refused estimates how many refused tasks are not back yet.
	refused int
}

// Offer is Add for a task that its owner can find again: if a poller waits it
// gets the task; otherwise the task joins the backlog if the backlog holds
// fewer than Options.Window tasks, and is refused (false) if not. A refused
// task is the owner's to bring back with Refill.
func (m *Manager[T]) Offer(key QueueKey, task T) bool {
	q := m.lockQueue(key, true)
	defer q.mu.Unlock()
	if q.waiters.Len() == 0 && q.backlog.Len() >= q.window {
		if q.spill == nil {
			q.spill = &spillState{}
		}
		q.spill.refusals++
		q.spill.refused++
		return false
	}
	q.backlog.PushBack(task)
	q.dispatchLocked()
	return true
}

// Refill adds tasks found again after a refusal to the back of key's backlog,
// whatever its size, and reports how many tasks the backlog then holds.
func (m *Manager[T]) Refill(key QueueKey, tasks []T) int {
	q := m.lockQueue(key, true)
	defer q.mu.Unlock()
	for _, t := range tasks {
		q.backlog.PushBack(t)
	}
	if q.spill != nil {
		q.spill.refused = max(0, q.spill.refused-len(tasks))
	}
	q.dispatchLocked()
	return q.backlog.Len()
}

// BeginPass starts a scan for key's refused tasks and returns the mark to end
// it with; ok is false when the queue has refused nothing.
func (m *Manager[T]) BeginPass(key QueueKey) (mark uint64, ok bool) {
	q := m.lockQueue(key, false)
	if q == nil {
		return 0, false
	}
	defer q.mu.Unlock()
	if q.spill == nil {
		return 0, false
	}
	return q.spill.refusals, true
}

// EndPass ends a scan begun with BeginPass. If nothing was refused since, the
// scan found every refused task: the queue's spill is over and EndPass
// reports true. Otherwise a new pass is needed.
func (m *Manager[T]) EndPass(key QueueKey, mark uint64) bool {
	q := m.lockQueue(key, false)
	if q == nil {
		return true
	}
	defer q.mu.Unlock()
	if q.spill == nil {
		return true
	}
	if q.spill.refusals != mark {
		return false
	}
	q.spill = nil
	return true
}

// Spilled reports whether key's queue has refused tasks that no pass has
// found again yet.
func (m *Manager[T]) Spilled(key QueueKey) bool {
	q := m.lockQueue(key, false)
	if q == nil {
		return false
	}
	defer q.mu.Unlock()
	return q.spill != nil
}

// checkLowLocked calls onLow while the queue refused tasks and its backlog
// holds half its window or less.
func (q *queue[T]) checkLowLocked() {
	if q.spill != nil && q.onLow != nil && q.backlog.Len() <= q.window/2 {
		q.onLow(q.key)
	}
}

// Held reports how many tasks key's backlog holds in memory.
func (m *Manager[T]) Held(key QueueKey) int {
	q := m.lockQueue(key, false)
	if q == nil {
		return 0
	}
	defer q.mu.Unlock()
	return q.backlog.Len()
}
