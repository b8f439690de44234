package matching

// waiter is one blocked Poll. A task is handed to it by sending on handoff, always
// while the queue's lock is held and always after unlinking it, so a waiter that is no
// longer linked has exactly one task buffered for it.
type waiter[T any] struct {
	handoff    chan T // capacity 1
	prev, next *waiter[T]
	linked     bool
}

func newWaiter[T any]() *waiter[T] {
	return &waiter[T]{handoff: make(chan T, 1)}
}

// waiterList is an intrusive doubly linked FIFO of waiters: the longest-waiting poller
// is served first, and a poller that gives up is unlinked in O(1).
type waiterList[T any] struct {
	head, tail *waiter[T]
	n          int
}

func (l *waiterList[T]) Len() int { return l.n }

func (l *waiterList[T]) PushBack(w *waiter[T]) {
	w.prev, w.next, w.linked = l.tail, nil, true
	if l.tail != nil {
		l.tail.next = w
	} else {
		l.head = w
	}
	l.tail = w
	l.n++
}

// PopFront unlinks and returns the longest-waiting waiter. The list must not be empty.
func (l *waiterList[T]) PopFront() *waiter[T] {
	w := l.head
	l.Remove(w)
	return w
}

// Remove unlinks w, which must be linked in l.
func (l *waiterList[T]) Remove(w *waiter[T]) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		l.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		l.tail = w.prev
	}
	w.prev, w.next, w.linked = nil, nil, false
	l.n--
}
