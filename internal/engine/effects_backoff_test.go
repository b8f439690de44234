package engine

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/clock"
)

// TestHardening10EffectsBackOffAndGiveUp checks that a cross-run job that
// keeps failing is retried after doubling waits, is given up loudly after a
// bounded number of failures (releasing the engine's busy count, which holds a
// time-skipping clock still), and is set off again by the next add.
func TestHardening10EffectsBackOffAndGiveUp(t *testing.T) {
	start := time.Unix(1_000_000, 0)
	clk := clock.NewVirtual(start)
	f := newEffects(clk)
	var busy atomic.Int64
	f.busy = func(d int64) { busy.Add(d) }

	var mu sync.Mutex
	var runsAt []time.Time
	var retries, givenUp int
	ran := make(chan struct{}, 100)
	logged := make(chan struct{}, 100)
	f.start(1, context.Background(), func(key string, err error, failures int, retry bool, wait time.Duration) {
		mu.Lock()
		if retry {
			retries++
		} else {
			givenUp++
		}
		mu.Unlock()
		logged <- struct{}{}
	})
	defer f.stop()
	job := func(context.Context) error {
		mu.Lock()
		runsAt = append(runsAt, clk.Now())
		mu.Unlock()
		ran <- struct{}{}
		return errors.New("target unavailable")
	}
	f.add("signal:x", job)
	for i := 0; i < effectRetries.GiveUpAfter; i++ {
		waitForSignal(t, ran)
		waitForSignal(t, logged)
		if i < effectRetries.GiveUpAfter-1 {
			if err := clk.WaitForTimers(context.Background(), 1); err != nil {
				t.Fatal(err)
			}
			next, _ := clk.NextDeadline()
			clk.AdvanceTo(next)
		}
	}
	mu.Lock()
	gotRuns, gotRetries, gotGivenUp := append([]time.Time(nil), runsAt...), retries, givenUp
	mu.Unlock()
	if gotRetries != effectRetries.GiveUpAfter-1 || gotGivenUp != 1 {
		t.Fatalf("retries=%d givenUp=%d, want %d and 1", gotRetries, gotGivenUp, effectRetries.GiveUpAfter-1)
	}
	for i := 1; i < len(gotRuns); i++ {
		if got, want := gotRuns[i].Sub(gotRuns[i-1]), effectRetries.Delay(i); got != want {
			t.Errorf("wait before run %d = %v, want %v", i+1, got, want)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for busy.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("busy = %d after giving up, want 0", busy.Load())
		}
		time.Sleep(time.Millisecond)
	}
	if n := clk.PendingTimers(); n != 0 {
		t.Fatalf("%d retries still armed after giving up", n)
	}
	// The run's next transition sets the job off again.
	f.add("signal:x", job)
	waitForSignal(t, ran)
}

func waitForSignal(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("timed out")
	}
}
