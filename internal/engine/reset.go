package engine

import (
	"context"
	"errors"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/uuid"
)

// maxResetChain bounds how many continued-as-new runs a reset follows to
// find the events it reapplies.
const maxResetChain = 100

// resetAttempts is how many times a reset reads the histories it needs
// without holding the runs before it settles for reading them under their
// locks: each retry means the runs changed while it read.
const resetAttempts = 4

// ResetWorkflowExecution starts a new run of a workflow from one of its
// workflow tasks: the new run's history is the base run's up to that task,
// which is failed with cause RESET_WORKFLOW, followed by the signals that came
// later. The workflow's current run, if still running, is terminated in the
// same store transaction, and the new run becomes current. A request id seen
// before returns the run that request created.
//
// The histories are read without holding the runs: the runs are locked to
// take what is in memory, released while the store is read, and locked again
// to commit, which is retried if either changed in between.
func (e *Engine) ResetWorkflowExecution(ctx context.Context, req *workflowservice.ResetWorkflowExecutionRequest) (*workflowservice.ResetWorkflowExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	workflowID := req.GetWorkflowExecution().GetWorkflowId()
	unlock := e.idLocks.lock(ns.id + "\x00" + workflowID)
	defer unlock()

	baseKey, err := e.resolveRun(ctx, ns, req.WorkflowExecution)
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		resp, err := e.resetOnce(ctx, ns, req, baseKey, attempt < resetAttempts)
		if !errors.Is(err, errResetRaced) {
			return resp, err
		}
	}
}

// errResetRaced reports that a run changed while a reset read its history.
var errResetRaced = errors.New("the runs changed while the reset read them")

// resetRuns are the base and current runs of a reset, locked.
type resetRuns struct {
	base, current *run
}

func (rr resetRuns) unlock() {
	if rr.current != rr.base {
		rr.current.mu.Unlock()
	}
	rr.base.mu.Unlock()
}

// lockResetRuns locks the base run and the workflow's current run (in that
// order; they may be one run).
func (e *Engine) lockResetRuns(ctx context.Context, ns *namespace, baseKey runKey) (resetRuns, error) {
	curID, err := e.currentRunID(ctx, ns.id, baseKey.workflowID)
	if err != nil {
		if errors.Is(err, errNoCurrentRun) {
			return resetRuns{}, serviceerror.NewNotFoundf("workflow not found for ID: %v", baseKey.workflowID)
		}
		return resetRuns{}, err
	}
	base, err := e.lockRun(ctx, baseKey)
	if err != nil {
		return resetRuns{}, err
	}
	rr := resetRuns{base: base, current: base}
	if curID != baseKey.runID {
		rr.current, err = e.lockRun(ctx, runKey{ns.id, baseKey.workflowID, curID})
		if err != nil {
			base.mu.Unlock()
			return resetRuns{}, err
		}
	}
	return rr, nil
}

// resetOnce makes one attempt at a reset. Unless locked is false, it reads
// the histories with the runs released and answers errResetRaced if they
// changed meanwhile.
func (e *Engine) resetOnce(ctx context.Context, ns *namespace, req *workflowservice.ResetWorkflowExecutionRequest, baseKey runKey, unlocked bool) (*workflowservice.ResetWorkflowExecutionResponse, error) {
	rr, err := e.lockResetRuns(ctx, ns, baseKey)
	if err != nil {
		return nil, err
	}
	base, current := rr.base, rr.current
	if req.RequestId != "" && current.state.StartRequest == req.RequestId {
		rr.unlock()
		return &workflowservice.ResetWorkflowExecutionResponse{RunId: current.key.runID}, nil
	}
	finish := req.WorkflowTaskFinishEventId
	if finish <= 1 || finish >= base.state.NextEventID {
		rr.unlock()
		return nil, serviceerror.NewInvalidArgumentf(
			"WorkflowTaskFinishEventId must be greater than 1 and at most the run's last event id (%d), got %d",
			base.state.NextEventID-1, finish)
	}
	baseState, currentState := base.state, current.state
	baseSnap := base.snapshotEvents(1, baseState.NextEventID)
	currentSnap := current.snapshotEvents(1, currentState.NextEventID)
	if unlocked {
		rr.unlock()
	}
	read, err := e.readResetHistories(ctx, baseSnap, currentSnap, baseState, currentState, finish)
	if unlocked {
		if err != nil {
			return nil, err
		}
		if rr, err = e.lockResetRuns(ctx, ns, baseKey); err != nil {
			return nil, err
		}
		if rr.base.state != baseState || rr.current.state != currentState {
			rr.unlock()
			return nil, errResetRaced
		}
	}
	defer rr.unlock()
	if err != nil {
		return nil, err
	}
	return e.commitReset(ctx, ns, req, rr, read)
}

