package matching

import (
	"testing"
	"time"
)

func TestTokenBucket(t *testing.T) {
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newTokenBucket(50, start) // burst 5
	for i := range 5 {
		if !b.take(start) {
			t.Fatalf("take %d of the initial burst failed", i)
		}
	}
	if b.take(start) {
		t.Fatal("took more than the burst")
	}
	if d := b.untilToken(start); d != 20*time.Millisecond {
		t.Fatalf("untilToken = %v, want 20ms at 50/s", d)
	}
	if b.take(start.Add(19 * time.Millisecond)) {
		t.Fatal("token available before 20ms")
	}
	if !b.take(start.Add(20 * time.Millisecond)) {
		t.Fatal("no token after 20ms")
	}
	// A long idle period earns no more than the burst.
	later := start.Add(time.Hour)
	taken := 0
	for b.take(later) {
		taken++
	}
	if taken != 5 {
		t.Fatalf("took %d after an hour idle, want burst 5", taken)
	}
	b.refund()
	if !b.take(later) {
		t.Fatal("refunded token not available")
	}
	// Slowing down keeps no more than the new burst.
	b.setRate(0.5, later)
	if d := b.untilToken(later); d != 2*time.Second {
		t.Fatalf("untilToken at 0.5/s = %v, want 2s", d)
	}
}
