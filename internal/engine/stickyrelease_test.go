package engine

import (
	"strconv"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/matching"
)

func TestReleaseSpacingPerStickyQueue(t *testing.T) {
	var g releaseSpacing
	a := matching.QueueKey{NamespaceID: "ns", Name: "host:worker-a", Kind: matching.Workflow}
	b := matching.QueueKey{NamespaceID: "ns", Name: "host:worker-b", Kind: matching.Workflow}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	if _, ok := g.claim(a, t0); !ok {
		t.Fatal("first release of a refused")
	}
	next, ok := g.claim(a, t0.Add(5*time.Millisecond))
	if ok || !next.Equal(t0.Add(stickyReleaseAfter)) {
		t.Fatalf("second release of a within the spacing: ok=%v next=%v, want refused until %v", ok, next, t0.Add(stickyReleaseAfter))
	}
	if _, ok := g.claim(b, t0.Add(5*time.Millisecond)); !ok {
		t.Fatal("another worker's sticky queue was held back by a's release")
	}
	if _, ok := g.claim(a, t0.Add(stickyReleaseAfter)); !ok {
		t.Fatal("release of a refused once the spacing passed")
	}
}

func TestReleaseSpacingForgetsOldQueues(t *testing.T) {
	var g releaseSpacing
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range releaseMemoryEntries {
		g.claim(matching.QueueKey{Name: "worker-" + strconv.Itoa(i)}, t0)
	}
	g.claim(matching.QueueKey{Name: "late"}, t0.Add(2*releaseMemory))
	if n := len(g.last); n != 1 {
		t.Fatalf("%d entries kept after all but one went stale, want 1", n)
	}
}
