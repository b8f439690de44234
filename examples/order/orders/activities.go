package orders

import (
	"context"
	"errors"
	"fmt"

	"github.com/sundialdev/sundial/activity"
)

// Charge is a payment to take.
type Charge struct {
	OrderID string
	Amount  float64
}

// PaymentOutageAttempts is how many attempts the simulated payment API fails before it
// answers, to show retries with backoff.
const PaymentOutageAttempts = 2

// Typed declarations of the activities, used by the workflow and for registration.
var (
	ChargeCardDef            = activity.Define(ChargeCard)
	UpdateInventoryDef       = activity.Define(UpdateInventory)
	SendConfirmationEmailDef = activity.Define(SendConfirmationEmail)
	ArrangeShipmentDef       = activity.Define(ArrangeShipment)
)

// ChargeCard charges the customer's card and returns the transaction id. The payment
// API here is simulated: it is down for the first attempts, and the server retries the
// activity with backoff until it answers. The activity heartbeats so that the server
// notices quickly if the worker running it dies.
func ChargeCard(ctx context.Context, charge Charge) (string, error) {
	info := activity.GetInfo(ctx)
	logger := activity.Logger(ctx)
	logger.Info(fmt.Sprintf("Charging $%.2f (attempt %d)", charge.Amount, info.Attempt))
	activity.RecordHeartbeat(ctx, "contacting the payment API")
	if info.Attempt <= PaymentOutageAttempts {
		err := errors.New("payment API unavailable: connection timeout")
		logger.Warn("charge failed, will retry", "error", err)
		return "", err
	}
	activity.RecordHeartbeat(ctx, "payment API answered")
	return fmt.Sprintf("Transaction-%.2f", charge.Amount), nil
}

// UpdateInventory reserves the ordered items.
func UpdateInventory(ctx context.Context, order Order) (int, error) {
	activity.Logger(ctx).Info("inventory updated", "order", order.ID, "items", len(order.Items))
	return len(order.Items), nil
}

// SendConfirmationEmail tells the customer the order is confirmed.
func SendConfirmationEmail(ctx context.Context, order Order) (string, error) {
	activity.Logger(ctx).Info("confirmation email sent", "order", order.ID, "to", order.Email)
	return order.Email, nil
}

// ArrangeShipment books the delivery and returns its tracking number.
func ArrangeShipment(ctx context.Context, order Order) (string, error) {
	tracking := "TRACK-" + order.ID
	activity.Logger(ctx).Info("shipment arranged", "order", order.ID, "to", order.Address, "tracking", tracking)
	return tracking, nil
}
