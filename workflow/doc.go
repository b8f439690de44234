// Package workflow is what workflow code uses: durable timers, activities, signals,
// queries, side effects, versioning and deterministic concurrency.
//
// A workflow is a function func(ctx workflow.Context, args...) (result, error). It
// orchestrates activities, which do the real work, and survives any crash: a worker
// rebuilds its state by replaying its history, so the code must be deterministic. Use
// this package instead of the nondeterministic parts of Go:
//
//	Go                          in workflow code
//	--------------------------  --------------------------------------------
//	time.Now, time.Sleep        workflow.Now, workflow.Sleep, workflow.NewTimer
//	go f()                      workflow.Go(ctx, f)
//	chan, select                workflow.Channel, workflow.Selector
//	context.Context             workflow.Context (WithCancel, NewDisconnectedContext)
//	rand, uuid                  workflow.SideEffect
//	log/slog                    workflow.GetLogger (silent during replay)
//	map iteration order         sort the keys first
//
// Activities are called by name, by function, or type-checked through a declaration:
//
//	var ChargeCard = activity.Define(chargeCard)
//
//	func Order(ctx workflow.Context, order Order) (string, error) {
//		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
//		return workflow.ExecuteActivityFunc(ctx, ChargeCard, order).Get(ctx)
//	}
//
// Declarations make the rest type-checked too, in workflow code and in clients
// (client.ExecuteWorkflowFunc, client.Signal, client.QueryState, client.ExecuteUpdate):
//
//	var (
//		Subscription = workflow.Define(subscription)           // the workflow
//		Cancel       = workflow.NewSignal[string]("cancel")     // a signal with its value
//		Status       = workflow.NewStateQuery[State]("status")  // a query without argument
//		ChangePlan   = workflow.NewUpdate[Plan, Plan]("change") // an update
//	)
//
//	sel := workflow.NewSelector(ctx)
//	workflow.AddSignal(ctx, sel, workflow.GetSignal(ctx, Cancel), func(reason string) { ... })
//	workflow.AddFutureOf(ctx, sel, workflow.ExecuteActivityFunc(ctx, ChargeCard, charge), func(r Receipt, err error) { ... })
//	sel.Select(ctx)
//	...
//	return State{}, workflow.ContinueAsNewSelf(ctx, subscription, state) // or ContinueAsNew(ctx, OtherDef, in)
//
// examples/subscription puts them together, with its test.
//
// Operations of Nexus services, usually another team's and in another namespace, are
// called through an endpoint with NewNexusClient, by name or type-checked with
// ExecuteNexusOperation and a nexus.OperationReference.
//
// Workflow code runs as coroutines: only one runs at a time, each until it blocks on a
// workflow call, always in the same order. A panic fails the workflow task (not the
// workflow), so a fixed worker can continue it; a change that makes replay disagree
// with history fails the task with a nondeterminism error naming the command and the
// event that disagree. Use GetVersion to change code that has runs in flight, and
// worker.WorkflowReplayer to check a change against saved histories.
package workflow
