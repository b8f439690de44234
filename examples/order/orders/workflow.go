package orders

import (
	"fmt"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/workflow"
)

// Order is what a customer bought.
type Order struct {
	ID      string
	Amount  float64
	Email   string
	Items   []string
	Address string
}

// TaskQueue is where the order workflow and its activities run.
const TaskQueue = "orders"

// OrderWorkflowDef declares OrderWorkflow for type-checked starts.
var OrderWorkflowDef = workflow.Define(OrderWorkflow)

// OrderWorkflow is the manager of the order: it decides the sequence of steps and
// leaves the work to activities. Charging the card is retried with exponential backoff
// (the payment API is flaky) and heartbeats while it runs. A crash anywhere replays the
// workflow from its history, and completed steps are not run again: the card is never
// charged twice.
func OrderWorkflow(ctx workflow.Context, order Order) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		HeartbeatTimeout:    10 * time.Second,
		RetryPolicy: &sundial.RetryPolicy{
			InitialInterval:    100 * time.Millisecond,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Second,
			MaximumAttempts:    5,
		},
	})
	txID, err := workflow.ExecuteActivityFunc(ctx, ChargeCardDef, Charge{OrderID: order.ID, Amount: order.Amount}).Get(ctx)
	if err != nil {
		return "", fmt.Errorf("charging the card: %w", err)
	}
	if _, err := workflow.ExecuteActivityFunc(ctx, UpdateInventoryDef, order).Get(ctx); err != nil {
		return "", fmt.Errorf("updating the inventory: %w", err)
	}
	if _, err := workflow.ExecuteActivityFunc(ctx, SendConfirmationEmailDef, order).Get(ctx); err != nil {
		return "", fmt.Errorf("sending the confirmation email: %w", err)
	}
	if _, err := workflow.ExecuteActivityFunc(ctx, ArrangeShipmentDef, order).Get(ctx); err != nil {
		return "", fmt.Errorf("arranging the shipment: %w", err)
	}
	return fmt.Sprintf("Order %s: %s", order.ID, txID), nil
}
