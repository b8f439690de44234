package client

import "context"

// ActivityFunc is a typed activity declaration. activity.Func[In, Out], made
// with activity.Define, implements it; the typed calls below take one so
// that the compiler checks the activity's input and result types.
type ActivityFunc[In, Out any] interface {
	// Name is the activity type name.
	Name() string
	// Function is the activity function; its signature carries the types.
	Function() func(context.Context, In) (Out, error)
}

// TypedActivityHandle is a handle to a standalone activity whose result
// type is known.
type TypedActivityHandle[Out any] struct {
	*ActivityHandle
}

// Result waits for the activity to close and returns its result; see
// ActivityHandle.Get for the errors.
func (h TypedActivityHandle[Out]) Result(ctx context.Context) (Out, error) {
	var out Out
	err := h.Get(ctx, &out)
	return out, err
}

// StartActivity starts the declared activity fn with input in as a
// standalone activity (see StartActivityOptions) and returns a handle whose
// Result has fn's result type:
//
//	var ChargeCard = activity.Define(chargeCard) // func(context.Context, Card) (string, error)
//
//	h, err := client.StartActivity(ctx, c, client.StartActivityOptions{ID: "charge-42", TaskQueue: "billing", StartToCloseTimeout: time.Minute}, ChargeCard, card)
//	receipt, err := h.Result(ctx) // a string
func StartActivity[In, Out any](ctx context.Context, c *Client, opts StartActivityOptions, fn ActivityFunc[In, Out], in In) (TypedActivityHandle[Out], error) {
	h, err := c.StartActivity(ctx, opts, fn.Name(), in)
	if err != nil {
		return TypedActivityHandle[Out]{}, err
	}
	return TypedActivityHandle[Out]{ActivityHandle: h}, nil
}

// ExecuteActivity starts the declared activity fn with input in as a
// standalone activity and waits for its result.
func ExecuteActivity[In, Out any](ctx context.Context, c *Client, opts StartActivityOptions, fn ActivityFunc[In, Out], in In) (Out, error) {
	h, err := StartActivity(ctx, c, opts, fn, in)
	if err != nil {
		var zero Out
		return zero, err
	}
	return h.Result(ctx)
}

// GetActivityFunc returns a typed handle to an existing standalone activity
// of fn; an empty runID means the id's latest run.
func GetActivityFunc[In, Out any](_ context.Context, c *Client, fn ActivityFunc[In, Out], activityID, runID string) TypedActivityHandle[Out] {
	h := c.GetActivity(activityID, runID)
	h.activityType = fn.Name()
	return TypedActivityHandle[Out]{ActivityHandle: h}
}
