package timeskip

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

var epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// fakeEngine stands in for the engine's outstanding-work count.
type fakeEngine struct {
	n   atomic.Int64
	ctl *Controller
}

func (f *fakeEngine) outstanding() int64 { return f.n.Load() }

func (f *fakeEngine) set(n int64) {
	f.n.Store(n)
	f.ctl.Poke()
}

// startController runs a controller with a short settle window over a fake engine.
func startController(t *testing.T, locks int) (*Controller, *fakeEngine) {
	t.Helper()
	c := New(Options{Start: epoch, Locks: locks, Settle: time.Millisecond})
	eng := &fakeEngine{ctl: c}
	c.Start(eng.outstanding)
	t.Cleanup(c.Stop)
	return c, eng
}

// fired returns a callback and a channel that receives the clock time it ran at.
func fired(c *Controller) (func(), <-chan time.Time) {
	ch := make(chan time.Time, 1)
	return func() { ch <- c.Now() }, ch
}

func waitFired(t *testing.T, ch <-chan time.Time, within time.Duration) time.Time {
	t.Helper()
	select {
	case at := <-ch:
		return at
	case <-time.After(within):
		t.Fatalf("callback did not fire within %v of wall time", within)
		return time.Time{}
	}
}

func notFired(t *testing.T, ch <-chan time.Time, during time.Duration) {
	t.Helper()
	select {
	case at := <-ch:
		t.Fatalf("callback fired at %v; time should not have skipped", at)
	case <-time.After(during):
	}
}

func TestUnlockedIdleEngineSkipsToEachDeadline(t *testing.T) {
	c, _ := startController(t, 0)
	clk := c.EngineClock()
	f1, ch1 := fired(c)
	f2, ch2 := fired(c)
	clk.AfterFunc(30*24*time.Hour, f1)
	clk.AfterFunc(31*24*time.Hour, f2)
	at1 := waitFired(t, ch1, 2*time.Second)
	at2 := waitFired(t, ch2, 2*time.Second)
	if d := at1.Sub(epoch.Add(30 * 24 * time.Hour)); d < 0 || d > time.Second {
		t.Fatalf("30-day callback ran at %v", at1)
	}
	if d := at2.Sub(epoch.Add(31 * 24 * time.Hour)); d < 0 || d > time.Second {
		t.Fatalf("31-day callback ran at %v", at2)
	}
}

func TestLockStopsSkipping(t *testing.T) {
	c, _ := startController(t, 1)
	f, ch := fired(c)
	c.EngineClock().AfterFunc(time.Hour, f)
	notFired(t, ch, 50*time.Millisecond)
	if got := c.Locks(); got != 1 {
		t.Fatalf("Locks() = %d, want 1", got)
	}
	if err := c.Unlock(); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	waitFired(t, ch, 2*time.Second)

	c.Lock()
	f2, ch2 := fired(c)
	c.EngineClock().AfterFunc(time.Hour, f2)
	notFired(t, ch2, 50*time.Millisecond)
}

func TestUnlockBelowZeroFails(t *testing.T) {
	c, _ := startController(t, 0)
	if err := c.Unlock(); !errors.Is(err, ErrNotLocked) {
		t.Fatalf("Unlock at zero = %v, want ErrNotLocked", err)
	}
	if got := c.Locks(); got != 0 {
		t.Fatalf("Locks() = %d after a failed unlock", got)
	}
}

func TestOutstandingWorkStopsSkipping(t *testing.T) {
	c, eng := startController(t, 0)
	eng.set(1)
	f, ch := fired(c)
	c.EngineClock().AfterFunc(time.Hour, f)
	notFired(t, ch, 50*time.Millisecond)
	eng.set(0)
	waitFired(t, ch, 2*time.Second)
}

func TestHoldStopsSkipping(t *testing.T) {
	c, _ := startController(t, 0)
	release := c.Hold()
	f, ch := fired(c)
	c.EngineClock().AfterFunc(time.Hour, f)
	notFired(t, ch, 50*time.Millisecond)
	release()
	release() // idempotent
	waitFired(t, ch, 2*time.Second)
	if c.Locks() != 0 {
		t.Fatalf("Hold changed the lock counter to %d", c.Locks())
	}
}

func TestNothingPendingNothingSkips(t *testing.T) {
	c, _ := startController(t, 0)
	time.Sleep(20 * time.Millisecond) // negative check: room for a wrongful skip
	if skipped := c.Clock().Skipped(); skipped != 0 {
		t.Fatalf("clock skipped %v with nothing scheduled", skipped)
	}
}

