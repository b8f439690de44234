package nexusop_test

import (
	"context"
	"log"

	"github.com/nexus-rpc/sdk-go/nexus"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/nexusop"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

type Order struct {
	ID     string
	Amount int
}

func charge(ctx workflow.Context, o Order) (string, error) { return "receipt-" + o.ID, nil }

// ChargeWorkflow is the workflow behind the "charge" operation.
var ChargeWorkflow = workflow.Define(charge)

// A service with a synchronous operation that signals a workflow through the worker's
// client, and an asynchronous one backed by a workflow run, served by a worker.
func Example() {
	svc := nexus.NewService("billing")
	svc.MustRegister(
		nexusop.NewSync("approve", func(ctx context.Context, c *client.Client, orderID string, _ nexus.StartOperationOptions) (string, error) {
			if err := c.SignalWorkflow(ctx, "order-"+orderID, "", "approved", nexusop.Info(ctx).Endpoint); err != nil {
				return "", err
			}
			return "approved " + orderID, nil
		}),
		nexusop.NewWorkflowRun("charge", ChargeWorkflow, func(ctx context.Context, o Order, opts nexus.StartOperationOptions) (client.StartWorkflowOptions, error) {
			return client.StartWorkflowOptions{ID: "charge-" + o.ID}, nil
		}),
	)

	c, err := client.Dial(context.Background(), client.Options{HostPort: "localhost:7233", Namespace: "billing"})
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	w := worker.New(c, "billing-queue", worker.Options{})
	if err := w.RegisterNexusService(svc); err != nil {
		log.Fatal(err)
	}
	if err := worker.RegisterWorkflowFunc(w, ChargeWorkflow); err != nil {
		log.Fatal(err)
	}
	if err := w.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
}
