package worker

import (
	"fmt"
	"log/slog"

	historypb "go.temporal.io/api/history/v1"

	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
)

// WorkflowReplayer replays recorded histories against workflow code, to prove that a
// code change is compatible with runs in flight before deploying it.
type WorkflowReplayer struct {
	registry *workflowrt.Registry
	// DataConverter decodes the history's payloads; nil means the default.
	DataConverter converter.DataConverter
	// Logger receives the workflows' logs (silent during replay anyway); nil discards.
	Logger *slog.Logger
}

// NewWorkflowReplayer returns a replayer with no workflows registered.
func NewWorkflowReplayer() *WorkflowReplayer {
	return &WorkflowReplayer{registry: workflowrt.NewRegistry()}
}

// RegisterWorkflow registers fn under its function name.
func (r *WorkflowReplayer) RegisterWorkflow(fn any) error {
	return r.registry.RegisterWorkflow(fn, workflowrt.RegisterOptions{})
}

// RegisterWorkflowWithName registers fn under name.
func (r *WorkflowReplayer) RegisterWorkflowWithName(fn any, name string) error {
	return r.registry.RegisterWorkflow(fn, workflowrt.RegisterOptions{Name: name})
}

// ReplayHistory replays history; it fails with a *workflow.NondeterminismError if the code
// disagrees with it, or with the panic of workflow code.
func (r *WorkflowReplayer) ReplayHistory(history *historypb.History) error {
	return workflowrt.ReplayWorkflowHistory(r.registry, history, workflowrt.ReplayOptions{DataConverter: r.DataConverter, Logger: r.Logger})
}

// ReplayHistoryFile replays a history saved as JSON by the temporal CLI
// (temporal workflow show --output json) or the Web UI.
func (r *WorkflowReplayer) ReplayHistoryFile(path string) error {
	history, err := workflowrt.LoadHistoryFile(path)
	if err != nil {
		return err
	}
	if err := r.ReplayHistory(history); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
