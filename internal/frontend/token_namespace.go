// The check that a task token belongs to the namespace its request names: a worker
// of one namespace may not complete, fail or heartbeat tasks of another by sending
// their tokens.

package frontend

import (
	"context"

	"go.temporal.io/api/serviceerror"

	"github.com/sundialdev/sundial/internal/engine"
	"github.com/sundialdev/sundial/internal/tasktoken"
)

// errTokenNamespaceMismatch is Temporal's answer (common/rpc/interceptor's namespace
// validator) to a token from another namespace; SDKs and tests match on its text.
var errTokenNamespaceMismatch = serviceerror.NewInvalidArgument("Operation requested with a token from a different namespace.")

// tokenRequest is a request that carries a task token issued by a poll.
type tokenRequest interface {
	GetNamespace() string
	GetTaskToken() []byte
}

// checkTokenNamespace answers NamespaceNotFound when the request's namespace does
// not exist, and InvalidArgument when the token was issued in another namespace. A
// token that does not decode is left for the engine to refuse with its own message.
func (h *Handler) checkTokenNamespace(ctx context.Context, req tokenRequest) error {
	tok, err := tasktoken.Decode(req.GetTaskToken())
	if err != nil {
		return nil
	}
	id, err := h.engine.NamespaceID(ctx, req.GetNamespace())
	if err != nil {
		return err
	}
	if tok.NamespaceID != id && tok.NamespaceID != engine.StandaloneNamespaceID(id) {
		return errTokenNamespaceMismatch
	}
	return nil
}

// serveWithToken is serve for requests that carry a task token: after validation
// it checks the token's namespace against the request's.
func serveWithToken[Req tokenRequest, Resp any](ctx context.Context, h *Handler, req Req, validate func(Req, Limits) error, do func(context.Context, Req) (Resp, error)) (Resp, error) {
	var zero Resp
	if err := validate(req, h.limits); err != nil {
		return zero, err
	}
	if err := h.checkTokenNamespace(ctx, req); err != nil {
		return zero, err
	}
	if err := h.checkNamespaceState(ctx, req); err != nil {
		return zero, err
	}
	return do(ctx, req)
}
