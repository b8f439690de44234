// Package orders is the order workflow of the tutorial the SDK follows: charge the
// card (retried with backoff, heartbeating), update the inventory, send the
// confirmation email and arrange the shipment. The order command runs it; the compat
// tests run it against Sundial and against Temporal's own server.
package orders

import (
	"errors"

	"github.com/sundialdev/sundial/worker"
)

// Register adds the order workflow and its activities to w.
func Register(w *worker.Worker) error {
	return errors.Join(
		worker.RegisterWorkflowFunc(w, OrderWorkflowDef),
		worker.RegisterActivityFunc(w, ChargeCardDef),
		worker.RegisterActivityFunc(w, UpdateInventoryDef),
		worker.RegisterActivityFunc(w, SendConfirmationEmailDef),
		worker.RegisterActivityFunc(w, ArrangeShipmentDef),
	)
}
