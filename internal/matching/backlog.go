package matching

import (
	"slices"
	"time"
)

// Priority orders and shares a queue's backlog. Tasks with a lower Key are
// dispatched first (keys run from 1, highest, to the manager's PriorityLevels,
// Temporal's default 5; 0 means the middle level, 3 of 5). Within one key, tasks of
// different FairnessKeys share the dispatches in proportion to their Weight (0
// means 1), so one busy tenant cannot starve the others; tasks of one fairness key
// stay FIFO.
type Priority struct {
	Key         int32
	FairnessKey string
	Weight      float32
}

// DefaultPriorityLevels is the number of priority keys when Options leave it unset,
// as in Temporal (matching.priorityLevels).
const DefaultPriorityLevels = 5

// DefaultPriorityKey is the priority of tasks that ask for none at the default
// number of levels.
const DefaultPriorityKey = (DefaultPriorityLevels + 1) / 2

// The range fairness weights are clamped into, as Temporal's matching does at the
// low end; the high end keeps one key from taking every dispatch of its level.
const (
	MinFairnessWeight = 0.001
	MaxFairnessWeight = 1000
)

// Prioritized is implemented by task types that carry a Priority. Tasks of
// other types all share the default priority, in one FIFO.
type Prioritized interface {
	MatchPriority() Priority
}

// priorityOf returns task's level key, in 1..levels, its fairness key and its
// weight, in [MinFairnessWeight, MaxFairnessWeight]. Whatever a task carries,
// there are at most levels keys, and no weight is infinite or NaN.
func priorityOf[T any](task T, levels int32) (int32, string, float64) {
	if levels <= 0 {
		levels = DefaultPriorityLevels
	}
	p, ok := any(task).(Prioritized)
	if !ok {
		return (levels + 1) / 2, "", 1
	}
	pr := p.MatchPriority()
	key, weight := pr.Key, float64(pr.Weight)
	if key <= 0 {
		key = (levels + 1) / 2
	}
	key = min(key, levels)
	return key, pr.FairnessKey, clampWeight(weight)
}

// backlog holds a queue's waiting tasks: by priority key, then shared fairly
// among fairness keys by stride scheduling, each fairness key a FIFO.
type backlog[T any] struct {
	levels []*priorityLevel[T] // ascending key; only levels that hold tasks
	n      int
	// maxKey is the number of priority levels; 0 means DefaultPriorityLevels.
	maxKey int32
	// overrides replace the weight of the tasks of their fairness keys (see
	// setWeightOverrides); nil when the operator set none.
	overrides map[string]float64
}

type priorityLevel[T any] struct {
	key   int32
	fair  map[string]*fairQueue[T]
	order []*fairQueue[T] // the fairness keys with tasks, in arrival order
	// vtime is the pass of the last dispatch: a key that becomes busy again
	// starts here, so idle time earns it no burst.
	vtime float64
	n     int
}

type fairQueue[T any] struct {
	key    string
	tasks  deque[T]
	pass   float64
	weight float64
}

func (b *backlog[T]) Len() int { return b.n }

func (b *backlog[T]) level(key int32) *priorityLevel[T] {
	i, found := slices.BinarySearchFunc(b.levels, key, func(l *priorityLevel[T], k int32) int { return int(l.key - k) })
	if found {
		return b.levels[i]
	}
	l := &priorityLevel[T]{key: key, fair: map[string]*fairQueue[T]{}}
	b.levels = slices.Insert(b.levels, i, l)
	return l
}

func (l *priorityLevel[T]) queue(key string, weight float64) *fairQueue[T] {
	f := l.fair[key]
	if f == nil {
		f = &fairQueue[T]{key: key, weight: weight, pass: l.vtime}
		l.fair[key] = f
	}
	f.weight = weight
	if f.tasks.Len() == 0 {
		f.pass = max(f.pass, l.vtime)
		l.order = append(l.order, f)
	}
	return f
}

