package clock

import (
	"testing"
	"time"
)

func TestSkippingHousekeepingIsNeverASkipTarget(t *testing.T) {
	s := NewSkipping(epoch)
	defer s.Close()
	changed := s.Changed()
	AfterHousekeeping(s, 72*time.Hour, func() {})
	if _, ok := s.NextDeadline(); ok {
		t.Fatal("NextDeadline() reports a housekeeping callback")
	}
	if n := s.PendingTimers(); n != 0 {
		t.Fatalf("PendingTimers() = %d with only housekeeping pending, want 0", n)
	}
	select {
	case <-changed:
		t.Fatal("scheduling housekeeping signalled Changed")
	default:
	}
	s.AfterFunc(time.Hour, func() {})
	if next, ok := s.NextDeadline(); !ok || next.Sub(epoch) > time.Hour+time.Second {
		t.Fatalf("NextDeadline() = %v, %v; want the workflow deadline near epoch+1h", next, ok)
	}
}

func TestSkippingHousekeepingFiresOnWallTime(t *testing.T) {
	s := NewSkipping(epoch)
	defer s.Close()
	fired := make(chan struct{})
	AfterHousekeeping(s, 10*time.Millisecond, func() { close(fired) })
	select {
	case <-fired:
	case <-time.After(5 * time.Second):
		t.Fatal("a 10ms housekeeping callback did not fire on wall time")
	}
	if sk := s.Skipped(); sk != 0 {
		t.Fatalf("Skipped() = %v: housekeeping moved the clock", sk)
	}
}

func TestSkippingHousekeepingFiresWhenASkipPassesIt(t *testing.T) {
	s := NewSkipping(epoch)
	defer s.Close()
	f := newFirings(s)
	AfterHousekeeping(s, 2*time.Hour, f.record("chore"))
	s.AfterFunc(time.Hour, f.record("first"))
	s.AfterFunc(3*time.Hour, f.record("third"))
	stopped := AfterHousekeeping(s, 150*time.Minute, f.record("stopped"))
	if !stopped.Stop() {
		t.Fatal("Stop() of a pending housekeeping callback = false")
	}
	s.SkipTo(epoch.Add(4 * time.Hour))
	names, times := f.snapshot()
	want := []string{"first", "chore", "third"}
	if len(names) != len(want) {
		t.Fatalf("fired %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("fired %v, want %v", names, want)
		}
	}
	if d := times[1].Sub(epoch.Add(2 * time.Hour)); d < 0 || d > time.Second {
		t.Fatalf("housekeeping saw %v, want just after epoch+2h", times[1])
	}
}

func TestVirtualHousekeepingIsNotCounted(t *testing.T) {
	v := NewVirtual(epoch)
	fired := false
	timer := AfterHousekeeping(v, time.Minute, func() { fired = true })
	if _, ok := v.NextDeadline(); ok {
		t.Fatal("NextDeadline() reports a housekeeping callback")
	}
	if n := v.PendingTimers(); n != 0 {
		t.Fatalf("PendingTimers() = %d, want 0", n)
	}
	v.Advance(time.Minute)
	if !fired {
		t.Fatal("housekeeping did not fire when the clock reached it")
	}
	if timer.Stop() {
		t.Fatal("Stop() after firing = true")
	}
}

func TestRealClockHousekeepingFires(t *testing.T) {
	fired := make(chan struct{})
	AfterHousekeeping(Real(), time.Millisecond, func() { close(fired) })
	select {
	case <-fired:
	case <-time.After(5 * time.Second):
		t.Fatal("housekeeping on the real clock did not fire")
	}
}
