package nexusop

import (
	"context"

	"github.com/nexus-rpc/sdk-go/nexus"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/internal/sdk/nexusrt"
)

// SyncFunc is the body of a synchronous operation: it gets the worker's client, the
// decoded input and the request's options, and returns the result or an error.
type SyncFunc[I, O any] func(ctx context.Context, c *client.Client, in I, opts nexus.StartOperationOptions) (O, error)

// NewSync returns a synchronous operation named name that runs fn, which receives the
// worker's client. The result is encoded with the client's data converter. Run outside
// Sundial's worker (without a client to give), the operation fails with an INTERNAL
// handler error.
func NewSync[I, O any](name string, fn SyncFunc[I, O]) nexus.Operation[I, O] {
	return nexus.NewSyncOperation(name, func(ctx context.Context, in I, opts nexus.StartOperationOptions) (O, error) {
		oc, ok := nexusrt.FromContext(ctx)
		if !ok {
			var zero O
			return zero, nexus.NewHandlerErrorf(nexus.HandlerErrorTypeInternal, "operation %q runs only in Sundial's worker", name)
		}
		return fn(ctx, oc.Client, in, opts)
	})
}