// priority is priorityOf with the weight overrides applied.
func (b *backlog[T]) priority(task T) (int32, string, float64) {
	key, fk, w := priorityOf(task, b.maxKey)
	if b.overrides != nil {
		if o, ok := b.overrides[fk]; ok {
			w = o
		}
	}
	return key, fk, w
}

// setWeightOverrides installs the weights that replace those of the tasks of
// their fairness keys (already clamped), and reweighs the keys that wait now.
func (b *backlog[T]) setWeightOverrides(overrides map[string]float64) {
	b.overrides = overrides
	for _, l := range b.levels {
		for _, f := range l.order {
			_, _, f.weight = b.priority(f.tasks.Front())
		}
	}
}

// PushBack adds a task behind the others of its fairness key.
func (b *backlog[T]) PushBack(task T) {
	key, fk, w := b.priority(task)
	l := b.level(key)
	l.queue(fk, w).tasks.PushBack(task)
	l.n++
	b.n++
}

// PushFront puts back a task that was taken but not delivered, ahead of the
// others of its fairness key, and gives its key back the share it used.
func (b *backlog[T]) PushFront(task T) {
	key, fk, w := b.priority(task)
	l := b.level(key)
	f := l.queue(fk, w)
	f.tasks.PushFront(task)
	f.pass = max(l.vtime, f.pass-1/f.weight)
	l.n++
	b.n++
}

// PopFront takes the next task to dispatch. The backlog must not be empty.
func (b *backlog[T]) PopFront() T {
	if b.n == 0 {
		panic("matching: PopFront on an empty backlog")
	}
	// Empty levels are dropped, so the first level holds the next task.
	return b.popAt(0, nextInLevel(b.levels[0]))
}

// nextInLevel is the index in l.order of the fairness key whose turn it is:
// the lowest pass, the earliest to arrive among equals.
func nextInLevel[T any](l *priorityLevel[T]) int {
	best := 0
	for i, f := range l.order {
		if f.pass < l.order[best].pass {
			best = i
		}
	}
	return best
}

// popAt takes the front task of fairness key l.order[fi] of level b.levels[li].
func (b *backlog[T]) popAt(li, fi int) T {
	l := b.levels[li]
	f := l.order[fi]
	task := f.tasks.PopFront()
	l.vtime = f.pass
	f.pass += 1 / f.weight
	if f.tasks.Len() == 0 {
		l.order = slices.Delete(l.order, fi, fi+1)
		if len(l.fair) > 64 {
			delete(l.fair, f.key)
		}
	}
	l.n--
	b.n--
	if l.n == 0 {
		// An empty level is dropped, so the levels slice never holds more
		// than the keys that have tasks.
		b.levels = slices.Delete(b.levels, li, li+1)
	}
	return task
}

// popAllowed takes the next task whose fairness key kl lets dispatch at now:
// levels in priority order, and in a level the allowed key with the lowest
// pass. With none allowed it returns false and how long until one is. The
// backlog must not be empty.
func (b *backlog[T]) popAllowed(kl *keyLimiter, now time.Time) (T, bool, time.Duration) {
	wait := maxRefillDelay
	for li, l := range b.levels {
		best := -1
		for fi, f := range l.order {
			if best >= 0 && f.pass >= l.order[best].pass {
				continue
			}
			if d := kl.wait(f.key, f.weight, now); d > 0 {
				wait = min(wait, d)
				continue
			}
			best = fi
		}
		if best >= 0 {
			f := l.order[best]
			kl.charge(f.key, f.weight, now)
			return b.popAt(li, best), true, 0
		}
	}
	var zero T
	return zero, false, wait
}

// TakeAll removes every task, in dispatch order.
func (b *backlog[T]) TakeAll() []T {
	out := make([]T, 0, b.n)
	for b.n > 0 {
		out = append(out, b.PopFront())
	}
	return out
}
