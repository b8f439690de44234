package matching

// deque is a growable ring buffer: a FIFO that can also take items back at its front.
// The zero value is empty and ready to use.
type deque[T any] struct {
	buf  []T
	head int // index of the front item in buf
	n    int // number of items
}

const minDequeCapacity = 8

// Len reports the number of items.
func (d *deque[T]) Len() int { return d.n }

// PushBack appends t after the last item.
func (d *deque[T]) PushBack(t T) {
	d.growIfFull()
	d.buf[(d.head+d.n)%len(d.buf)] = t
	d.n++
}

// PushFront inserts t before the first item.
func (d *deque[T]) PushFront(t T) {
	d.growIfFull()
	d.head = (d.head - 1 + len(d.buf)) % len(d.buf)
	d.buf[d.head] = t
	d.n++
}

// PopFront removes and returns the first item. It must not be called on an empty deque.
func (d *deque[T]) PopFront() T {
	var zero T
	t := d.buf[d.head]
	d.buf[d.head] = zero
	d.head = (d.head + 1) % len(d.buf)
	d.n--
	if len(d.buf) > minDequeCapacity && d.n <= len(d.buf)/4 {
		d.resize(len(d.buf) / 2)
	}
	return t
}

// TakeAll removes every item and returns them front to back.
func (d *deque[T]) TakeAll() []T {
	out := make([]T, d.n)
	for i := range out {
		out[i] = d.buf[(d.head+i)%len(d.buf)]
	}
	*d = deque[T]{}
	return out
}

func (d *deque[T]) growIfFull() {
	if d.n < len(d.buf) {
		return
	}
	d.resize(max(minDequeCapacity, 2*len(d.buf)))
}

// resize moves the items into a new buffer of the given capacity, front first.
func (d *deque[T]) resize(capacity int) {
	buf := make([]T, capacity)
	for i := range d.n {
		buf[i] = d.buf[(d.head+i)%len(d.buf)]
	}
	d.buf, d.head = buf, 0
}

// Front returns the first item. It must not be called on an empty deque.
func (d *deque[T]) Front() T {
	return d.buf[d.head]
}