func TestSettleWindowRestartsOnActivity(t *testing.T) {
	c := New(Options{Start: epoch, Settle: 100 * time.Millisecond})
	eng := &fakeEngine{ctl: c}
	c.Start(eng.outstanding)
	t.Cleanup(c.Stop)
	f, ch := fired(c)
	start := time.Now()
	c.EngineClock().AfterFunc(time.Hour, f)
	// Pokes every 30ms keep the engine from looking settled.
	for range 5 {
		time.Sleep(30 * time.Millisecond) // the scenario: activity spaced inside the settle window
		c.Poke()
	}
	waitFired(t, ch, 2*time.Second)
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Fatalf("skipped after %v although activity kept restarting the 100ms settle window", waited)
	}
}

func TestSleepWhileLockedTakesWallTime(t *testing.T) {
	c, _ := startController(t, 1)
	start := time.Now()
	if err := c.Sleep(context.Background(), 30*time.Millisecond); err != nil {
		t.Fatalf("Sleep: %v", err)
	}
	if waited := time.Since(start); waited < 30*time.Millisecond {
		t.Fatalf("locked Sleep(30ms) returned after %v", waited)
	}
}

func TestSleepWhileUnlockedSkips(t *testing.T) {
	c, _ := startController(t, 0)
	before := c.Now()
	if err := c.Sleep(context.Background(), 48*time.Hour); err != nil {
		t.Fatalf("Sleep: %v", err)
	}
	if d := c.Now().Sub(before); d < 48*time.Hour {
		t.Fatalf("clock advanced %v during Sleep(48h)", d)
	}
	if err := c.SleepUntil(context.Background(), before); err != nil {
		t.Fatalf("SleepUntil in the past: %v", err)
	}
	target := c.Now().Add(72 * time.Hour)
	if err := c.SleepUntil(context.Background(), target); err != nil {
		t.Fatalf("SleepUntil: %v", err)
	}
	if now := c.Now(); now.Before(target) {
		t.Fatalf("SleepUntil returned at %v, before %v", now, target)
	}
}

func TestUnlockWithSleepStopsAtTheDeadlineAndRelocks(t *testing.T) {
	c, _ := startController(t, 1)
	later, laterCh := fired(c)
	c.EngineClock().AfterFunc(24*time.Hour, later)
	before := c.Now()
	if err := c.UnlockWithSleep(context.Background(), time.Hour); err != nil {
		t.Fatalf("UnlockWithSleep: %v", err)
	}
	if d := c.Now().Sub(before); d < time.Hour || d > time.Hour+time.Second {
		t.Fatalf("clock advanced %v during UnlockWithSleep(1h)", d)
	}
	if got := c.Locks(); got != 1 {
		t.Fatalf("Locks() = %d after UnlockWithSleep, want 1", got)
	}
	notFired(t, laterCh, 50*time.Millisecond)
}

func TestUnlockWithSleepNeedsALock(t *testing.T) {
	c, _ := startController(t, 0)
	if err := c.UnlockWithSleep(context.Background(), time.Hour); !errors.Is(err, ErrNotLocked) {
		t.Fatalf("UnlockWithSleep at zero = %v, want ErrNotLocked", err)
	}
	if n := c.Clock().PendingTimers(); n != 0 {
		t.Fatalf("a failed UnlockWithSleep left %d timers", n)
	}
}

func TestUnlockWithSleepCanceledRestoresTheLock(t *testing.T) {
	c, eng := startController(t, 1)
	eng.set(1) // busy: time cannot skip, so the sleep cannot end
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	err := c.UnlockWithSleep(ctx, time.Hour)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("UnlockWithSleep = %v, want a deadline error", err)
	}
	if got := c.Locks(); got != 1 {
		t.Fatalf("Locks() = %d after a canceled UnlockWithSleep, want 1", got)
	}
}

func TestStopEndsWaits(t *testing.T) {
	c := New(Options{Start: epoch, Locks: 1})
	c.Start(func() int64 { return 0 })
	errc := make(chan error, 1)
	go func() { errc <- c.Sleep(context.Background(), time.Hour) }()
	deadline := time.Now().Add(10 * time.Second)
	for c.Clock().PendingTimers() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the Sleep never armed its timer")
		}
		time.Sleep(time.Millisecond) // poll interval
	}
	c.Stop()
	select {
	case err := <-errc:
		if !errors.Is(err, ErrStopped) {
			t.Fatalf("Sleep after Stop = %v, want ErrStopped", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Sleep did not return after Stop")
	}
	c.Stop()
}
