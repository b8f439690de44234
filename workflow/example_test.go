package workflow_test

import (
	"context"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/workflow"
)

type Order struct {
	ID     string
	Amount int
}

var (
	chargeCard = activity.Define(ChargeCard)
	shipped    = workflow.NewSignal[string]("shipped")
	status     = workflow.NewQuery[struct{}, string]("status")
)

// ChargeCard is an activity: it does the real work and may fail and be retried.
func ChargeCard(ctx context.Context, order Order) (string, error) { return "tx-" + order.ID, nil }

// OrderWorkflow charges the card with retries, waits up to a day for the shipment
// signal while answering a status query, and refunds if it never comes.
func OrderWorkflow(ctx workflow.Context, order Order) (string, error) {
	state := "charging"
	if err := workflow.SetQueryHandlerFor(ctx, status, func(struct{}) (string, error) { return state, nil }); err != nil {
		return "", err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		HeartbeatTimeout:    10 * time.Second,
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
	workflow.NewSelector(ctx).
		AddReceive(workflow.GetSignal(ctx, shipped).Channel(), func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, &tracking)
			cancelTimer()
		}).
		AddFuture(deadline, func(workflow.Future) {}).
		Select(ctx)
	if tracking == "" {
		return "", workflow.ExecuteActivity(ctx, "Refund", tx).Get(ctx, nil)
	}
	return "Order " + order.ID + ": " + tx + " shipped as " + tracking, nil
}

// Workflows are plain functions; this example only shows the shape of one.
func Example() {
	_ = workflow.Define(OrderWorkflow)
}
