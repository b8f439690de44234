package workflow

import "github.com/nexus-rpc/sdk-go/nexus"

// NexusOperationFutureOf is a NexusOperationFuture whose result type is known to the
// compiler.
type NexusOperationFutureOf[Out any] struct {
	FutureOf[Out]
	started Future
}

// GetNexusOperationExecution is ready once the operation started (or completed
// synchronously), with its token, or with its error if it failed before starting.
func (f NexusOperationFutureOf[Out]) GetNexusOperationExecution() FutureOf[NexusOperationExecution] {
	return NewFutureOf[NexusOperationExecution](f.started)
}

// ExecuteNexusOperation calls op through c with input in; the compiler checks both the
// input and the result type against the operation's declaration:
//
//	var Greet = nexus.NewOperationReference[GreetInput, string]("greet")
//
//	c := workflow.NewNexusClient("greetings-endpoint", "greeting-service")
//	greeting, err := workflow.ExecuteNexusOperation(ctx, c, Greet, GreetInput{Name: "Ada"},
//		workflow.NexusOperationOptions{ScheduleToCloseTimeout: time.Minute}).Get(ctx)
//
// Handlers' operations (nexus.NewSyncOperation, and the workflow-backed operations of
// Temporal's and Sundial's SDKs) are references too.
func ExecuteNexusOperation[In, Out any](ctx Context, c NexusClient, op nexus.OperationReference[In, Out], in In, opts NexusOperationOptions) NexusOperationFutureOf[Out] {
	f := c.ExecuteOperation(ctx, op.Name(), in, opts)
	return NexusOperationFutureOf[Out]{FutureOf: NewFutureOf[Out](f), started: f.GetNexusOperationExecution()}
}
