package workflow

// ContinueAsNew returns the error that ends the running workflow and continues it as a
// new run of the declared workflow wf with input in, keeping the current run's workflow
// id, task queue, timeouts, retry policy, memo and search attributes. Return it from
// the workflow function:
//
//	return Result{}, workflow.ContinueAsNew(ctx, BillingV2, state)
//
// The compiler checks that in is wf's input. A workflow continuing as itself cannot
// name its own declaration inside its function (Go reports an initialization cycle);
// it uses ContinueAsNewSelf.
func ContinueAsNew[In, Out any](ctx Context, wf Func[In, Out], in In) error {
	return NewContinueAsNewError(ctx, wf.Name(), in)
}

// ContinueAsNewSelf returns the error that ends the running workflow and continues it
// as a new run of the same workflow type with input in. self is the running workflow's
// own function, given only so that the compiler checks in against its input:
//
//	func subscription(ctx workflow.Context, s Subscription) (Summary, error) {
//		...
//		return Summary{}, workflow.ContinueAsNewSelf(ctx, subscription, s)
//	}
func ContinueAsNewSelf[In, Out any](ctx Context, self func(Context, In) (Out, error), in In) error {
	return NewContinueAsNewError(ctx, "", in)
}
