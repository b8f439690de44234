package workflow_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

type Order struct {
	ID     string
	Amount int
}

var (
	orderWorkflow = workflow.Define(OrderWorkflow)
	chargeCard    = activity.Define(ChargeCard)
	shipped       = workflow.NewSignal[string]("shipped")
	status        = workflow.NewStateQuery[string]("status")
)

// ChargeCard is an activity: it does the real work and may fail and be retried.
func ChargeCard(ctx context.Context, order Order) (string, error) { return "tx-" + order.ID, nil }

// OrderWorkflow charges the card with retries, waits up to a day for the shipment
// signal while answering a status query, and refunds if it never comes.
func OrderWorkflow(ctx workflow.Context, order Order) (string, error) {
	state := "charging"
	if err := workflow.SetStateQueryHandler(ctx, status, func() (string, error) { return state, nil }); err != nil {
		return "", err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &sundial.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 5},
	})
	tx, err := workflow.ExecuteActivityFunc(ctx, chargeCard, order).Get(ctx)
	if err != nil {
		return "", err
	}
	state = "waiting for shipment"
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	deadline := workflow.NewTimer(timerCtx, 24*time.Hour)
	var tracking string
	sel := workflow.NewSelector(ctx)
	workflow.AddSignal(ctx, sel, workflow.GetSignal(ctx, shipped), func(t string) {
		tracking = t
		cancelTimer()
	})
	sel.AddFuture(deadline, func(workflow.Future) {})
	sel.Select(ctx)
	if tracking == "" {
		return "", workflow.ExecuteActivity(ctx, "Refund", tx).Get(ctx, nil)
	}
	return "order " + order.ID + ": " + tx + ", shipped as " + tracking, nil
}

// An order workflow end to end: an embedded server, a worker, and a client that
// starts the workflow, signals it and reads its result, every call type-checked.
func Example() {
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	srv, err := server.New(server.Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:", Logger: quiet})
	if err != nil {
		panic(err)
	}
	if err := srv.Start(ctx); err != nil {
		panic(err)
	}
	defer func() { _ = srv.Stop(ctx) }()
	c, err := client.Dial(ctx, client.Options{HostPort: srv.Addr(), Logger: quiet})
	if err != nil {
		panic(err)
	}
	defer func() { _ = c.Close() }()

	w := worker.New(c, "orders", worker.Options{Logger: quiet})
	if err := worker.RegisterWorkflowFunc(w, orderWorkflow); err != nil {
		panic(err)
	}
	if err := worker.RegisterActivityFunc(w, chargeCard); err != nil {
		panic(err)
	}
	if err := w.Start(); err != nil {
		panic(err)
	}
	defer w.Stop()

	run, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{ID: "order-7", TaskQueue: "orders"}, orderWorkflow, Order{ID: "7", Amount: 4200})
	if err != nil {
		panic(err)
	}
	if err := client.Signal(ctx, run, shipped, "TRACK-1"); err != nil {
		panic(err)
	}
	result, err := run.Result(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println(result)
	state, err := client.QueryState(ctx, run, status)
	if err != nil {
		panic(err)
	}
	fmt.Println("status:", state)
	// Output:
	// order 7: tx-7, shipped as TRACK-1
	// status: waiting for shipment
}
