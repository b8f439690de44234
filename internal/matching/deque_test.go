package matching

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestDequeMatchesSliceModel drives a deque and a plain slice with the same random
// operations, through many grow, shrink and wrap-around cycles.
func TestDequeMatchesSliceModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var d deque[int]
	var model []int
	for i := range 60000 {
		switch op := rng.IntN(10); {
		case op < 4 || (op < 6 && i < 30000):
			d.PushBack(i)
			model = append(model, i)
		case op < 6:
			d.PushFront(i)
			model = append([]int{i}, model...)
		case len(model) > 0:
			got := d.PopFront()
			if got != model[0] {
				t.Fatalf("step %d: PopFront = %d, want %d", i, got, model[0])
			}
			model = model[1:]
		}
		if d.Len() != len(model) {
			t.Fatalf("step %d: Len = %d, want %d", i, d.Len(), len(model))
		}
		if i%20000 == 0 {
			if got := d.TakeAll(); !slices.Equal(got, model) {
				t.Fatalf("step %d: TakeAll = %d items, differs from model", i, len(got))
			}
			model = model[:0]
		}
	}
}

func TestDequeShrinksAfterBurst(t *testing.T) {
	var d deque[int]
	for i := range 10000 {
		d.PushBack(i)
	}
	for range 9990 {
		d.PopFront()
	}
	if c := len(d.buf); c > 64 {
		t.Fatalf("capacity %d after draining to 10 items, want it shrunk", c)
	}
	for want := 9990; want < 10000; want++ {
		if got := d.PopFront(); got != want {
			t.Fatalf("PopFront = %d, want %d", got, want)
		}
	}
}
