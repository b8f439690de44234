// Package nexusrt runs Nexus tasks for Sundial's worker: it decodes the start and
// cancel requests a PollNexusTaskQueue answer carries, calls the registered
// nexus.Handler with the request's deadline, and turns its outcome into the
// RespondNexusTaskCompleted or RespondNexusTaskFailed request Temporal's server
// expects, mapping errors the way Temporal's SDKs do. Package nexusop reads the
// OperationContext it puts in each handler's context.
package nexusrt

import (
	"context"
	"log/slog"

	"github.com/sundialdev/sundial/client"
)

// OperationContext describes the Nexus task a handler runs for.
type OperationContext struct {
	// Client is the worker's client, for handlers that act on workflows.
	Client *client.Client
	// Namespace and TaskQueue are the worker's, where the endpoint sends requests.
	Namespace string
	TaskQueue string
	// Endpoint is the name of the endpoint the caller used.
	Endpoint string
	// Service and Operation name what is called.
	Service   string
	Operation string
	// Logger carries the task's service, operation and task queue.
	Logger *slog.Logger
}

type operationContextKey struct{}

// WithOperationContext returns ctx carrying oc.
func WithOperationContext(ctx context.Context, oc *OperationContext) context.Context {
	return context.WithValue(ctx, operationContextKey{}, oc)
}

// FromContext returns the OperationContext of a Nexus handler's context, if ctx is one.
func FromContext(ctx context.Context) (*OperationContext, bool) {
	oc, ok := ctx.Value(operationContextKey{}).(*OperationContext)
	return oc, ok
}

// InHandler reports whether ctx is a Nexus handler's context.
func InHandler(ctx context.Context) bool {
	_, ok := FromContext(ctx)
	return ok
}
