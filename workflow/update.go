package workflow

import ()

// UpdateHandlerOptions configure an update handler.
type UpdateHandlerOptions struct {
	// Validator, if set, is a function with the handler's arguments (without the
	// context) returning error. It runs before the update is accepted; an error rejects
	// the update, which then leaves no trace in history. It must not block or change
	// workflow state.
	Validator any
}

// SetUpdateHandler registers handler for updates named name: a function
// func(Context, args...) (result, error) or func(Context, args...) error. Unlike query
// handlers it may block and change workflow state; the caller receives its result.
// Updates that arrive before their handler is registered wait until the code first
// blocks, then are rejected.
func SetUpdateHandler(ctx Context, name string, handler any, opts UpdateHandlerOptions) error {
	return runtimeOf(ctx).SetUpdateHandler(ctx, name, handler, opts.Validator)
}

// Update declares an update with its argument and result types, for type-checked
// handlers (and calls, with client.ExecuteUpdate or client.StartUpdate). Its Name method returns the
// update name on the wire.
type Update[In, Out any] struct{ name string }

// NewUpdate declares the update named name.
func NewUpdate[In, Out any](name string) Update[In, Out] { return Update[In, Out]{name: name} }

// Name is the update name on the wire.
func (u Update[In, Out]) Name() string { return u.name }

// UpdateTypes returns zero values of the update's argument and result types, for typed
// client calls (client.ExecuteUpdate, client.StartUpdate).
func (u Update[In, Out]) UpdateTypes() (In, Out) {
	var in In
	var out Out
	return in, out
}

// SetUpdateHandlerFor registers a type-checked handler, and optionally a validator, for
// the declared update u.
func SetUpdateHandlerFor[In, Out any](ctx Context, u Update[In, Out], handler func(Context, In) (Out, error), validator func(In) error) error {
	var v any
	if validator != nil {
		v = validator
	}
	return runtimeOf(ctx).SetUpdateHandler(ctx, u.Name(), handler, v)
}

// AllHandlersFinished reports whether no update handler is still running; await it
// before returning so that accepted updates complete:
//
//	workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
func AllHandlersFinished(ctx Context) bool { return runtimeOf(ctx).AllHandlersFinished(ctx) }
