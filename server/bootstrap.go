package server

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/engine"
)

// bootstrap creates the namespaces Options.Namespaces names and registers
// Options.SearchAttributes in them and in the default namespace. It goes
// through the same handlers (and so the same validation) as a client's
// RegisterNamespace and AddSearchAttributes, before the listener serves, so
// the first request already finds them. A namespace that exists is kept as it
// is; a search attribute registered again with its type changes nothing.
func bootstrap(ctx context.Context, wf workflowservice.WorkflowServiceServer, ops operatorservice.OperatorServiceServer, namespaces []string, attrs map[string]enums.IndexedValueType) error {
	all := []string{engine.DefaultNamespace}
	for _, name := range namespaces {
		if slices.Contains(all, name) {
			continue
		}
		all = append(all, name)
		_, err := wf.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace:   name,
			Description: "created at start",
		})
		var exists *serviceerror.NamespaceAlreadyExists
		if err != nil && !errors.As(err, &exists) {
			return fmt.Errorf("creating namespace %q: %w", name, err)
		}
	}
	if len(attrs) == 0 {
		return nil
	}
	for _, ns := range all {
		_, err := ops.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
			Namespace:        ns,
			SearchAttributes: maps.Clone(attrs),
		})
		if err != nil {
			return fmt.Errorf("registering search attributes %v in namespace %q: %w", slices.Sorted(maps.Keys(attrs)), ns, err)
		}
	}
	return nil
}
