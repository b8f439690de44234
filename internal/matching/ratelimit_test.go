package matching

import (
	"math"
	"testing"
	"time"
)

func TestDispatchLimiter(t *testing.T) {
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newDispatchLimiter(50, start) // burst 5
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

// TestHardening03LimiterCannotOverflow: rates far outside the supported range (as a
// poller may ask) give finite, positive refill waits, so the refill timer neither
// spins nor overflows, and NaN changes nothing.
func TestHardening03LimiterCannotOverflow(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, perSecond := range []float64{1e-12, 5e-324, 1e-300} {
		l := newDispatchLimiter(perSecond, now)
		if !l.take(now) {
			t.Fatalf("rate %v: the first token is not there", perSecond)
		}
		d := l.untilToken(now)
		if d <= 0 || d > maxRefillDelay {
			t.Errorf("rate %v: untilToken = %v, want in (0, %v]", perSecond, d, maxRefillDelay)
		}
		if !l.take(now.Add(d)) {
			t.Errorf("rate %v: no token after waiting untilToken %v", perSecond, d)
		}
	}
	for _, perSecond := range []float64{math.Inf(1), 1e300} {
		l := newDispatchLimiter(perSecond, now)
		if l.perSecond != MaxTasksPerSecond {
			t.Errorf("rate %v: limiter runs at %v, want %v", perSecond, l.perSecond, float64(MaxTasksPerSecond))
		}
		if d := l.untilToken(now); d < 0 || !l.take(now) {
			t.Errorf("rate %v: untilToken %v, or no token", perSecond, d)
		}
	}
	l := newDispatchLimiter(2, now)
	l.setRate(math.NaN(), now)
	if l.perSecond != 2 {
		t.Errorf("NaN changed the rate to %v", l.perSecond)
	}
}
