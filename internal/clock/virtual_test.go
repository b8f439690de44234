package clock

import (
	"context"
	"sync"
	"testing"
	"time"
)

var epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func TestVirtualNowMovesOnlyOnAdvance(t *testing.T) {
	v := NewVirtual(epoch)
	if got := v.Now(); !got.Equal(epoch) {
		t.Fatalf("Now() = %v, want %v", got, epoch)
	}
	v.Advance(90 * time.Second)
	if got, want := v.Now(), epoch.Add(90*time.Second); !got.Equal(want) {
		t.Fatalf("after Advance Now() = %v, want %v", got, want)
	}
	v.AdvanceTo(epoch) // earlier: ignored
	v.Advance(-time.Hour)
	if got, want := v.Now(), epoch.Add(90*time.Second); !got.Equal(want) {
		t.Fatalf("time went backwards: Now() = %v, want %v", got, want)
	}
}

func TestVirtualFiresInDeadlineOrderAtTheirDeadlines(t *testing.T) {
	v := NewVirtual(epoch)
	var mu sync.Mutex
	type firing struct {
		name string
		at   time.Time
	}
	var fired []firing
	record := func(name string) func() {
		return func() {
			mu.Lock()
			defer mu.Unlock()
			fired = append(fired, firing{name, v.Now()})
		}
	}
	v.AfterFunc(3*time.Second, record("c"))
	v.AfterFunc(1*time.Second, record("a1"))
	v.AfterFunc(2*time.Second, record("b"))
	v.AfterFunc(1*time.Second, record("a2"))
	v.AfterFunc(10*time.Second, record("late"))

	v.Advance(5 * time.Second)

	want := []firing{
		{"a1", epoch.Add(time.Second)},
		{"a2", epoch.Add(time.Second)},
		{"b", epoch.Add(2 * time.Second)},
		{"c", epoch.Add(3 * time.Second)},
	}
	mu.Lock()
	defer mu.Unlock()
	if len(fired) != len(want) {
		t.Fatalf("fired %v, want %v", fired, want)
	}
	for i := range want {
		if fired[i].name != want[i].name || !fired[i].at.Equal(want[i].at) {
			t.Fatalf("firing %d = %v, want %v", i, fired[i], want[i])
		}
	}
	if got, want := v.Now(), epoch.Add(5*time.Second); !got.Equal(want) {
		t.Fatalf("Now() = %v, want %v", got, want)
	}
	if n := v.PendingTimers(); n != 1 {
		t.Fatalf("PendingTimers() = %d, want 1", n)
	}
}

func TestVirtualStop(t *testing.T) {
	v := NewVirtual(epoch)
	ran := false
	timer := v.AfterFunc(time.Second, func() { ran = true })
	if !timer.Stop() {
		t.Fatal("first Stop() = false, want true")
	}
	if timer.Stop() {
		t.Fatal("second Stop() = true, want false")
	}
	v.Advance(time.Minute)
	if ran {
		t.Fatal("stopped callback ran")
	}

	fired := v.AfterFunc(time.Second, func() {})
	v.Advance(time.Second)
	if fired.Stop() {
		t.Fatal("Stop() after firing = true, want false")
	}
}

func TestVirtualCallbackSchedulingWithinAdvance(t *testing.T) {
	v := NewVirtual(epoch)
	var times []time.Time
	var chain func()
	chain = func() {
		times = append(times, v.Now())
		if len(times) < 3 {
			v.AfterFunc(time.Second, chain)
		}
	}
	v.AfterFunc(time.Second, chain)
	v.Advance(10 * time.Second)
	if len(times) != 3 {
		t.Fatalf("chain fired %d times, want 3", len(times))
	}
	for i, at := range times {
		if want := epoch.Add(time.Duration(i+1) * time.Second); !at.Equal(want) {
			t.Fatalf("firing %d at %v, want %v", i, at, want)
		}
	}
}

func TestVirtualNonPositiveDurationFiresWithoutAdvance(t *testing.T) {
	v := NewVirtual(epoch)
	done := make(chan struct{})
	timer := v.AfterFunc(0, func() { close(done) })
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("AfterFunc(0) did not fire")
	}
	if timer.Stop() {
		t.Fatal("Stop() of fired immediate timer = true")
	}
}

func TestVirtualNextDeadline(t *testing.T) {
	v := NewVirtual(epoch)
	if _, ok := v.NextDeadline(); ok {
		t.Fatal("NextDeadline() ok on empty clock")
	}
	v.AfterFunc(time.Hour, func() {})
	early := v.AfterFunc(time.Minute, func() {})
	if at, ok := v.NextDeadline(); !ok || !at.Equal(epoch.Add(time.Minute)) {
		t.Fatalf("NextDeadline() = %v, %v; want %v", at, ok, epoch.Add(time.Minute))
	}
	early.Stop()
	if at, ok := v.NextDeadline(); !ok || !at.Equal(epoch.Add(time.Hour)) {
		t.Fatalf("NextDeadline() after Stop = %v, %v; want %v", at, ok, epoch.Add(time.Hour))
	}
}

func TestVirtualWaitForTimers(t *testing.T) {
	v := NewVirtual(epoch)
	go func() {
		v.AfterFunc(time.Second, func() {})
		v.AfterFunc(time.Second, func() {})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := v.WaitForTimers(ctx, 2); err != nil {
		t.Fatalf("WaitForTimers: %v", err)
	}

	short, cancelShort := context.WithCancel(context.Background())
	cancelShort()
	if err := v.WaitForTimers(short, 3); err == nil {
		t.Fatal("WaitForTimers with cancelled ctx and too few timers returned nil")
	}
}

func TestVirtualConcurrentUse(t *testing.T) {
	v := NewVirtual(epoch)
	const n = 200
	var wg sync.WaitGroup
	var mu sync.Mutex
	count := 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			timer := v.AfterFunc(time.Duration(i%7+1)*time.Second, func() {
				mu.Lock()
				count++
				mu.Unlock()
			})
			if i%5 == 0 {
				timer.Stop()
			}
			_ = v.Now()
		}()
	}
	wg.Wait()
	v.Advance(time.Minute)
	if want := n - n/5; count != want {
		t.Fatalf("fired %d callbacks, want %d", count, want)
	}
}
