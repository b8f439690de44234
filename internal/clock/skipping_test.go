package clock

import (
	"sync"
	"testing"
	"time"
)

// firings records callbacks as they run, with the clock's time at that moment.
type firings struct {
	mu    sync.Mutex
	clock *Skipping
	names []string
	times []time.Time
	ch    chan string
}

func newFirings(s *Skipping) *firings {
	return &firings{clock: s, ch: make(chan string, 100)}
}

func (f *firings) record(name string) func() {
	return func() {
		now := f.clock.Now()
		f.mu.Lock()
		f.names = append(f.names, name)
		f.times = append(f.times, now)
		f.mu.Unlock()
		f.ch <- name
	}
}

func (f *firings) snapshot() ([]string, []time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.names...), append([]time.Time(nil), f.times...)
}

func TestSkippingNowFlowsWithWallTime(t *testing.T) {
	s := NewSkipping(epoch)
	defer s.Close()
	first := s.Now()
	if first.Before(epoch) || first.Sub(epoch) > time.Second {
		t.Fatalf("Now() right after creation = %v, want about %v", first, epoch)
	}
	time.Sleep(20 * time.Millisecond) // the scenario: wall time passes
	if elapsed := s.Now().Sub(first); elapsed < 20*time.Millisecond {
		t.Fatalf("clock advanced %v over 20ms of wall time", elapsed)
	}
	if s.Skipped() != 0 {
		t.Fatalf("Skipped() = %v before any skip", s.Skipped())
	}
}

func TestSkippingSkipToJumpsAndKeepsFlowing(t *testing.T) {
	s := NewSkipping(epoch)
	defer s.Close()
	target := epoch.Add(30 * 24 * time.Hour)
	s.SkipTo(target)
	now := s.Now()
	if now.Before(target) || now.Sub(target) > time.Second {
		t.Fatalf("after SkipTo Now() = %v, want just after %v", now, target)
	}
	s.SkipTo(epoch) // the past: ignored
	if got := s.Now(); got.Before(now) {
		t.Fatalf("time went backwards: %v after %v", got, now)
	}
	time.Sleep(10 * time.Millisecond) // the scenario: wall time passes
	if got := s.Now(); got.Sub(now) < 10*time.Millisecond {
		t.Fatalf("clock stopped flowing after a skip: %v then %v", now, got)
	}
	if sk := s.Skipped(); sk < 30*24*time.Hour-time.Second {
		t.Fatalf("Skipped() = %v, want about 30 days", sk)
	}
}

func TestSkippingSkipFiresDueCallbacksInDeadlineOrder(t *testing.T) {
	s := NewSkipping(epoch)
	defer s.Close()
	f := newFirings(s)
	s.AfterFunc(3*time.Hour, f.record("c"))
	s.AfterFunc(1*time.Hour, f.record("a1"))
	s.AfterFunc(2*time.Hour, f.record("b"))
	s.AfterFunc(1*time.Hour, f.record("a2"))
	s.AfterFunc(10*time.Hour, f.record("late"))
	if n := s.PendingTimers(); n != 5 {
		t.Fatalf("PendingTimers() = %d, want 5", n)
	}
	if next, ok := s.NextDeadline(); !ok || next.Sub(epoch) < time.Hour || next.Sub(epoch) > time.Hour+time.Second {
		t.Fatalf("NextDeadline() = %v, %v; want about epoch+1h", next, ok)
	}

	s.SkipTo(epoch.Add(5 * time.Hour))

	names, times := f.snapshot()
	want := []string{"a1", "a2", "b", "c"}
	if len(names) != len(want) {
		t.Fatalf("fired %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("fired %v, want %v", names, want)
		}
	}
	// Each ran with the clock at its own deadline (plus a little wall time).
	offsets := []time.Duration{time.Hour, time.Hour, 2 * time.Hour, 3 * time.Hour}
	for i, at := range times {
		if d := at.Sub(epoch.Add(offsets[i])); d < 0 || d > time.Second {
			t.Fatalf("%s observed Now() = %v, want just after epoch+%v", names[i], at, offsets[i])
		}
	}
	if now := s.Now(); now.Before(epoch.Add(5 * time.Hour)) {
		t.Fatalf("Now() = %v after skipping to epoch+5h", now)
	}
	if n := s.PendingTimers(); n != 1 {
		t.Fatalf("PendingTimers() = %d after the skip, want 1", n)
	}
}

func TestSkippingSkipToNextDeadlineFiresExactlyIt(t *testing.T) {
	s := NewSkipping(epoch)
	defer s.Close()
	f := newFirings(s)
	s.AfterFunc(time.Hour, f.record("first"))
	s.AfterFunc(2*time.Hour, f.record("second"))
	next, _ := s.NextDeadline()
	s.SkipTo(next)
	names, times := f.snapshot()
	if len(names) != 1 || names[0] != "first" {
		t.Fatalf("fired %v, want [first]", names)
	}
	if times[0].Before(next) {
		t.Fatalf("callback saw %v, before its deadline %v", times[0], next)
	}
}

