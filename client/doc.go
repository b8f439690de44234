// Package client talks to a Sundial engine or any Temporal cluster over Temporal's
// WorkflowService gRPC API: it starts workflows and waits for their results, signals,
// queries, updates, cancels, terminates, describes, lists and counts them, and
// completes or heartbeats activities asynchronously (for activities that returned
// sundial.ErrResultPending).
//
// Workflows declared with workflow.Define are started and messaged with type-checked
// calls; the compiler checks every argument and result:
//
//	c, err := client.Dial(ctx, client.Options{HostPort: "127.0.0.1:7233"})
//	if err != nil { ... }
//	defer c.Close()
//	run, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{ID: "sub-ada", TaskQueue: "billing"}, subscription.Workflow, sub)
//	previous, err := client.ExecuteUpdate(ctx, run, subscription.ChangePlan, premium)
//	status, err := client.QueryState(ctx, run, subscription.Status)
//	err = client.Signal(ctx, run, subscription.Cancel, "moving abroad")
//	summary, err := run.Result(ctx) // a subscription.Summary
//
// (from the example in examples/subscription). Every call takes its context.Context
// first; the typed calls are functions, as Go methods cannot have type parameters, and
// take the client (ExecuteWorkflowFunc, GetWorkflowFunc) or a run (Signal, Query,
// QueryState, StartUpdate, ExecuteUpdate) next.
//
// Workflows implemented in other languages, or known only by name, use the untyped
// calls, whose arguments are encoded with the DataConverter:
//
//	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "order-1", TaskQueue: "orders"}, "ProcessOrder", order)
//	var receipt Receipt
//	err = run.Get(ctx, &receipt)
//
// Errors returned by the server are go.temporal.io/api/serviceerror values (for example
// *serviceerror.NotFound, *serviceerror.WorkflowExecutionAlreadyStarted), so errors.As
// works on them.
package client
