package engine

import (
	"context"
	"errors"

	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

// NamespaceState returns the state of the namespace called name. A namespace
// that does not exist has state UNSPECIFIED and no error: the request's own
// handler answers NamespaceNotFound in its usual place. The lookup is a read of
// the in-memory namespace cache after the first one.
func (e *Engine) NamespaceState(ctx context.Context, name string) (enumspb.NamespaceState, error) {
	if name == "" {
		return enumspb.NAMESPACE_STATE_UNSPECIFIED, nil
	}
	ns, err := e.ns.lookup(ctx, name)
	var notFound *serviceerror.NamespaceNotFound
	if errors.As(err, &notFound) {
		return enumspb.NAMESPACE_STATE_UNSPECIFIED, nil
	}
	if err != nil {
		return enumspb.NAMESPACE_STATE_UNSPECIFIED, err
	}
	return ns.desc.GetNamespaceInfo().GetState(), nil
}

// errInvalidNamespaceStateUpdate is Temporal's answer to a state change it does
// not allow.
func errInvalidNamespaceStateUpdate() error {
	return serviceerror.NewInvalidArgument("Invalid namespace state update.")
}

// checkNamespaceStateChange allows the moves Temporal allows: a registered
// namespace may be deprecated or deleted, a deprecated one deleted, and nothing
// comes back from deleted. Asking for the current state changes nothing.
func checkNamespaceStateChange(from, to enumspb.NamespaceState) error {
	if to == enumspb.NAMESPACE_STATE_UNSPECIFIED || from == to {
		return nil
	}
	switch from {
	case enumspb.NAMESPACE_STATE_REGISTERED:
		if to == enumspb.NAMESPACE_STATE_DEPRECATED || to == enumspb.NAMESPACE_STATE_DELETED {
			return nil
		}
	case enumspb.NAMESPACE_STATE_DEPRECATED:
		if to == enumspb.NAMESPACE_STATE_DELETED {
			return nil
		}
	}
	return errInvalidNamespaceStateUpdate()
}

// DeprecateNamespace marks a namespace deprecated: it keeps serving its runs,
// but the frontend refuses to start new workflows in it.
func (e *Engine) DeprecateNamespace(ctx context.Context, req *workflowservice.DeprecateNamespaceRequest) (*workflowservice.DeprecateNamespaceResponse, error) {
	_, err := e.UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
		Namespace:  req.GetNamespace(),
		UpdateInfo: &namespacepb.UpdateNamespaceInfo{State: enumspb.NAMESPACE_STATE_DEPRECATED},
	})
	if err != nil {
		return nil, err
	}
	return &workflowservice.DeprecateNamespaceResponse{}, nil
}
