package frontend

import (
	"context"

	"go.temporal.io/api/operatorservice/v1"

	"github.com/sundialdev/sundial/internal/engine"
)

// OperatorHandler implements operatorservice.OperatorServiceServer: the
// search attribute registry. Other operator methods answer Unimplemented.
type OperatorHandler struct {
	operatorservice.UnimplementedOperatorServiceServer
	engine  *engine.Engine
	limits  Limits
	cluster ClusterInfo
}

// NewOperatorHandler returns an operator handler serving e.
func NewOperatorHandler(e *engine.Engine, limits Limits) *OperatorHandler {
	return &OperatorHandler{engine: e, limits: limits}
}

func (h *OperatorHandler) AddSearchAttributes(ctx context.Context, req *operatorservice.AddSearchAttributesRequest) (*operatorservice.AddSearchAttributesResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	if err := newChecker(h.limits, scopeRequest).namespace(req.GetNamespace()); err != nil {
		return nil, err
	}
	if err := checkNamespaceState(ctx, h.engine.NamespaceState, req); err != nil {
		return nil, err
	}
	return h.engine.AddSearchAttributes(ctx, req)
}

func (h *OperatorHandler) RemoveSearchAttributes(ctx context.Context, req *operatorservice.RemoveSearchAttributesRequest) (*operatorservice.RemoveSearchAttributesResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	if err := newChecker(h.limits, scopeRequest).namespace(req.GetNamespace()); err != nil {
		return nil, err
	}
	if err := checkNamespaceState(ctx, h.engine.NamespaceState, req); err != nil {
		return nil, err
	}
	return h.engine.RemoveSearchAttributes(ctx, req)
}

func (h *OperatorHandler) ListSearchAttributes(ctx context.Context, req *operatorservice.ListSearchAttributesRequest) (*operatorservice.ListSearchAttributesResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	if err := newChecker(h.limits, scopeRequest).namespace(req.GetNamespace()); err != nil {
		return nil, err
	}
	if err := checkNamespaceState(ctx, h.engine.NamespaceState, req); err != nil {
		return nil, err
	}
	return h.engine.ListSearchAttributes(ctx, req)
}

func (h *OperatorHandler) DeleteNamespace(ctx context.Context, req *operatorservice.DeleteNamespaceRequest) (*operatorservice.DeleteNamespaceResponse, error) {
	if err := validateDeleteNamespace(req, h.limits); err != nil {
		return nil, err
	}
	return h.engine.DeleteNamespace(ctx, req)
}