func TestSkippingFiresOnWallTimeWithoutSkip(t *testing.T) {
	s := NewSkipping(epoch)
	defer s.Close()
	f := newFirings(s)
	s.AfterFunc(time.Hour, f.record("far"))
	start := time.Now()
	s.AfterFunc(15*time.Millisecond, f.record("near"))
	select {
	case name := <-f.ch:
		if name != "near" {
			t.Fatalf("fired %q first, want near", name)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a 15ms callback did not fire on wall time")
	}
	if waited := time.Since(start); waited < 15*time.Millisecond {
		t.Fatalf("fired after %v, before its 15ms deadline", waited)
	}
	if n := s.PendingTimers(); n != 1 {
		t.Fatalf("PendingTimers() = %d, want 1", n)
	}
}

func TestSkippingRearmsAlarmAfterSkip(t *testing.T) {
	s := NewSkipping(epoch)
	defer s.Close()
	f := newFirings(s)
	s.AfterFunc(time.Hour, f.record("skipped-to"))
	s.AfterFunc(time.Hour+20*time.Millisecond, f.record("wall-after-skip"))
	next, _ := s.NextDeadline()
	s.SkipTo(next)
	if name := <-f.ch; name != "skipped-to" {
		t.Fatalf("first firing %q", name)
	}
	select {
	case name := <-f.ch:
		if name != "wall-after-skip" {
			t.Fatalf("second firing %q", name)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the callback 20ms after the skip target never fired: alarm not re-armed")
	}
}

func TestSkippingStopPreventsFiring(t *testing.T) {
	s := NewSkipping(epoch)
	defer s.Close()
	f := newFirings(s)
	timer := s.AfterFunc(time.Hour, f.record("stopped"))
	s.AfterFunc(2*time.Hour, f.record("kept"))
	if !timer.Stop() {
		t.Fatal("Stop() of a pending callback = false")
	}
	if timer.Stop() {
		t.Fatal("second Stop() = true")
	}
	s.SkipTo(epoch.Add(3 * time.Hour))
	names, _ := f.snapshot()
	if len(names) != 1 || names[0] != "kept" {
		t.Fatalf("fired %v, want [kept]", names)
	}
	fired := s.AfterFunc(time.Minute, func() {})
	s.SkipTo(s.Now().Add(time.Hour))
	if fired.Stop() {
		t.Fatal("Stop() after firing = true")
	}
}

func TestSkippingCallbackMaySchedule(t *testing.T) {
	s := NewSkipping(epoch)
	defer s.Close()
	f := newFirings(s)
	s.AfterFunc(time.Hour, func() {
		s.AfterFunc(time.Hour, f.record("chained"))
	})
	s.SkipTo(epoch.Add(3 * time.Hour))
	names, times := f.snapshot()
	if len(names) != 1 {
		t.Fatalf("fired %v, want the chained callback within the same skip", names)
	}
	if d := times[0].Sub(epoch.Add(2 * time.Hour)); d < 0 || d > time.Second {
		t.Fatalf("chained callback saw %v, want just after epoch+2h", times[0])
	}
}

func TestSkippingChangedSignalsScheduleStopAndFire(t *testing.T) {
	s := NewSkipping(epoch)
	defer s.Close()
	closedNow := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	ch := s.Changed()
	if closedNow(ch) {
		t.Fatal("Changed() closed before any change")
	}
	timer := s.AfterFunc(time.Hour, func() {})
	if !closedNow(ch) {
		t.Fatal("AfterFunc did not signal Changed")
	}
	ch = s.Changed()
	timer.Stop()
	if !closedNow(ch) {
		t.Fatal("Stop did not signal Changed")
	}
	s.AfterFunc(time.Hour, func() {})
	ch = s.Changed()
	s.SkipTo(epoch.Add(2 * time.Hour))
	if !closedNow(ch) {
		t.Fatal("firing did not signal Changed")
	}
}

func TestSkippingCloseStopsFiring(t *testing.T) {
	s := NewSkipping(epoch)
	f := newFirings(s)
	s.AfterFunc(10*time.Millisecond, f.record("never"))
	s.Close()
	s.SkipTo(epoch.Add(time.Hour))
	time.Sleep(30 * time.Millisecond) // negative check: past the timer, which must not fire
	if names, _ := f.snapshot(); len(names) != 0 {
		t.Fatalf("fired %v after Close", names)
	}
	s.Close()
}

func TestSkippingConcurrentUse(t *testing.T) {
	s := NewSkipping(epoch)
	defer s.Close()
	var wg sync.WaitGroup
	var mu sync.Mutex
	fired := 0
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				d := time.Duration(g*50+i) * time.Minute
				tm := s.AfterFunc(d, func() {
					mu.Lock()
					fired++
					mu.Unlock()
				})
				if i%5 == 0 {
					tm.Stop()
				}
				_ = s.Now()
			}
		})
	}
	wg.Go(func() {
		for i := range 20 {
			s.SkipTo(epoch.Add(time.Duration(i) * 10 * time.Minute))
		}
	})
	wg.Wait()
	s.SkipTo(epoch.Add(24 * time.Hour))
	mu.Lock()
	defer mu.Unlock()
	// 200 scheduled, 40 stopped; a stop may lose the race to the skip that fires it.
	if fired < 160 || fired > 200 {
		t.Fatalf("fired %d callbacks, want 160..200", fired)
	}
	if n := s.PendingTimers(); n != 0 {
		t.Fatalf("PendingTimers() = %d after skipping past every deadline", n)
	}
}
