package matching

import (
	"context"
	"testing"
	"time"
)

func requireClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: signal not closed", what)
	}
}

func requireOpen(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
		t.Fatalf("%s: signal closed, want it open", what)
	default:
	}
}

// TestUnservedTracksTasksNobodyPolls: a queue is unserved from the moment a
// task waits with no poller there until a poll takes it; a sync match never
// makes it unserved.
func TestUnservedTracksTasksNobodyPolls(t *testing.T) {
	m, v := newVirtualManager(t, Options{})
	since, signal := m.Unserved(wfQueue)
	if !since.IsZero() || signal == nil {
		t.Fatalf("empty queue: Unserved = %v, %v; want zero time and a signal", since, signal)
	}

	// A task handed straight to a waiting poller leaves it served.
	ch := pollAsync(context.Background(), m, wfQueue, PollerInfo{Identity: "w"}, time.Minute)
	waitForPollers(t, v, 1)
	m.Add(wfQueue, "matched")
	if r := receive(t, ch); r.task != "matched" {
		t.Fatalf("Poll = %+v, want matched", r)
	}
	requireOpen(t, signal, "after a sync match")

	v.Advance(time.Second)
	m.Add(wfQueue, "waiting")
	requireClosed(t, signal, "after a task joined the backlog")
	since, signal = m.Unserved(wfQueue)
	if !since.Equal(epoch.Add(time.Second)) || signal != nil {
		t.Fatalf("Unserved = %v, %v; want %v and no signal", since, signal, epoch.Add(time.Second))
	}
	v.Advance(time.Second)
	m.Add(wfQueue, "second")
	if since, _ := m.Unserved(wfQueue); !since.Equal(epoch.Add(time.Second)) {
		t.Fatalf("a second task moved the unserved time to %v", since)
	}

	for range 2 {
		if _, ok := m.Poll(context.Background(), wfQueue, PollerInfo{}, time.Second); !ok {
			t.Fatal("Poll found nothing")
		}
	}
	if since, signal := m.Unserved(wfQueue); !since.IsZero() || signal == nil {
		t.Fatalf("after the backlog was taken: Unserved = %v, %v; want zero and a signal", since, signal)
	}
}

func TestUnservedEndsWithDrain(t *testing.T) {
	m, _ := newVirtualManager(t, Options{})
	m.Add(wfQueue, "t")
	if since, _ := m.Unserved(wfQueue); since.IsZero() {
		t.Fatal("a backlog with no poller is not unserved")
	}
	m.Drain(wfQueue)
	if since, _ := m.Unserved(wfQueue); !since.IsZero() {
		t.Fatal("still unserved after Drain")
	}
}

func TestUnservedSignalClosesWhenQueueIsCollected(t *testing.T) {
	m, v := newVirtualManager(t, Options{IdleQueueTTL: time.Minute})
	_, signal := m.Unserved(wfQueue)
	v.Advance(2 * time.Minute)
	m.Add(actQueue, "t") // creating a queue sweeps the idle ones
	requireClosed(t, signal, "after the watched queue was collected")
}
