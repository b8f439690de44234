package compat

import (
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	sdclient "github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/examples/order/orders"
)

// The tutorial's order workflow with Sundial's SDK: the charge fails twice and is
// retried with backoff while heartbeating, then the other three steps run once each.
func TestSDKOrderWorkflow(t *testing.T) {
	onBothServers(t, func(t *testing.T, tg target) {
		c := sdkDial(t, tg)
		queue := uniqueName(t, "orders")
		sdkStartWorker(t, c, queue, orders.Register)
		ctx := testContext(t, 60*time.Second)

		order := orders.Order{ID: "9", Amount: 99.99, Email: "c@example.com", Items: []string{"book"}}
		run, err := sdclient.ExecuteWorkflowFunc(ctx, c, sdclient.StartWorkflowOptions{ID: uniqueName(t, "order"), TaskQueue: queue}, orders.OrderWorkflowDef, order)
		if err != nil {
			t.Fatal(err)
		}
		receipt, err := run.Result(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if receipt != "Order 9: Transaction-99.99" {
			t.Fatalf("receipt = %q", receipt)
		}
		var scheduled []string
		var chargeAttempt int32
		for _, e := range sdkHistory(t, ctx, c, run.GetID(), run.GetRunID()) {
			switch e.GetEventType() {
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
				scheduled = append(scheduled, e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName())
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
				if chargeAttempt == 0 {
					chargeAttempt = e.GetActivityTaskStartedEventAttributes().GetAttempt()
				}
			}
		}
		if got := strings.Join(scheduled, ","); got != "ChargeCard,UpdateInventory,SendConfirmationEmail,ArrangeShipment" {
			t.Fatalf("activities = %s", got)
		}
		if chargeAttempt != orders.PaymentOutageAttempts+1 {
			t.Fatalf("charge succeeded on attempt %d, want %d", chargeAttempt, orders.PaymentOutageAttempts+1)
		}
	})
}
