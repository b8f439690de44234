package sundialtest

import (
	"context"
	"fmt"
	"time"

	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/client"
)

// DefaultRetention is the default namespace's retention in a WorkflowEnvironment: the
// longest duration the server accepts, so that retention never deletes a run a test
// finished, however far it skips time.
const DefaultRetention = 100 * 365 * 24 * time.Hour

// minProductionRetention is the server's own lower bound for retention, which the
// environment lowers only when a test asks for a shorter one.
const minProductionRetention = 24 * time.Hour

// retention is the retention the options ask for.
func (o WorkflowEnvironmentOptions) retention() (time.Duration, error) {
	switch {
	case o.Retention < 0 || o.Retention > DefaultRetention:
		return 0, fmt.Errorf("WorkflowEnvironmentOptions.Retention %s is outside 0 … %s", o.Retention, DefaultRetention)
	case o.Retention == 0:
		return DefaultRetention, nil
	default:
		return o.Retention, nil
	}
}

// setRetention sets the default namespace's retention.
func setRetention(ctx context.Context, conn grpc.ClientConnInterface, retention time.Duration) error {
	svc := workflowservice.NewWorkflowServiceClient(conn)
	_, err := svc.UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
		Namespace: client.DefaultNamespace,
		Config:    &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(retention)},
	})
	if err != nil {
		return fmt.Errorf("setting the default namespace's retention to %s: %w", retention, err)
	}
	return nil
}

// Retention is the default namespace's retention: how long the server keeps a closed
// run before deleting it.
func (e *WorkflowEnvironment) Retention() time.Duration {
	retention, _ := e.opts.retention()
	return retention
}
