package nexusop

import (
	"context"
	"log/slog"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/internal/sdk/nexusrt"
)

// OperationInfo describes the request a Nexus handler runs for.
type OperationInfo struct {
	// Namespace and TaskQueue are the worker's: the endpoint's target.
	Namespace string
	TaskQueue string
	// Endpoint is the name of the endpoint the caller used.
	Endpoint string
	// Service and Operation name what was called.
	Service   string
	Operation string
}

// InHandler reports whether ctx is the context of a Nexus handler run by Sundial's
// worker, where Client, Info and Logger have something to return.
func InHandler(ctx context.Context) bool {
	_, ok := nexusrt.FromContext(ctx)
	return ok
}

// Client returns the worker's client from a Nexus handler's context, nil elsewhere.
func Client(ctx context.Context) *client.Client {
	if oc, ok := nexusrt.FromContext(ctx); ok {
		return oc.Client
	}
	return nil
}

// Info describes the request of a Nexus handler's context; zero elsewhere.
func Info(ctx context.Context) OperationInfo {
	oc, ok := nexusrt.FromContext(ctx)
	if !ok {
		return OperationInfo{}
	}
	return OperationInfo{Namespace: oc.Namespace, TaskQueue: oc.TaskQueue, Endpoint: oc.Endpoint, Service: oc.Service, Operation: oc.Operation}
}

// Logger returns the worker's logger with the request's service, operation and task
// queue from a Nexus handler's context, slog.Default elsewhere.
func Logger(ctx context.Context) *slog.Logger {
	if oc, ok := nexusrt.FromContext(ctx); ok && oc.Logger != nil {
		return oc.Logger
	}
	return slog.Default()
}
