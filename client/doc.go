// Package client talks to a Sundial engine or any Temporal cluster over Temporal's
// WorkflowService gRPC API: it starts workflows by type name and waits for their results,
// signals, queries, cancels and terminates them, and completes or heartbeats activities
// asynchronously (for activities that returned sundial.ErrResultPending).
//
//	c, err := client.Dial(ctx, client.Options{HostPort: "127.0.0.1:7233"})
//	if err != nil { ... }
//	defer c.Close()
//	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "order-1", TaskQueue: "orders"}, "ProcessOrder", order)
//	var receipt Receipt
//	err = run.Get(ctx, &receipt)
//
// Errors returned by the server are go.temporal.io/api/serviceerror values (for example
// *serviceerror.NotFound, *serviceerror.WorkflowExecutionAlreadyStarted), so errors.As
// works on them.
package client
