package engine

import (
	"context"
	"errors"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
)

// maxCurrentRunHops bounds how many successor runs lockCurrentRun follows
// before it settles for the run it holds. Each hop means a run closed (and its
// successor became current) between reading the pointer and taking the lock,
// so a handful covers any workflow that is not pathologically fast.
const maxCurrentRunHops = 16

// lockExecution returns the run ex names, locked and loaded: the given run id,
// or, when ex names none, the current run of its workflow id (see
// lockCurrentRun). The caller must unlock r.mu.
func (e *Engine) lockExecution(ctx context.Context, ns *namespace, ex *commonpb.WorkflowExecution) (*run, error) {
	if runID := ex.GetRunId(); runID != "" {
		return e.lockRun(ctx, runKey{ns.id, ex.GetWorkflowId(), runID})
	}
	return e.lockCurrentRun(ctx, ns.id, ex.GetWorkflowId())
}

// lockCurrentRun returns the current run of a workflow id, locked and loaded.
//
// The current-run pointer moves in the same transaction that closes a run
// with a successor (continue-as-new, cron, retry, reset), and that transaction
// commits under the closing run's lock. So a run that is open once locked is
// still current; one found closed is re-checked against the pointer, and when
// the pointer has moved on the successor is locked instead. A closed run the
// pointer still names is returned as it is: the workflow has ended. The
// caller must unlock r.mu.
func (e *Engine) lockCurrentRun(ctx context.Context, namespaceID, workflowID string) (*run, error) {
	r, err := e.lockCurrent(ctx, namespaceID, workflowID)
	if errors.Is(err, errNoCurrentRun) {
		return nil, serviceerror.NewNotFoundf("workflow not found for ID: %v", workflowID)
	}
	return r, err
}

// errNoCurrentRun reports a workflow id that has no current run.
var errNoCurrentRun = errors.New("the workflow id has no current run")

// lockCurrent is lockCurrentRun answering errNoCurrentRun for a workflow id
// without runs.
func (e *Engine) lockCurrent(ctx context.Context, namespaceID, workflowID string) (*run, error) {
	runID, err := e.currentRunID(ctx, namespaceID, workflowID)
	if err != nil {
		return nil, err
	}
	for hops := 0; ; hops++ {
		key := runKey{namespaceID, workflowID, runID}
		r, err := e.lockRun(ctx, key)
		if err != nil && !isNotFoundErr(err) {
			return nil, err
		}
		if err == nil && (r.state.Open() || hops == maxCurrentRunHops) {
			return r, nil
		}
		if err == nil {
			// Read the pointer without holding the run: it is closed, and
			// stays so.
			r.mu.Unlock()
		}
		latest, perr := e.currentRunID(ctx, namespaceID, workflowID)
		if perr != nil {
			return nil, perr
		}
		if latest == runID {
			if err != nil {
				// The pointer names a run the store no longer has.
				return nil, err
			}
			return e.lockRun(ctx, key)
		}
		if hops == maxCurrentRunHops {
			return nil, serviceerror.NewUnavailablef("workflow id %q keeps changing its current run; retry", workflowID)
		}
		runID = latest
	}
}

// currentRunID reads the id of a workflow id's current run; errNoCurrentRun
// if it has none.
func (e *Engine) currentRunID(ctx context.Context, namespaceID, workflowID string) (string, error) {
	cur, err := e.store.GetCurrentExecution(ctx, namespaceID, workflowID)
	if err != nil {
		if isNotFound(err) {
			return "", errNoCurrentRun
		}
		return "", unavailable("reading current run", err)
	}
	return cur.RunID, nil
}

// lockNewRun locks the cache entry of a run that a transition is about to
// create. The lock must be taken before the transition commits and held until
// the new run is installed: once the store holds the run (and the current-run
// pointer names it), a request addressed to the workflow id may reach it, and
// must not load its own copy from the store that the installation would then
// overwrite. No one else can hold the lock of a run id not yet written.
func (e *Engine) lockNewRun(key runKey) *run {
	return e.runs.lock(key)
}
