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

// ResetWorkflowExecution starts a new run of a workflow from one of its
// workflow tasks: the new run's history is the base run's up to that task,
// which is failed with cause RESET_WORKFLOW, followed by the signals that came
// later. The workflow's current run, if still running, is terminated in the
// same store transaction, and the new run becomes current. A request id seen
// before returns the run that request created.
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
	cur, err := e.store.GetCurrentExecution(ctx, ns.id, workflowID)
	if err != nil {
		if isNotFound(err) {
			return nil, serviceerror.NewNotFoundf("workflow execution not found: workflow id %q", workflowID)
		}
		return nil, unavailable("reading current run", err)
	}
	base, err := e.lockRun(ctx, baseKey)
	if err != nil {
		return nil, err
	}
	defer base.mu.Unlock()
	current := base
	if cur.RunID != baseKey.runID {
		current, err = e.lockRun(ctx, runKey{ns.id, workflowID, cur.RunID})
		if err != nil {
			return nil, err
		}
		defer current.mu.Unlock()
	}
	if req.RequestId != "" && current.state.StartRequest == req.RequestId {
		return &workflowservice.ResetWorkflowExecutionResponse{RunId: current.key.runID}, nil
	}

	finish := req.WorkflowTaskFinishEventId
	if finish <= 1 || finish >= base.state.NextEventID {
		return nil, serviceerror.NewInvalidArgumentf(
			"WorkflowTaskFinishEventId must be greater than 1 and at most the run's last event id (%d), got %d",
			base.state.NextEventID-1, finish)
	}
	prefix, err := e.runEvents(ctx, base, 1, finish)
	if err != nil {
		return nil, err
	}
	now := e.clock.Now()
	var terminate *machine.Tx
	if current.state.Open() {
		terminate = machine.Begin(current.state.Clone(), now)
		terminate.TerminateRun(req.Reason, nil, machine.ResetIdentity)
		// As in Temporal, a run closed by a reset applies no parent close
		// policy: its children carry on, and the new run may still wait on them.
		terminate.ClosedChildren = nil
	}
	reapply, continued, err := e.resetReapplyEvents(ctx, base, current, finish, terminate)
	if err != nil {
		return nil, err
	}
	newKey := runKey{ns.id, workflowID, uuid.NewTimeOrdered(now)}
	tx, err := machine.ResetRun(prefix, machine.ResetParams{
		Base:             base.state,
		NewRunID:         newKey.runID,
		RequestID:        req.RequestId,
		Reason:           req.Reason,
		Reapply:          reapply,
		ReapplyContinued: continued,
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
			ExpectedRunID: cur.RunID,
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
	r := e.runs.lock(newKey)
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

// resetReapplyEvents collects the events a reset may carry over: the base
// run's events from the reset point on, and those of the runs that continued
// it as new, each with what terminating the current run writes (signals it had
// buffered) when that run is the current one. base and current are locked by
// the caller.
func (e *Engine) resetReapplyEvents(ctx context.Context, base, current *run, finish int64, terminate *machine.Tx) (later, continued []*historypb.HistoryEvent, err error) {
	later, err = e.runEvents(ctx, base, finish, base.state.NextEventID)
	if err != nil {
		return nil, nil, err
	}
	if terminate != nil && base == current {
		later = append(later, terminate.Events...)
	}
	next := continuedRunID(base.state, later)
	for hops := 0; next != "" && hops < maxResetChain; hops++ {
		key := runKey{base.key.namespaceID, base.key.workflowID, next}
		nextEventID, state, err := e.runEnd(ctx, key, current)
		if err != nil {
			if isNotFoundErr(err) {
				break
			}
			return nil, nil, err
		}
		events, err := e.readEvents(ctx, key, 1, nextEventID)
		if err != nil {
			return nil, nil, err
		}
		continued = append(continued, events...)
		if key == current.key {
			if terminate != nil {
				continued = append(continued, terminate.Events...)
			}
			break
		}
		next = continuedRunID(state, events)
	}
	return later, continued, nil
}

// runEnd returns the next event id and state of a run, reading it through
// current when that is the run (the caller holds its lock).
func (e *Engine) runEnd(ctx context.Context, key runKey, current *run) (int64, *machine.State, error) {
	if key == current.key {
		return current.state.NextEventID, current.state, nil
	}
	r, err := e.lockRun(ctx, key)
	if err != nil {
		return 0, nil, err
	}
	s := r.state
	r.mu.Unlock()
	return s.NextEventID, s, nil
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
