package clock

import "time"

// simTimer is a callback scheduled on a simulated clock (Virtual, Skipping).
// index is its position in the owner's heap, -1 once it has fired or been
// stopped.
type simTimer struct {
	owner interface{ stopTimer(*simTimer) bool }
	at    time.Time
	seq   uint64
	f     func()
	index int
}

// Stop removes the callback if it has not fired yet.
func (t *simTimer) Stop() bool { return t.owner.stopTimer(t) }

// simTimerHeap orders timers by deadline, then by scheduling order.
type simTimerHeap []*simTimer

func (h simTimerHeap) Len() int { return len(h) }

func (h simTimerHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}

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
