package engine

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/sundialdev/sundial/internal/clock"
	"github.com/sundialdev/sundial/internal/matching"
)

// TestUnansweredQueryErrorSaysWhetherAWorkerIsThere: a query nobody answered is
// FailedPrecondition with Temporal's text when no worker polled the run's queues in
// the last 20 s, and DeadlineExceeded when one did.
func TestUnansweredQueryErrorSaysWhetherAWorkerIsThere(t *testing.T) {
	wall := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e := &Engine{cfg: Config{WallClock: wall}, tasks: matching.New[taskRef](wall, matching.Options{})}
	queue := workflowQueue("ns-id", "orders")

	var noPoller *serviceerror.FailedPrecondition
	err := e.unansweredQueryError([]matching.QueueKey{queue})
	if !errors.As(err, &noPoller) || noPoller.Message != "no poller seen for task queue recently, worker may be down" {
		t.Fatalf("never polled: %v, want FailedPrecondition with Temporal's text", err)
	}

	// A worker polls, waits, and gives up.
	ctx, cancel := context.WithCancel(context.Background())
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		e.tasks.Poll(ctx, queue, matching.PollerInfo{}, 0)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for e.tasks.LastPoll(queue).IsZero() {
		if time.Now().After(deadline) {
			t.Fatal("the poll never reached the queue")
		}
		runtime.Gosched()
	}
	cancel()
	<-polled
	var slow *serviceerror.DeadlineExceeded
	if err := e.unansweredQueryError([]matching.QueueKey{queue}); !errors.As(err, &slow) {
		t.Fatalf("polled just now: %v, want DeadlineExceeded", err)
	}

	wall.Advance(queryPollerUnavailableWindow + time.Second)
	if err := e.unansweredQueryError([]matching.QueueKey{queue}); !errors.As(err, &noPoller) {
		t.Fatalf("last polled 21 s ago: %v, want FailedPrecondition", err)
	}
}
