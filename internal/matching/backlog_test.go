package matching

import (
	"fmt"
	"math"
	"testing"
)

type prioTask struct {
	name string
	p    Priority
}

func (t prioTask) MatchPriority() Priority { return t.p }

func drain(b *backlog[prioTask], n int) []string {
	var out []string
	for i := 0; i < n && b.Len() > 0; i++ {
		out = append(out, b.PopFront().name)
	}
	return out
}

func TestBacklogPriorityKeysFirst(t *testing.T) {
	var b backlog[prioTask]
	b.PushBack(prioTask{"default-1", Priority{}})
	b.PushBack(prioTask{"low", Priority{Key: 5}})
	b.PushBack(prioTask{"high", Priority{Key: 1}})
	b.PushBack(prioTask{"default-2", Priority{Key: 3}})
	got := fmt.Sprint(drain(&b, 10))
	if want := "[high default-1 default-2 low]"; got != want {
		t.Errorf("dispatch order = %s, want %s", got, want)
	}
}

func TestBacklogFairnessSharesByWeight(t *testing.T) {
	var b backlog[prioTask]
	// A busy tenant queues 30 tasks before a quiet one queues 10 with twice the weight.
	for i := range 30 {
		b.PushBack(prioTask{fmt.Sprintf("busy-%d", i), Priority{FairnessKey: "busy"}})
	}
	for i := range 10 {
		b.PushBack(prioTask{fmt.Sprintf("quiet-%d", i), Priority{FairnessKey: "quiet", Weight: 2}})
	}
	first := drain(&b, 15)
	quiet := 0
	for _, n := range first {
		if n[:5] == "quiet" {
			quiet++
		}
	}
	if quiet != 10 {
		t.Errorf("of the first 15 dispatches %d were the quiet tenant's, want 10 (weight 2 against 1): %v", quiet, first)
	}
	// Each tenant's own tasks stay in order.
	lastBusy := -1
	for _, n := range append(first, drain(&b, 100)...) {
		var i int
		if _, err := fmt.Sscanf(n, "busy-%d", &i); err == nil {
			if i != lastBusy+1 {
				t.Fatalf("busy tasks out of order: %d after %d", i, lastBusy)
			}
			lastBusy = i
		}
	}
	if lastBusy != 29 || b.Len() != 0 {
		t.Errorf("last busy task %d, %d left", lastBusy, b.Len())
	}
}

func TestBacklogIdleKeyEarnsNoBurst(t *testing.T) {
	var b backlog[prioTask]
	for i := range 20 {
		b.PushBack(prioTask{fmt.Sprintf("a-%d", i), Priority{FairnessKey: "a"}})
	}
	drain(&b, 10)
	for i := range 5 {
		b.PushBack(prioTask{fmt.Sprintf("b-%d", i), Priority{FairnessKey: "b"}})
	}
	got := fmt.Sprint(drain(&b, 4))
	if want := "[b-0 a-10 b-1 a-11]"; got != want && got != "[a-10 b-0 a-11 b-1]" {
		t.Errorf("after b joins: %s, want the two keys alternating", got)
	}
}

func TestBacklogPushFrontKeepsPlace(t *testing.T) {
	var b backlog[prioTask]
	b.PushBack(prioTask{"x-0", Priority{FairnessKey: "x"}})
	b.PushBack(prioTask{"x-1", Priority{FairnessKey: "x"}})
	b.PushBack(prioTask{"y-0", Priority{FairnessKey: "y"}})
	taken := b.PopFront()
	b.PushFront(taken)
	got := fmt.Sprint(drain(&b, 10))
	if want := "[x-0 y-0 x-1]"; got != want {
		t.Errorf("after a give-back: %s, want %s", got, want)
	}
	if fmt.Sprint(b.TakeAll()) != "[]" {
		t.Error("TakeAll on an empty backlog returned tasks")
	}
}

// TestHardening03BacklogLevelsBounded: whatever keys tasks carry, the backlog has at
// most PriorityLevels levels, and a level that empties is removed.
func TestHardening03BacklogLevelsBounded(t *testing.T) {
	var b backlog[prioTask]
	for i := range 1000 {
		b.PushBack(prioTask{fmt.Sprint(i), Priority{Key: int32(i * 1000)}})
	}
	b.PushBack(prioTask{"negative", Priority{Key: -7}})
	if len(b.levels) > DefaultPriorityLevels {
		t.Fatalf("%d priority levels, want at most %d", len(b.levels), DefaultPriorityLevels)
	}
	for b.Len() > 0 {
		b.PopFront()
	}
	if len(b.levels) != 0 {
		t.Fatalf("%d levels remain in an empty backlog", len(b.levels))
	}
	// Levels come and go with their tasks.
	for key := int32(1); key <= DefaultPriorityLevels; key++ {
		b.PushBack(prioTask{fmt.Sprint(key), Priority{Key: key}})
		b.PopFront()
		if len(b.levels) != 0 {
			t.Fatalf("level %d stayed after its only task left", key)
		}
	}
	custom := backlog[prioTask]{maxKey: 10}
	custom.PushBack(prioTask{"ten", Priority{Key: 10}})
	custom.PushBack(prioTask{"default", Priority{}})
	if got := fmt.Sprint(drain(&custom, 2)); got != "[default ten]" {
		t.Errorf("with 10 levels, dispatch order = %s, want [default ten] (default key 5)", got)
	}
}

// TestHardening03InfiniteWeightCannotStarve: a fairness key with an infinite (or
// NaN) weight shares its level like a key of the maximum weight; it does not take
// every dispatch.
func TestHardening03InfiniteWeightCannotStarve(t *testing.T) {
	for _, w := range []float32{float32(math.Inf(1)), float32(math.NaN())} {
		var b backlog[prioTask]
		for i := range 3000 {
			b.PushBack(prioTask{fmt.Sprint("greedy-", i), Priority{FairnessKey: "greedy", Weight: w}})
		}
		b.PushBack(prioTask{"quiet", Priority{FairnessKey: "quiet"}})
		served := -1
		for i := 0; b.Len() > 0; i++ {
			if b.PopFront().name == "quiet" {
				served = i
				break
			}
		}
		if served < 0 || served > MaxFairnessWeight+1 {
			t.Errorf("weight %v: quiet key served after %d dispatches, want within %d", w, served, MaxFairnessWeight+1)
		}
	}
}
