package worker

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/internal/sdk/fakeserver"
	"go.temporal.io/api/serviceerror"
)

func TestPollsOnlyWhileAnExecutionSlotIsFree(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{MaxConcurrentActivityExecutionSize: 1, MaxConcurrentActivityTaskPollers: 3})
	var running, maxRunning atomic.Int32
	release := make(chan struct{})
	started := make(chan string, 2)
	err := w.RegisterActivityWithOptions(func(ctx context.Context) error {
		n := running.Add(1)
		defer running.Add(-1)
		if n > maxRunning.Load() {
			maxRunning.Store(n)
		}
		started <- activity.GetInfo(ctx).ActivityID
		<-release
		return nil
	}, RegisterActivityOptions{Name: "Block"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, w)
	b.server.AddTask(newTask(t, "t1", "Block", nil))
	recv(t, started)
	b.server.AddTask(newTask(t, "t2", "Block", nil))

	time.Sleep(200 * time.Millisecond) // room for a wrongful second poll
	if n := len(b.server.Polls()); n != 1 {
		t.Errorf("%d polls while the only slot was busy, want 1", n)
	}
	release <- struct{}{}
	recv(t, started)
	release <- struct{}{}
	b.awaitOutcome(t, "t2")
	if maxRunning.Load() != 1 {
		t.Errorf("%d activities ran at once, want 1", maxRunning.Load())
	}
}

func TestPollErrorsAreRetriedWithBackoff(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{MaxConcurrentActivityTaskPollers: 1})
	w.pollBackoff = backoff{initial: 20 * time.Millisecond, max: 40 * time.Millisecond}
	if err := w.RegisterActivity(ChargeCard); err != nil {
		t.Fatal(err)
	}
	// Internal is not retried by the client itself, so the worker's backoff handles it.
	b.server.FailNextPolls(serviceerror.NewInternal("one"), serviceerror.NewInternal("two"))
	begin := time.Now()
	start(t, w)
	b.server.AddTask(newTask(t, "t1", "ChargeCard", []any{order{ID: "1"}}))
	b.awaitOutcome(t, "t1")
	// Two failures: ~20ms then ~40ms of backoff, each at least 80% of that.
	if elapsed := time.Since(begin); elapsed < 48*time.Millisecond {
		t.Errorf("recovered after %v; the backoff was not applied", elapsed)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.server.Await(ctx, func(v fakeserver.View) bool { return v.Polls() >= 3 }); err != nil {
		t.Fatal(err)
	}
}

func TestBackoffGrowsWithJitterUpToItsCap(t *testing.T) {
	b := backoff{initial: 100 * time.Millisecond, max: time.Second}
	wantBase := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, base := range wantBase {
		base *= time.Millisecond
		d := b.next()
		if d < base*8/10 || d > base*12/10 {
			t.Errorf("failure %d: delay %v outside %v±20%%", i+1, d, base)
		}
	}
	b.reset()
	if d := b.next(); d > 120*time.Millisecond {
		t.Errorf("after reset: %v", d)
	}
}

func TestRateLimiterSpacesEvents(t *testing.T) {
	l := newRateLimiter(50) // one per 20ms
	begin := time.Now()
	for range 6 {
		if !l.wait(context.Background()) {
			t.Fatal("wait failed")
		}
	}
	if elapsed := time.Since(begin); elapsed < 100*time.Millisecond {
		t.Errorf("6 events at 50/s took %v, want at least 100ms", elapsed)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if l.wait(ctx) {
		t.Error("wait must fail on a cancelled context")
	}
	if newRateLimiter(0) != nil {
		t.Error("rate 0 means no limiter")
	}
}

func TestWorkerRateLimitAppliesToTaskStarts(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{WorkerActivitiesPerSecond: 20, MaxConcurrentActivityTaskPollers: 4})
	if err := w.RegisterActivity(ChargeCard); err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{"a", "b", "c", "d", "e"} {
		b.server.AddTask(newTask(t, token, "ChargeCard", []any{order{ID: token}}))
	}
	begin := time.Now()
	start(t, w)
	for _, token := range []string{"a", "b", "c", "d", "e"} {
		b.awaitOutcome(t, token)
	}
	if elapsed := time.Since(begin); elapsed < 200*time.Millisecond {
		t.Errorf("5 tasks at 20/s took %v, want at least 200ms", elapsed)
	}
}
