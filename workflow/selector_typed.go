package workflow

// AddSignal adds a case to s that is ready when signal channel ch has a value; when
// Select chooses it, the value is received and handed to fn. It returns s for
// chaining, like the Selector methods:
//
//	sel := workflow.NewSelector(ctx)
//	workflow.AddSignal(ctx, sel, cancels, func(r CancelRequest) { canceled = &r })
//	workflow.AddFutureOf(ctx, sel, charge, func(r Receipt, err error) { receipt, chargeErr = r, err })
//	sel.Select(ctx)
func AddSignal[T any](ctx Context, s Selector, ch SignalChannel[T], fn func(value T)) Selector {
	return s.AddReceive(ch.ch, func(c ReceiveChannel, _ bool) {
		var v T
		c.Receive(ctx, &v)
		fn(v)
	})
}

// AddFutureOf adds a case to s that is ready when f is; when Select chooses it, fn gets
// f's value and error. It returns s for chaining.
func AddFutureOf[T any](ctx Context, s Selector, f FutureOf[T], fn func(value T, err error)) Selector {
	return s.AddFuture(f.f, func(Future) {
		fn(f.Get(ctx))
	})
}
