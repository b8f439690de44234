package engine

import (
	"context"
	"errors"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/store"
)

// RequestCancelActivityExecution asks a standalone activity to stop (see
// machine.Tx.RequestCancelStandalone).
func (e *Engine) RequestCancelActivityExecution(ctx context.Context, req *workflowservice.RequestCancelActivityExecutionRequest) (*workflowservice.RequestCancelActivityExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	err = e.updateStandalone(ctx, ns, req.ActivityId, req.RunId, func(tx *machine.Tx) error {
		if req.RequestId != "" && tx.S.Standalone.CancelRequestID == req.RequestId {
			return errNoChange // a retried request
		}
		return tx.RequestCancelStandalone(req.Reason, req.Identity, req.RequestId)
	})
	if err != nil {
		return nil, ignoreNoChange(err)
	}
	return &workflowservice.RequestCancelActivityExecutionResponse{}, nil
}

// TerminateActivityExecution ends a standalone activity at once.
func (e *Engine) TerminateActivityExecution(ctx context.Context, req *workflowservice.TerminateActivityExecutionRequest) (*workflowservice.TerminateActivityExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	err = e.updateStandalone(ctx, ns, req.ActivityId, req.RunId, func(tx *machine.Tx) error {
		if !tx.S.Open() && tx.S.Standalone.TerminateRequestID == req.RequestId && req.RequestId != "" {
			return errNoChange
		}
		return tx.TerminateStandalone(req.Reason, req.Identity, req.RequestId)
	})
	if err != nil {
		return nil, ignoreNoChange(err)
	}
	return &workflowservice.TerminateActivityExecutionResponse{}, nil
}

// DeleteActivityExecution removes a standalone activity's run; a running
// one is terminated first, so its waiters see it close.
func (e *Engine) DeleteActivityExecution(ctx context.Context, req *workflowservice.DeleteActivityExecutionRequest) (*workflowservice.DeleteActivityExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	r, err := e.lockStandalone(ctx, ns, req.ActivityId, req.RunId)
	if err != nil {
		return nil, err
	}
	err = e.deleteLockedStandalone(ctx, r, func(tx *machine.Tx) error {
		return tx.TerminateStandalone("Delete activity execution", "history-service", "")
	}, errStandaloneNotFound(req.ActivityId, req.RunId), "activity execution")
	if err != nil {
		return nil, err
	}
	return &workflowservice.DeleteActivityExecutionResponse{}, nil
}

func ignoreNoChange(err error) error {
	if errors.Is(err, errNoChange) {
		return nil
	}
	return err
}

// deleteLockedStandalone terminates the locked standalone run r if it is
// open (so its waiters see it close), unlocks it and deletes it with its
// history. notFound answers a run deleted meanwhile.
func (e *Engine) deleteLockedStandalone(ctx context.Context, r *run, terminate func(tx *machine.Tx) error, notFound error, what string) error {
	key := r.key
	err := e.updateLocked(ctx, r, func(_ *run, tx *machine.Tx) error {
		if !tx.S.Open() {
			return errNoChange
		}
		return terminate(tx)
	})
	r.mu.Unlock()
	if err = ignoreNoChange(err); err != nil {
		return err
	}
	if err := e.store.DeleteExecution(ctx, key.storeKey()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notFound
		}
		return unavailable("deleting "+what, err)
	}
	e.runs.forget(key)
	return nil
}
