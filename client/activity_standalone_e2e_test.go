package client_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/worker"
	enumspb "go.temporal.io/api/enums/v1"
)

type invoice struct {
	Customer string
	Cents    int
}

// chargeInvoice fails its first attempt after a heartbeat, and reports on
// its second what it resumed from.
func chargeInvoice(ctx context.Context, in invoice) (string, error) {
	info := activity.GetInfo(ctx)
	var resumed string
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &resumed); err != nil {
			return "", err
		}
	}
	activity.RecordHeartbeat(ctx, fmt.Sprintf("attempt %d", info.Attempt))
	if info.Attempt == 1 {
		return "", sundial.NewApplicationError("card declined", "Declined", true)
	}
	return fmt.Sprintf("%s charged %d (resumed from %q)", in.Customer, in.Cents, resumed), nil
}

// waitingActivity heartbeats until it is canceled; started receives a value
// when an attempt begins.
type waitingActivity struct{ started chan struct{} }

func (a *waitingActivity) waitForCancel(ctx context.Context, _ string) (string, error) {
	select {
	case a.started <- struct{}{}:
	default:
	}
	for {
		activity.RecordHeartbeat(ctx)
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

var chargeInvoiceFn = activity.Define(chargeInvoice)

// startActivityWorker runs a worker with chargeInvoice and a waitForCancel
// activity on queue, and returns the latter with its start notifications.
func startActivityWorker(t *testing.T, c *client.Client, queue string) (activity.Func[string, string], <-chan struct{}) {
	t.Helper()
	waiting := &waitingActivity{started: make(chan struct{}, 1)}
	waitForCancelFn := activity.DefineNamed("waitForCancel", waiting.waitForCancel)
	w := worker.New(c, queue, worker.Options{Logger: slog.New(slog.DiscardHandler)})
	if err := errors.Join(worker.RegisterActivityFunc(w, chargeInvoiceFn), worker.RegisterActivityFunc(w, waitForCancelFn)); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return waitForCancelFn, waiting.started
}

// A standalone activity started with the typed call runs on Sundial's
// worker, is retried with its heartbeat details, and returns a typed result.
func TestStandaloneActivityTyped(t *testing.T) {
	c := startSundial(t)
	_, _ = startActivityWorker(t, c, "billing")
	ctx := typedTestContext(t)
	opts := client.StartActivityOptions{
		ID: "charge-1", TaskQueue: "billing", StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &sundial.RetryPolicy{InitialInterval: 50 * time.Millisecond, MaximumAttempts: 3},
	}
	out, err := client.ExecuteActivity(ctx, c, opts, chargeInvoiceFn, invoice{Customer: "ada", Cents: 1200})
	if err != nil {
		t.Fatal(err)
	}
	if want := `ada charged 1200 (resumed from "attempt 1")`; out != want {
		t.Fatalf("result %q, want %q", out, want)
	}
	info, err := c.GetActivity("charge-1", "").Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.GetStatus() != enumspb.ACTIVITY_EXECUTION_STATUS_COMPLETED || info.GetAttempt() != 2 || info.GetActivityType().GetName() != "chargeInvoice" {
		t.Fatalf("Describe = %v", info)
	}
	n, err := c.CountActivities(ctx, "ActivityType = 'chargeInvoice' AND ExecutionStatus = 'Completed'")
	if err != nil || n != 1 {
		t.Fatalf("CountActivities = %d, %v; want 1", n, err)
	}
	var listed []string
	for info, err := range c.ListActivities(ctx, "ActivityId = 'charge-1'") {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, info.GetActivityId())
	}
	if len(listed) != 1 {
		t.Fatalf("ListActivities = %v", listed)
	}
	// The id's activity closed, so the id may be used again.
	again, err := client.StartActivity(ctx, c, opts, chargeInvoiceFn, invoice{Customer: "bob", Cents: 1})
	if err != nil {
		t.Fatal(err)
	}
	if again.RunID() == "" {
		t.Fatal("no run id")
	}
}

// Cancel reaches a running standalone activity through its heartbeat;
// Terminate ends one at once.
func TestStandaloneActivityCancelTerminateTyped(t *testing.T) {
	c := startSundial(t)
	waitForCancelFn, started := startActivityWorker(t, c, "waiting")
	ctx := typedTestContext(t)
	opts := client.StartActivityOptions{ID: "wait-1", TaskQueue: "waiting", StartToCloseTimeout: 10 * time.Second, HeartbeatTimeout: 5 * time.Second}
	h, err := client.StartActivity(ctx, c, opts, waitForCancelFn, "")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-ctx.Done():
		t.Fatal("the activity never started")
	}
	if err := h.Cancel(ctx, "no longer needed"); err != nil {
		t.Fatal(err)
	}
	_, err = h.Result(ctx)
	var canceled *sundial.CanceledError
	if !errors.As(err, &canceled) {
		t.Fatalf("Result error = %v (%T), want CanceledError", err, err)
	}

	opts.ID = "wait-2"
	h, err = client.StartActivity(ctx, c, opts, waitForCancelFn, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Terminate(ctx, "shutting down"); err != nil {
		t.Fatal(err)
	}
	_, err = h.Result(ctx)
	var terminated *sundial.TerminatedError
	if !errors.As(err, &terminated) {
		t.Fatalf("Result error = %v (%T), want TerminatedError", err, err)
	}
	if _, err := client.StartActivity(ctx, c, client.StartActivityOptions{ID: "x", TaskQueue: "waiting"}, waitForCancelFn, ""); err == nil {
		t.Fatal("a start without timeouts was accepted")
	}
}
