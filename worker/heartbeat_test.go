package worker

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/internal/clock"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

func TestHeartbeatThrottleInterval(t *testing.T) {
	opts, err := Options{}.withDefaults("id", nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		heartbeatTimeout time.Duration
		want             time.Duration
	}{
		{0, 30 * time.Second},               // default interval without a heartbeat timeout
		{10 * time.Second, 8 * time.Second}, // 80% of the timeout
		{5 * time.Minute, 60 * time.Second}, // capped by the maximum
	}
	for _, tc := range cases {
		if got := opts.heartbeatThrottleInterval(tc.heartbeatTimeout); got != tc.want {
			t.Errorf("timeout %v: interval %v, want %v", tc.heartbeatTimeout, got, tc.want)
		}
	}
	custom, _ := Options{DefaultHeartbeatThrottleInterval: time.Second, MaxHeartbeatThrottleInterval: 2 * time.Second}.withDefaults("id", nil)
	if got := custom.heartbeatThrottleInterval(0); got != time.Second {
		t.Errorf("configured default: %v", got)
	}
	if got := custom.heartbeatThrottleInterval(time.Minute); got != 2*time.Second {
		t.Errorf("configured maximum: %v", got)
	}
}

// TestHeartbeatsAreThrottledAndTheLatestDetailsAlwaysSent drives the throttle with a
// virtual clock: the first heartbeat goes out at once, the ones recorded during the
// interval collapse into one trailing send of the latest details when it ends, and
// details recorded just before a failure travel with the failure.
func TestHeartbeatsAreThrottledAndTheLatestDetailsAlwaysSent(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{})
	virtual := clock.NewVirtual(time.Unix(0, 0))
	w.clock = virtual
	step := make(chan string)
	err := w.RegisterActivityWithOptions(func(ctx context.Context) error {
		for i := 1; i <= 3; i++ {
			activity.RecordHeartbeat(ctx, i)
		}
		<-step // the test checks the trailing send
		activity.RecordHeartbeat(ctx, 4)
		<-step
		return errors.New("gave up")
	}, RegisterActivityOptions{Name: "Progress"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, w)
	b.server.AddTask(newTask(t, "t1", "Progress", nil, withHeartbeatTimeout(10*time.Second)))

	heartbeats := b.awaitHeartbeats(t, "t1", 1)
	var first int
	decode(t, heartbeats[0].Details, &first)
	if first != 1 {
		t.Fatalf("first heartbeat %d, want 1 sent at once", first)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := virtual.WaitForTimers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	virtual.Advance(7 * time.Second)
	if n := len(b.server.Heartbeats("t1")); n != 1 {
		t.Fatalf("%d heartbeats before the 8s interval ended, want 1", n)
	}
	virtual.Advance(time.Second)
	heartbeats = b.awaitHeartbeats(t, "t1", 2)
	var trailing int
	decode(t, heartbeats[1].Details, &trailing)
	if trailing != 3 {
		t.Errorf("trailing heartbeat %d, want the latest (3)", trailing)
	}

	step <- "record 4 within the interval"
	step <- "fail"
	o := b.awaitOutcome(t, "t1")
	if o.Kind != "failed" {
		t.Fatalf("outcome %+v", o)
	}
	var last int
	decode(t, o.LastHeartbeatDetails, &last)
	if last != 4 {
		t.Errorf("failure carries heartbeat %d, want the unsent 4", last)
	}
	if n := len(b.server.Heartbeats("t1")); n != 2 {
		t.Errorf("%d heartbeats sent, want 2", n)
	}
}

func TestHeartbeatDetailsFromThePreviousAttempt(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{})
	type progress struct{ Done int }
	resumed := make(chan progress, 1)
	err := w.RegisterActivityWithOptions(func(ctx context.Context) error {
		var p progress
		if !activity.HasHeartbeatDetails(ctx) {
			return errors.New("no details")
		}
		if err := activity.GetHeartbeatDetails(ctx, &p); err != nil {
			return err
		}
		resumed <- p
		return nil
	}, RegisterActivityOptions{Name: "Resume"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, w)
	task := newTask(t, "t1", "Resume", nil)
	task.Attempt = 2
	task.HeartbeatDetails = newTask(t, "x", "x", []any{progress{Done: 17}}).Input
	b.server.AddTask(task)
	if p := recv(t, resumed); p.Done != 17 {
		t.Errorf("resumed at %d, want 17", p.Done)
	}
}

func TestCancellationArrivesThroughTheHeartbeatResponse(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{})
	reasons := make(chan activity.CancelReason, 1)
	err := w.RegisterActivityWithOptions(func(ctx context.Context) error {
		activity.RecordHeartbeat(ctx, "working")
		<-ctx.Done()
		reasons <- activity.CancellationReason(ctx)
		return sundial.NewCanceledError("cleaned up")
	}, RegisterActivityOptions{Name: "Cancellable"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, w)
	b.server.ReplyToHeartbeats("t1", &workflowservice.RecordActivityTaskHeartbeatResponse{CancelRequested: true})
	b.server.AddTask(newTask(t, "t1", "Cancellable", nil))

	if r := recv(t, reasons); r != activity.CancelRequested {
		t.Errorf("reason %v, want cancel requested", r)
	}
	o := b.awaitOutcome(t, "t1")
	if o.Kind != "canceled" {
		t.Fatalf("outcome %+v", o)
	}
	var detail string
	decode(t, o.Details, &detail)
	if detail != "cleaned up" {
		t.Errorf("details %q", detail)
	}
}

func TestPausedActivityReportsFailure(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{})
	err := w.RegisterActivityWithOptions(func(ctx context.Context) error {
		activity.RecordHeartbeat(ctx)
		<-ctx.Done()
		return ctx.Err()
	}, RegisterActivityOptions{Name: "Pausable"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, w)
	b.server.ReplyToHeartbeats("t1", &workflowservice.RecordActivityTaskHeartbeatResponse{ActivityPaused: true})
	b.server.AddTask(newTask(t, "t1", "Pausable", nil))
	o := b.awaitOutcome(t, "t1")
	if o.Kind != "failed" || o.Failure.GetApplicationFailureInfo().GetType() != "ActivityPaused" {
		t.Errorf("outcome %+v", o)
	}
}

func TestHeartbeatNotFoundCancelsAndReportsNothing(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{})
	reasons := make(chan activity.CancelReason, 1)
	err := w.RegisterActivityWithOptions(func(ctx context.Context) error {
		activity.RecordHeartbeat(ctx)
		<-ctx.Done()
		reasons <- activity.CancellationReason(ctx)
		return ctx.Err()
	}, RegisterActivityOptions{Name: "Orphan"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, w)
	b.server.FailHeartbeats("t1", serviceerror.NewNotFound("gone"))
	b.server.AddTask(newTask(t, "t1", "Orphan", nil))

	if r := recv(t, reasons); r != activity.NotFound {
		t.Errorf("reason %v, want not found", r)
	}
	w.Stop() // waits for the attempt to be handled
	if o, ok := b.server.Outcome("t1"); ok {
		t.Errorf("nothing must be reported, got %+v", o)
	}
}

func TestTimedOutActivityReportsNothing(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{})
	reasons := make(chan activity.CancelReason, 1)
	err := w.RegisterActivityWithOptions(func(ctx context.Context) error {
		<-ctx.Done()
		reasons <- activity.CancellationReason(ctx)
		return ctx.Err()
	}, RegisterActivityOptions{Name: "Slow"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, w)
	b.server.AddTask(newTask(t, "t1", "Slow", nil, withStartToClose(50*time.Millisecond)))

	if r := recv(t, reasons); r != activity.TimedOut {
		t.Errorf("reason %v, want timed out", r)
	}
	w.Stop()
	if o, ok := b.server.Outcome("t1"); ok {
		t.Errorf("nothing must be reported, got %+v", o)
	}
}