// resetHistories are the events a reset is built from.
type resetHistories struct {
	// prefix is the base run's history before the reset point.
	prefix []*historypb.HistoryEvent
	// later are the base run's events from the reset point on; continued
	// those of the runs that continued it as new, up to the current one.
	later, continued []*historypb.HistoryEvent
	// continuedToCurrent is set when continued ends with the current run's
	// history.
	continuedToCurrent bool
}

// readResetHistories reads what a reset needs: the base run's history, split
// at finish, and the histories of the runs that continued it as new. base and
// current are snapshots of the base and current runs with the states they
// were taken at; the runs need not be held.
func (e *Engine) readResetHistories(ctx context.Context, base, current eventsSnapshot, baseState, currentState *machine.State, finish int64) (resetHistories, error) {
	events, err := base.read(ctx, e)
	if err != nil {
		return resetHistories{}, err
	}
	out := resetHistories{prefix: events[:finish-1], later: events[finish-1:]}
	next := continuedRunID(baseState, out.later)
	for hops := 0; next != "" && hops < maxResetChain; hops++ {
		key := runKey{base.key.namespaceID, base.key.workflowID, next}
		var evs []*historypb.HistoryEvent
		state := currentState
		if key == current.key {
			evs, err = current.read(ctx, e)
		} else {
			state, err = e.closedRunState(ctx, key)
			if err == nil {
				evs, err = e.readEvents(ctx, key, 1, state.NextEventID)
			}
		}
		if err != nil {
			if isNotFoundErr(err) {
				break
			}
			return resetHistories{}, err
		}
		out.continued = append(out.continued, evs...)
		if key == current.key {
			out.continuedToCurrent = true
			break
		}
		next = continuedRunID(state, evs)
	}
	return out, nil
}

// closedRunState returns the state of a run that is not the current one.
func (e *Engine) closedRunState(ctx context.Context, key runKey) (*machine.State, error) {
	r, err := e.lockRun(ctx, key)
	if err != nil {
		return nil, err
	}
	s := r.state
	r.mu.Unlock()
	return s, nil
}

// commitReset builds the reset run from read and commits it with the
// termination of the current run, if open. The caller holds rr.
func (e *Engine) commitReset(ctx context.Context, ns *namespace, req *workflowservice.ResetWorkflowExecutionRequest, rr resetRuns, read resetHistories) (*workflowservice.ResetWorkflowExecutionResponse, error) {
	base, current := rr.base, rr.current
	baseKey, workflowID := base.key, base.key.workflowID
	now := e.clock.Now()
	var terminate *machine.Tx
	if current.state.Open() {
		terminate = machine.Begin(current.state.Clone(), now)
		terminate.TerminateRun(req.Reason, nil, machine.ResetIdentity)
		// As in Temporal, a run closed by a reset applies no parent close
		// policy: its children carry on, and the new run may still wait on them.
		terminate.ClosedChildren = nil
		// What terminating writes (signals it had buffered) is reapplied too.
		if base == current {
			read.later = append(read.later, terminate.Events...)
		} else if read.continuedToCurrent {
			read.continued = append(read.continued, terminate.Events...)
		}
	}
	newKey := runKey{ns.id, workflowID, uuid.NewTimeOrdered(now)}
	tx, err := machine.ResetRun(read.prefix, machine.ResetParams{
		Base:             base.state,
		NewRunID:         newKey.runID,
		RequestID:        req.RequestId,
		Reason:           req.Reason,
		Reapply:          read.later,
		ReapplyContinued: read.continued,
		ExcludeSignals:   excludesSignals(req),
	}, now)
	if err != nil {
		var reqErr *machine.RequestError
		if errors.As(err, &reqErr) {
			return nil, serviceerror.NewInvalidArgument(reqErr.Message)
		}
		return nil, serviceerror.NewInternalf("rebuilding run %s for reset: %v", baseKey.runID, err)
	}

	w, batch, err := e.executionWrite(newKey, tx, nil)
	if err != nil {
		return nil, err
	}
	t := &store.Transition{
		Executions: []store.ExecutionWrite{w},
		Events:     []store.EventBatch{*batch},
		Current: &store.CurrentWrite{
			Current:       store.CurrentExecution{NamespaceID: ns.id, WorkflowID: workflowID, RunID: newKey.runID},
			ExpectedRunID: current.key.runID,
		},
	}
	if terminate != nil {
		// The reset run continues the terminated one: its parent, if any, is not
		// told that the child closed.
		terminate.Next = tx
		cw, cb, err := e.executionWrite(current.key, terminate, current)
		if err != nil {
			return nil, err
		}
		t.Executions = append(t.Executions, cw)
		t.Events = append(t.Events, *cb)
	}
	// The new run is locked before it exists in the store: no one may load it
	// before it is installed (see adoptStoredTasks).
	r := e.lockNewRun(newKey)
	if err := e.commit(ctx, t); err != nil {
		r.uncertain()
		r.mu.Unlock()
		if terminate != nil {
			current.state = nil
		}
		return nil, err
	}
	if terminate != nil {
		e.applied(current, terminate)
	}
	e.applied(r, tx)
	r.mu.Unlock()
	e.adoptChildren(newKey, baseKey.runID, tx.S)
	return &workflowservice.ResetWorkflowExecutionResponse{RunId: newKey.runID}, nil
}

