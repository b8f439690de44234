package matching

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestHardening07OfferKeepsABoundedWindow: Offer keeps at most the window in
// memory, refuses the rest, asks for a refill once the backlog runs low, and
// a spilled queue is never collected as idle; a pass with no refusal during
// it ends the spill.
func TestHardening07OfferKeepsABoundedWindow(t *testing.T) {
	var low []QueueKey
	m, v := newVirtualManager(t, Options{Window: 4, IdleQueueTTL: time.Minute, OnLow: func(k QueueKey) { low = append(low, k) }})
	ctx := context.Background()
	for i := range 10 {
		kept := m.Offer(wfQueue, string(rune('a'+i)))
		if kept != (i < 4) {
			t.Fatalf("Offer of task %d kept=%v with a window of 4", i, kept)
		}
	}
	if held, n := m.Held(wfQueue), m.BacklogLen(wfQueue); held != 4 || n != 10 {
		t.Fatalf("held %d, backlog %d; want 4 and 10", held, n)
	}
	mark, ok := m.BeginPass(wfQueue)
	if !ok || !m.Spilled(wfQueue) {
		t.Fatal("a queue that refused tasks does not say so")
	}
	// A waiting poller gets an offered task whatever the backlog holds.
	for range 2 {
		if _, ok := m.Poll(ctx, wfQueue, PollerInfo{}, time.Second); !ok {
			t.Fatal("poll missed a task")
		}
	}
	if len(low) == 0 {
		t.Fatal("no refill asked for with the backlog at half the window")
	}
	// Collection keeps the spilled queue.
	v.Advance(2 * time.Minute)
	m.Add(QueueKey{NamespaceID: "ns", Name: "other", Kind: Workflow}, "x")
	if !m.Spilled(wfQueue) {
		t.Fatal("the spilled queue was collected as idle")
	}
	if held := m.Refill(wfQueue, []string{"e", "f", "g", "h", "i", "j"}); held != 8 {
		t.Fatalf("Refill left %d tasks in memory, want 8", held)
	}
	if !m.EndPass(wfQueue, mark) || m.Spilled(wfQueue) {
		t.Fatal("a pass with no refusal during it did not end the spill")
	}
	if got := m.Drain(wfQueue); !slices.Equal(got, []string{"c", "d", "e", "f", "g", "h", "i", "j"}) {
		t.Fatalf("backlog %v", got)
	}
	// A refusal during a pass asks for another pass.
	for range 5 {
		m.Offer(wfQueue, "t")
	}
	mark, _ = m.BeginPass(wfQueue)
	m.Offer(wfQueue, "late")
	if m.EndPass(wfQueue, mark) {
		t.Fatal("a pass ended the spill although a task was refused during it")
	}
}
