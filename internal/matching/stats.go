package matching

// QueueStats is what one queue holds at a moment, for metrics.
type QueueStats struct {
	Key QueueKey
	// Backlog counts the tasks waiting for a poller, in memory or left in
	// the owner's store (as BacklogLen).
	Backlog int
	// Waiting counts the polls parked on the queue.
	Waiting int
}

// Stats calls fn with the state of every queue the manager holds. It takes
// each queue's lock only long enough to read two counters, so it may run
// while tasks flow; fn runs with no lock held.
func (m *Manager[T]) Stats(fn func(QueueStats)) {
	m.mu.RLock()
	queues := make([]*queue[T], 0, len(m.queues))
	for _, q := range m.queues {
		queues = append(queues, q)
	}
	m.mu.RUnlock()
	for _, q := range queues {
		q.mu.Lock()
		s := QueueStats{Key: q.key, Backlog: q.backlog.Len(), Waiting: q.waiters.Len()}
		if q.spill != nil {
			s.Backlog += q.spill.refused
		}
		q.mu.Unlock()
		fn(s)
	}
}