// excludesSignals reads the request's reapply settings: signals are reapplied
// unless the (deprecated) reapply type is NONE or the exclude list names them.
// Updates are never reapplied by this server.
func excludesSignals(req *workflowservice.ResetWorkflowExecutionRequest) bool {
	if req.ResetReapplyType == enumspb.RESET_REAPPLY_TYPE_NONE {
		return true
	}
	for _, x := range req.ResetReapplyExcludeTypes {
		if x == enumspb.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL {
			return true
		}
	}
	return false
}

// continuedRunID is the run that continued s as new, found in its last
// events; "" when s did not continue as new.
func continuedRunID(s *machine.State, events []*historypb.HistoryEvent) string {
	if s.Status != enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW || len(events) == 0 {
		return ""
	}
	last := events[len(events)-1]
	return last.GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()
}

// adoptChildren points the children the reset run still waits on at it, so
// that their outcome reaches the new run rather than the one it replaced. It
// runs after the reset commits, as cross-run work.
func (e *Engine) adoptChildren(newKey runKey, baseRunID string, s *machine.State) {
	for id, c := range s.Children {
		if c.RunID == "" {
			continue
		}
		child := *c
		e.effects.add(effectKey("adopt-child", newKey, id), func(ctx context.Context) error {
			return e.adoptChild(ctx, newKey, baseRunID, &child)
		})
	}
}

// adoptChild moves one child's parent link from the base run to the reset
// run, then reports the child's outcome if it closed meanwhile.
func (e *Engine) adoptChild(ctx context.Context, parent runKey, baseRunID string, c *machine.Child) error {
	cur, err := e.store.GetCurrentExecution(ctx, c.NamespaceID, c.WorkflowID)
	if err != nil {
		return ignoreNotFound(err)
	}
	childKey := runKey{c.NamespaceID, c.WorkflowID, cur.RunID}
	adopted, closed := false, false
	err = e.update(ctx, childKey, func(_ *run, tx *machine.Tx) error {
		p := tx.S.Parent
		if p == nil || p.WorkflowID != parent.workflowID || p.InitiatedEventID != c.InitiatedEventID {
			return errNoChange // the id now belongs to an unrelated workflow
		}
		adopted, closed = p.RunID == parent.runID, !tx.S.Open()
		if p.RunID != baseRunID {
			return errNoChange
		}
		p.RunID = parent.runID
		adopted = true
		return nil
	})
	if err != nil {
		return ignoreNotFound(err)
	}
	if adopted && closed {
		// It may have reported to the base run before the link moved.
		return e.notifyParent(ctx, childKey)
	}
	return nil
}
