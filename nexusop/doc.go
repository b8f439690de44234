// Package nexusop defines Nexus operations served by Sundial's worker.
//
// Nexus connects workflows across namespaces and teams: a caller workflow calls an
// operation of a service through an endpoint, and the endpoint's target (a namespace
// and task queue) runs it. Services and operations are declared with the Nexus Go
// SDK (github.com/nexus-rpc/sdk-go/nexus), the same package Temporal's Go SDK uses,
// so a service's definition is shared by callers and handlers of either SDK:
//
//	svc := nexus.NewService("billing")
//	_ = svc.Register(
//		nexusop.NewSync("quote", func(ctx context.Context, c *client.Client, in Order, _ nexus.StartOperationOptions) (Quote, error) {
//			return priceOf(in), nil
//		}),
//		nexusop.NewWorkflowRun("charge", ChargeWorkflow, func(ctx context.Context, in Order, _ nexus.StartOperationOptions) (client.StartWorkflowOptions, error) {
//			return client.StartWorkflowOptions{ID: "charge-" + in.ID}, nil
//		}),
//	)
//	_ = w.RegisterNexusService(svc) // w is a *worker.Worker
//
// A synchronous operation (NewSync, or nexus.NewSyncOperation) answers within the
// request; it reaches the worker's client through its argument or Client(ctx), to
// signal, query or update workflows. A workflow-run operation (NewWorkflowRun) is
// asynchronous: it starts a workflow that carries the caller's completion callback,
// and the caller learns the workflow's outcome when it closes. Its operation token has
// the format of Temporal's Go SDK, so either SDK's worker can cancel it.
// NewWorkflowRunFunc and StartWorkflow do the same for a workflow whose input is not
// the operation's.
//
// Handlers fail a request with a *nexus.HandlerError (its type decides whether the
// caller retries), or end the operation at once with a *nexus.OperationError (failed
// or canceled). Any other error is a retryable INTERNAL handler error, a
// non-retryable sundial.ApplicationError a non-retryable one, and the gRPC errors of
// client calls map to the handler error types Temporal's SDKs use. A handler that
// panics fails the request with an INTERNAL handler error; the worker keeps running.
package nexusop
