package timer

import "time"

// entry is one key's deadline. index is its position in the deadline heap, or -1 while
// it is out of the heap: due but held back because the same key is still firing.
type entry[K comparable] struct {
	key   K
	at    time.Time
	seq   uint64
	index int
}

// deadlineHeap is a min-heap of entries ordered by deadline, ties broken by the order in
// which they were set. It implements container/heap.Interface.
type deadlineHeap[K comparable] []*entry[K]

func (h deadlineHeap[K]) Len() int { return len(h) }

func (h deadlineHeap[K]) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}

func (h deadlineHeap[K]) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *deadlineHeap[K]) Push(x any) {
	e := x.(*entry[K])
	e.index = len(*h)
	*h = append(*h, e)
}

func (h *deadlineHeap[K]) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	e.index = -1
	*h = old[:n-1]
	return e
}
