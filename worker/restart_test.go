package worker_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
)

// restartActivities count their executions across workers. Ship blocks on the first
// worker until that worker stops.
type restartActivities struct {
	charges      atomic.Int32
	ships        atomic.Int32
	shipStarted  chan struct{}
	blockOnFirst bool
}

func (a *restartActivities) Charge(ctx context.Context, amount int) (string, error) {
	a.charges.Add(1)
	return "tx-1", nil
}

func (a *restartActivities) Ship(ctx context.Context, txID string) (string, error) {
	if a.ships.Add(1) == 1 && a.blockOnFirst {
		close(a.shipStarted)
		<-ctx.Done() // the first worker is stopped while shipping
		return "", ctx.Err()
	}
	return "shipped after " + txID, nil
}

func ChargeThenShip(ctx workflow.Context, amount int) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &sundial.RetryPolicy{InitialInterval: 50 * time.Millisecond, MaximumAttempts: 5},
	})
	var txID string
	if err := workflow.ExecuteActivity(ctx, "Charge", amount).Get(ctx, &txID); err != nil {
		return "", err
	}
	var shipped string
	if err := workflow.ExecuteActivity(ctx, "Ship", txID).Get(ctx, &shipped); err != nil {
		return "", err
	}
	return shipped, nil
}

// TestNewWorkerContinuesWithoutRepeatingCompletedActivity stops a worker in the middle
// of a workflow whose first activity completed (the second is running); a new worker
// continues the workflow from its history, and the first activity does not run again.
func TestNewWorkerContinuesWithoutRepeatingCompletedActivity(t *testing.T) {
	c := engine(t)
	acts := &restartActivities{shipStarted: make(chan struct{}), blockOnFirst: true}
	register := func(w *worker.Worker) error {
		return errors.Join(w.RegisterWorkflow(ChargeThenShip), w.RegisterActivity(acts))
	}
	first := startWorker(t, c, "restart", worker.Options{Identity: "first-worker"}, register)
	ctx := testContext(t)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "restart-1", TaskQueue: "restart"}, "ChargeThenShip", 100)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-acts.shipStarted:
	case <-ctx.Done():
		t.Fatal("the second activity never started")
	}
	first.Stop()
	if n := acts.charges.Load(); n != 1 {
		t.Fatalf("charges before the restart = %d, want 1", n)
	}

	startWorker(t, c, "restart", worker.Options{Identity: "second-worker"}, register)
	var got string
	if err := run.Get(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if got != "shipped after tx-1" {
		t.Fatalf("result = %q", got)
	}
	if n := acts.charges.Load(); n != 1 {
		t.Fatalf("Charge ran %d times, want 1: replay must not run a completed activity again", n)
	}
	if n := acts.ships.Load(); n != 2 {
		t.Fatalf("Ship ran %d times, want 2 (the interrupted attempt and its retry)", n)
	}
	// The workflow's last task was run by the new worker, which rebuilt the run from
	// history.
	var lastTaskIdentity string
	for e, err := range c.GetWorkflowHistory(ctx, "restart-1", "") {
		if err != nil {
			t.Fatal(err)
		}
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED {
			lastTaskIdentity = e.GetWorkflowTaskStartedEventAttributes().GetIdentity()
		}
	}
	if lastTaskIdentity != "second-worker" {
		t.Fatalf("last workflow task ran on %q, want second-worker", lastTaskIdentity)
	}
}

// The same, with the first worker stopped while the workflow waits for a signal; the
// cached run is dropped and the second worker replays it.
func TestNewWorkerContinuesAWaitingWorkflow(t *testing.T) {
	c := engine(t)
	var charges atomic.Int32
	charge := activity.DefineNamed("CountedCharge", func(ctx context.Context, amount int) (string, error) {
		charges.Add(1)
		return "tx-2", nil
	})
	proceed := workflow.NewSignal[string]("proceed")
	wf := workflow.DefineNamed("ChargeThenWait", func(ctx workflow.Context, amount int) (string, error) {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
		txID, err := workflow.ExecuteActivityFunc(ctx, charge, amount).Get(ctx)
		if err != nil {
			return "", err
		}
		note := workflow.GetSignal(ctx, proceed).Receive(ctx)
		return txID + " " + note, nil
	})
	register := func(w *worker.Worker) error {
		return errors.Join(worker.RegisterWorkflowFunc(w, wf), worker.RegisterActivityFunc(w, charge))
	}
	first := startWorker(t, c, "restart-wait", worker.Options{Identity: "first-worker"}, register)
	ctx := testContext(t)
	run, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{ID: "restart-2", TaskQueue: "restart-wait"}, wf, 5)
	if err != nil {
		t.Fatal(err)
	}
	waitForEvent(t, ctx, c, "restart-2", enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 3) // and the workflow task that saw it
	first.Stop()

	startWorker(t, c, "restart-wait", worker.Options{Identity: "second-worker"}, register)
	if err := client.Signal(ctx, run, proceed, "go"); err != nil {
		t.Fatal(err)
	}
	got, err := run.Result(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got != "tx-2 go" || charges.Load() != 1 {
		t.Fatalf("result = %q after %d charges, want %q after 1", got, charges.Load(), "tx-2 go")
	}
}

// waitForEvent waits until the run's history has an event of type typ followed by at
// least after more events.
func waitForEvent(t *testing.T, ctx context.Context, c *client.Client, workflowID string, typ enumspb.EventType, after int) {
	t.Helper()
	for ctx.Err() == nil {
		seen, following := false, 0
		for e, err := range c.GetWorkflowHistory(ctx, workflowID, "") {
			if err != nil {
				t.Fatal(err)
			}
			if seen {
				following++
			}
			seen = seen || e.GetEventType() == typ
		}
		if seen && following >= after {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("workflow %s: no %s followed by %d events", workflowID, typ, after)
}
