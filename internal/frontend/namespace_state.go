// The namespace state check: what a deprecated or deleted namespace still
// serves. Temporal's rules: starting a workflow needs a registered namespace,
// every other request naming a namespace needs a registered or deprecated one,
// and registering or describing a namespace is never refused for its state.

package frontend

import (
	"context"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

var (
	// statesForStarts are the states in which new workflows may start.
	statesForStarts = []enumspb.NamespaceState{enumspb.NAMESPACE_STATE_REGISTERED}
	// statesForOthers are the states every other namespaced request needs.
	statesForOthers = []enumspb.NamespaceState{enumspb.NAMESPACE_STATE_REGISTERED, enumspb.NAMESPACE_STATE_DEPRECATED}
)

// allowedNamespaceStates returns the states req's namespace must be in, or nil
// when req is not checked.
func allowedNamespaceStates(req any) []enumspb.NamespaceState {
	switch req.(type) {
	case *workflowservice.RegisterNamespaceRequest, *workflowservice.DescribeNamespaceRequest:
		return nil
	case *workflowservice.StartWorkflowExecutionRequest, *workflowservice.SignalWithStartWorkflowExecutionRequest:
		return statesForStarts
	}
	return statesForOthers
}

// checkNamespaceState answers NamespaceInvalidState, with Temporal's text, when
// the request's namespace is in a state that does not serve it. An unknown
// namespace passes: the handler answers NamespaceNotFound where it always has.
func (h *Handler) checkNamespaceState(ctx context.Context, req any) error {
	return checkNamespaceState(ctx, h.engine.NamespaceState, req)
}

func checkNamespaceState(ctx context.Context, stateOf func(context.Context, string) (enumspb.NamespaceState, error), req any) error {
	named, ok := req.(interface{ GetNamespace() string })
	if !ok || named.GetNamespace() == "" {
		return nil
	}
	allowed := allowedNamespaceStates(req)
	if allowed == nil {
		return nil
	}
	state, err := stateOf(ctx, named.GetNamespace())
	if err != nil || state == enumspb.NAMESPACE_STATE_UNSPECIFIED {
		return err
	}
	for _, s := range allowed {
		if s == state {
			return nil
		}
	}
	return serviceerror.NewNamespaceInvalidState(named.GetNamespace(), state, allowed)
}
