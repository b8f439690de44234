package engine

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/store"
)

// DeleteWorkflowExecution removes a run and its history. A running run is
// terminated first, as Temporal does, so its children and waiters see it close.
func (e *Engine) DeleteWorkflowExecution(ctx context.Context, req *workflowservice.DeleteWorkflowExecutionRequest) (*workflowservice.DeleteWorkflowExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	key, err := e.resolveRun(ctx, ns, req.WorkflowExecution)
	if err != nil {
		return nil, err
	}
	err = e.update(ctx, key, func(_ *run, tx *machine.Tx) error {
		if !tx.S.Open() {
			return errNoChange
		}
		tx.TerminateRun("Delete workflow execution", nil, "history-service")
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := e.store.DeleteExecution(ctx, key.storeKey()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, serviceerror.NewNotFound("workflow execution not found")
		}
		return nil, unavailable("deleting workflow execution", err)
	}
	e.runs.forget(key)
	return &workflowservice.DeleteWorkflowExecutionResponse{}, nil
}
