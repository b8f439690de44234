package client

import "context"

// TypedNexusOperationHandle is a handle to a standalone Nexus operation
// whose result type is known.
type TypedNexusOperationHandle[Out any] struct {
	*NexusOperationHandle
}

// Result waits for the operation to close and returns its result; see
// NexusOperationHandle.Get for the errors.
func (h TypedNexusOperationHandle[Out]) Result(ctx context.Context) (Out, error) {
	var out Out
	err := h.Get(ctx, &out)
	return out, err
}

// StartNexusOperation starts operation with input in as a standalone Nexus
// operation and returns a handle whose Result has the result type Out:
//
//	h, err := client.StartNexusOperation[Order, Receipt](ctx, c, client.StartNexusOperationOptions{
//		ID: "order-42", Endpoint: "billing", Service: "payments", ScheduleToCloseTimeout: time.Hour,
//	}, "charge", order)
//	receipt, err := h.Result(ctx) // a Receipt
func StartNexusOperation[In, Out any](ctx context.Context, c *Client, opts StartNexusOperationOptions, operation string, in In) (TypedNexusOperationHandle[Out], error) {
	h, err := c.StartNexusOperation(ctx, opts, operation, in)
	if err != nil {
		return TypedNexusOperationHandle[Out]{}, err
	}
	return TypedNexusOperationHandle[Out]{NexusOperationHandle: h}, nil
}

// ExecuteNexusOperation starts operation with input in as a standalone
// Nexus operation and waits for its result.
func ExecuteNexusOperation[In, Out any](ctx context.Context, c *Client, opts StartNexusOperationOptions, operation string, in In) (Out, error) {
	h, err := StartNexusOperation[In, Out](ctx, c, opts, operation, in)
	if err != nil {
		var zero Out
		return zero, err
	}
	return h.Result(ctx)
}
