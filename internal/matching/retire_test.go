package matching

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestHardening07RetiredStickyQueuesStayBounded: what ShutdownWorker records
// about a sticky queue lives in that queue, so workers that shut down under
// fresh sticky names leave nothing behind once their queues are collected, and
// a retired queue reports no poll until it is polled again.
func TestHardening07RetiredStickyQueuesStayBounded(t *testing.T) {
	m, v := newVirtualManager(t, Options{IdleQueueTTL: time.Minute})
	ctx := context.Background()
	const workers = 1000
	for i := range workers {
		sticky := QueueKey{NamespaceID: "ns", Name: fmt.Sprint("host:", i), Kind: Workflow}
		m.Add(sticky, "cached")
		if _, ok := m.Poll(ctx, sticky, PollerInfo{Identity: "w"}, time.Second); !ok {
			t.Fatal("poll missed its task")
		}
		m.Add(sticky, "left behind")
		if got := m.Retire(sticky); !slices.Equal(got, []string{"left behind"}) {
			t.Fatalf("Retire returned %v, want the backlog", got)
		}
		if !m.LastPoll(sticky).IsZero() {
			t.Fatal("a retired queue still reports a last poll")
		}
		// A worker that never polled leaves no queue to retire.
		m.Retire(QueueKey{NamespaceID: "ns", Name: fmt.Sprint("never-polled:", i), Kind: Workflow})
	}
	if n := m.queueCount(); n != workers {
		t.Fatalf("queueCount = %d after %d shutdowns, want %d", n, workers, workers)
	}
	v.Advance(2 * time.Minute)
	m.Add(QueueKey{NamespaceID: "ns", Name: "next", Kind: Workflow}, "t") // runs the sweep
	if n := m.queueCount(); n != 1 {
		t.Fatalf("queueCount after the sweep = %d, want 1: retired queues must be collected", n)
	}

	// Polling again brings a retired queue back.
	back := QueueKey{NamespaceID: "ns", Name: "host:back", Kind: Workflow}
	m.Add(back, "t")
	m.Poll(ctx, back, PollerInfo{Identity: "w"}, time.Second)
	m.Retire(back)
	m.Add(back, "again")
	if _, ok := m.Poll(ctx, back, PollerInfo{Identity: "w"}, time.Second); !ok {
		t.Fatal("poll of a retired queue missed its task")
	}
	if m.LastPoll(back).IsZero() {
		t.Fatal("a retired queue polled again still reports no poll")
	}
}
