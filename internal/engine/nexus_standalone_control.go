package engine

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// updateStandaloneNexus runs fn on a standalone operation's run as one
// transition.
func (e *Engine) updateStandaloneNexus(ctx context.Context, ns *namespace, operationID, runID string, fn func(tx *machine.Tx) error) error {
	r, err := e.lockStandaloneNexus(ctx, ns, operationID, runID)
	if err != nil {
		return err
	}
	defer r.mu.Unlock()
	err = e.updateLocked(ctx, r, func(_ *run, tx *machine.Tx) error { return fn(tx) })
	var pre *machine.PreconditionError
	if errors.As(err, &pre) {
		return serviceerror.NewFailedPrecondition(pre.Message)
	}
	return err
}

// RequestCancelNexusOperationExecution asks a standalone operation's handler
// to cancel it (see machine.Tx.RequestCancelStandaloneNexus).
func (e *Engine) RequestCancelNexusOperationExecution(ctx context.Context, req *workflowservice.RequestCancelNexusOperationExecutionRequest) (*workflowservice.RequestCancelNexusOperationExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	err = e.updateStandaloneNexus(ctx, ns, req.OperationId, req.RunId, func(tx *machine.Tx) error {
		if req.RequestId != "" && tx.S.StandaloneNexus.CancelRequestID == req.RequestId {
			return errNoChange // a retried request
		}
		return tx.RequestCancelStandaloneNexus(req.Reason, req.Identity, req.RequestId)
	})
	if err != nil {
		return nil, ignoreNoChange(err)
	}
	return &workflowservice.RequestCancelNexusOperationExecutionResponse{}, nil
}

// TerminateNexusOperationExecution ends a standalone operation at once.
func (e *Engine) TerminateNexusOperationExecution(ctx context.Context, req *workflowservice.TerminateNexusOperationExecutionRequest) (*workflowservice.TerminateNexusOperationExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	err = e.updateStandaloneNexus(ctx, ns, req.OperationId, req.RunId, func(tx *machine.Tx) error {
		if !tx.S.Open() && req.RequestId != "" && tx.S.StandaloneNexus.TerminateRequestID == req.RequestId {
			return errNoChange
		}
		return tx.TerminateStandaloneNexus(req.Reason, req.Identity, req.RequestId)
	})
	if err != nil {
		return nil, ignoreNoChange(err)
	}
	return &workflowservice.TerminateNexusOperationExecutionResponse{}, nil
}

// DeleteNexusOperationExecution removes a standalone operation's run; a
// running one is terminated first, so its waiters see it close.
func (e *Engine) DeleteNexusOperationExecution(ctx context.Context, req *workflowservice.DeleteNexusOperationExecutionRequest) (*workflowservice.DeleteNexusOperationExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	r, err := e.lockStandaloneNexus(ctx, ns, req.OperationId, req.RunId)
	if err != nil {
		return nil, err
	}
	err = e.deleteLockedStandalone(ctx, r, func(tx *machine.Tx) error {
		return tx.TerminateStandaloneNexus("Delete nexus operation execution", "history-service", "")
	}, errStandaloneNexusNotFound(req.OperationId), "nexus operation execution")
	if err != nil {
		return nil, err
	}
	return &workflowservice.DeleteNexusOperationExecutionResponse{}, nil
}
