package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// scheduleEffects sets off the cross-run work a run's state calls for. It is
// called with the run locked after every commit and load; jobs already queued
// are not queued twice, and every job checks the state again when it runs.
func (e *Engine) scheduleEffects(r *run, tx *machine.Tx) {
	s := r.state
	key := r.key
	for id, c := range s.Children {
		if c.RunID == "" {
			e.effects.add(effectKey("start-child", key, id), func(ctx context.Context) error { return e.startChild(ctx, key, id) })
		} else if tx == nil {
			// Loaded from the store: the child may have closed while no one listened.
			e.effects.add(effectKey("check-child", key, id), func(ctx context.Context) error { return e.checkChild(ctx, key, id) })
		}
	}
	for id := range s.ExternalSignals {
		e.effects.add(effectKey("signal", key, id), func(ctx context.Context) error { return e.signalExternal(ctx, key, id) })
	}
	for id := range s.ExternalCancels {
		e.effects.add(effectKey("cancel", key, id), func(ctx context.Context) error { return e.cancelExternal(ctx, key, id) })
	}
	if p := s.Parent; p != nil {
		closedForGood := !s.Open() && (tx == nil || tx.Next == nil) && s.Status != enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW
		if closedForGood && tx != nil {
			e.effects.add(effectKey("notify-parent", key, 0), func(ctx context.Context) error { return e.notifyParent(ctx, key) })
		}
		if tx == nil && s.Open() {
			e.effects.add(effectKey("check-parent", key, 0), func(ctx context.Context) error { return e.checkParent(ctx, key) })
		}
	}
	if len(s.Callbacks) > 0 || len(s.NexusOperations) > 0 {
		e.scheduleNexusEffects(r, tx)
	}
	if tx != nil {
		for _, c := range tx.ClosedChildren {
			if c.ParentClosePolicy == enumspb.PARENT_CLOSE_POLICY_ABANDON {
				continue
			}
			child := *c
			e.effects.add(effectKey("close-policy", key, c.InitiatedEventID), func(ctx context.Context) error {
				return e.applyParentClosePolicy(ctx, key, &child)
			})
		}
	}
}

func effectKey(kind string, key runKey, id int64) string {
	return kind + "/" + key.namespaceID + "/" + key.workflowID + "/" + key.runID + "/" + strconv.FormatInt(id, 10)
}

// readEvent returns one event of a run.
func (e *Engine) readEvent(ctx context.Context, key runKey, id int64) (*historypb.HistoryEvent, error) {
	events, err := e.readEvents(ctx, key, id, id+1)
	if err != nil {
		return nil, err
	}
	return events[0], nil
}

// startChild starts the child initiated at initiatedID by parent and records
// the outcome in the parent.
func (e *Engine) startChild(ctx context.Context, parent runKey, initiatedID int64) error {
	r, err := e.lockRun(ctx, parent)
	if err != nil {
		return ignoreNotFound(err)
	}
	s := r.state
	c := s.Children[initiatedID]
	if !s.Open() || c == nil || c.RunID != "" {
		r.mu.Unlock()
		return nil
	}
	info := &machine.ParentInfo{
		NamespaceID: s.NamespaceID, Namespace: s.Namespace, WorkflowID: s.WorkflowID, RunID: s.RunID,
		InitiatedEventID: initiatedID, ClosePolicy: c.ParentClosePolicy,
		RootWorkflowID: s.WorkflowID, RootRunID: s.RunID,
	}
	if s.Parent != nil {
		info.RootWorkflowID, info.RootRunID = s.Parent.RootWorkflowID, s.Parent.RootRunID
	}
	childNamespaceID := c.NamespaceID
	r.mu.Unlock()

	ev, err := e.readEvent(ctx, parent, initiatedID)
	if err != nil {
		return err
	}
	a := ev.GetStartChildWorkflowExecutionInitiatedEventAttributes()
	if a == nil {
		return fmt.Errorf("event %d of run %s is not StartChildWorkflowExecutionInitiated", initiatedID, parent.runID)
	}
	ns, err := e.ns.lookupID(ctx, childNamespaceID)
	if err != nil {
		return e.recordChildStart(ctx, parent, initiatedID, "", nil, enumspb.START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_NAMESPACE_NOT_FOUND)
	}
	p := machine.StartParams{
		NamespaceID:         ns.id,
		Namespace:           ns.name,
		WorkflowID:          a.WorkflowId,
		WorkflowType:        a.GetWorkflowType().GetName(),
		TaskQueue:           a.GetTaskQueue().GetName(),
		Input:               a.Input,
		Header:              a.Header,
		ExecutionTimeout:    a.GetWorkflowExecutionTimeout().AsDuration(),
		RunTimeout:          a.GetWorkflowRunTimeout().AsDuration(),
		WorkflowTaskTimeout: a.GetWorkflowTaskTimeout().AsDuration(),
		Identity:            "parent:" + parent.workflowID,
		RequestID:           parent.runID + ":" + strconv.FormatInt(initiatedID, 10),
		RetryPolicy:         a.RetryPolicy,
		CronSchedule:        a.CronSchedule,
		Memo:                a.Memo,
		SearchAttributes:    a.SearchAttributes,
		Priority:            a.Priority,
		Parent:              info,
	}
	res, err := e.start(ctx, ns, p, a.WorkflowIdReusePolicy, enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL, nil, false)
	var exists *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &exists):
		return e.recordChildStart(ctx, parent, initiatedID, "", nil, enumspb.START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS)
	case err != nil:
		return err
	}
	return e.recordChildStart(ctx, parent, initiatedID, res.runID, a.Header, enumspb.START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_UNSPECIFIED)
}

// recordChildStart writes a child's start (runID set) or failure to start into
// its parent.
func (e *Engine) recordChildStart(ctx context.Context, parent runKey, initiatedID int64, runID string, header *commonpb.Header, cause enumspb.StartChildWorkflowExecutionFailedCause) error {
	err := e.update(ctx, parent, func(_ *run, tx *machine.Tx) error {
		if runID == "" {
			return tx.ChildStartFailed(initiatedID, cause)
		}
		return tx.ChildStarted(initiatedID, runID, header)
	})
	if errors.Is(err, machine.ErrStale) {
		return nil
	}
	return ignoreNotFound(err)
}

// notifyParent tells a child's parent how the child's last run closed.
func (e *Engine) notifyParent(ctx context.Context, child runKey) error {
	r, err := e.lockRun(ctx, child)
	if err != nil {
		return ignoreNotFound(err)
	}
	s := r.state
	parent, closeID := s.Parent, s.CloseEventID
	r.mu.Unlock()
	if parent == nil || closeID == 0 {
		return nil
	}
	closeEvent, err := e.readEvent(ctx, child, closeID)
	if err != nil {
		return err
	}
	err = e.update(ctx, runKey{parent.NamespaceID, parent.WorkflowID, parent.RunID}, func(_ *run, tx *machine.Tx) error {
		return tx.ChildClosed(parent.InitiatedEventID, child.runID, closeEvent)
	})
	if errors.Is(err, machine.ErrStale) {
		return nil
	}
	return ignoreNotFound(err)
}

// checkChild finds out, for a parent loaded from the store, whether a started
// child has closed without the parent hearing of it.
func (e *Engine) checkChild(ctx context.Context, parent runKey, initiatedID int64) error {
	r, err := e.lockRun(ctx, parent)
	if err != nil {
		return ignoreNotFound(err)
	}
	c := r.state.Children[initiatedID]
	open := r.state.Open()
	r.mu.Unlock()
	if c == nil || c.RunID == "" || !open {
		return nil
	}
	cur, err := e.store.GetCurrentExecution(ctx, c.NamespaceID, c.WorkflowID)
	if err != nil {
		return ignoreNotFound(err)
	}
	childKey := runKey{c.NamespaceID, c.WorkflowID, cur.RunID}
	cr, err := e.lockRun(ctx, childKey)
	if err != nil {
		return ignoreNotFound(err)
	}
	cs := cr.state
	cr.mu.Unlock()
	if cs.Open() || cs.Parent == nil || cs.Parent.RunID != parent.runID || cs.Parent.InitiatedEventID != initiatedID {
		return nil
	}
	return e.notifyParent(ctx, childKey)
}

// checkParent applies the parent close policy to a child loaded from the store
// whose parent closed while no one listened.
func (e *Engine) checkParent(ctx context.Context, child runKey) error {
	r, err := e.lockRun(ctx, child)
	if err != nil {
		return ignoreNotFound(err)
	}
	p := r.state.Parent
	r.mu.Unlock()
	if p == nil || p.ClosePolicy == enumspb.PARENT_CLOSE_POLICY_ABANDON {
		return nil
	}
	pr, err := e.lockRun(ctx, runKey{p.NamespaceID, p.WorkflowID, p.RunID})
	if err != nil {
		return ignoreNotFound(err)
	}
	parentOpen := pr.state.Open()
	pr.mu.Unlock()
	if parentOpen {
		return nil
	}
	return e.closeChildFor(ctx, child, p.ClosePolicy)
}

// applyParentClosePolicy terminates or cancels a child whose parent closed.
func (e *Engine) applyParentClosePolicy(ctx context.Context, parent runKey, c *machine.Child) error {
	cur, err := e.store.GetCurrentExecution(ctx, c.NamespaceID, c.WorkflowID)
	if err != nil {
		return ignoreNotFound(err)
	}
	childKey := runKey{c.NamespaceID, c.WorkflowID, cur.RunID}
	r, err := e.lockRun(ctx, childKey)
	if err != nil {
		return ignoreNotFound(err)
	}
	p := r.state.Parent
	r.mu.Unlock()
	if p == nil || p.RunID != parent.runID || p.InitiatedEventID != c.InitiatedEventID {
		return nil // the id now belongs to an unrelated workflow
	}
	return e.closeChildFor(ctx, childKey, c.ParentClosePolicy)
}

func (e *Engine) closeChildFor(ctx context.Context, child runKey, policy enumspb.ParentClosePolicy) error {
	err := e.update(ctx, child, func(_ *run, tx *machine.Tx) error {
		if !tx.S.Open() {
			return errNoChange
		}
		switch policy {
		case enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL:
			if tx.S.CancelRequested {
				return errNoChange
			}
			tx.RequestCancelRun("by parent close policy", "sundial")
		default:
			tx.TerminateRun("by parent close policy", nil, "sundial")
		}
		return nil
	})
	return ignoreNotFound(err)
}

// signalExternal delivers a signal a run sent to another workflow and records
// the outcome in the sender.
func (e *Engine) signalExternal(ctx context.Context, source runKey, initiatedID int64) error {
	return e.sendExternal(ctx, source, initiatedID,
		func(s *machine.State) *machine.ExternalRequest { return s.ExternalSignals[initiatedID] },
		false,
		func(ev *historypb.HistoryEvent) func(*machine.Tx) {
			a := ev.GetSignalExternalWorkflowExecutionInitiatedEventAttributes()
			sig := &machine.Signal{
				Name: a.GetSignalName(), Input: a.GetInput(), Header: a.GetHeader(), Identity: "workflow:" + source.workflowID,
				RequestID: source.runID + ":" + strconv.FormatInt(initiatedID, 10),
				External:  &commonpb.WorkflowExecution{WorkflowId: source.workflowID, RunId: source.runID},
			}
			return func(tx *machine.Tx) { tx.SignalRun(sig) }
		},
		func(tx *machine.Tx, runID string, delivered bool) error {
			cause := enumspb.SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_UNSPECIFIED
			if !delivered {
				cause = enumspb.SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND
			}
			return tx.ExternalSignalDone(initiatedID, runID, cause)
		})
}

// cancelExternal delivers a cancel request a run sent to another workflow. Like
// a client's cancel request, one to a run that already closed succeeds.
func (e *Engine) cancelExternal(ctx context.Context, source runKey, initiatedID int64) error {
	return e.sendExternal(ctx, source, initiatedID,
		func(s *machine.State) *machine.ExternalRequest { return s.ExternalCancels[initiatedID] },
		true,
		func(ev *historypb.HistoryEvent) func(*machine.Tx) {
			reason := ev.GetRequestCancelExternalWorkflowExecutionInitiatedEventAttributes().GetReason()
			from := &commonpb.WorkflowExecution{WorkflowId: source.workflowID, RunId: source.runID}
			return func(tx *machine.Tx) {
				tx.RequestCancelRunFrom(reason, "workflow:"+source.workflowID, from, initiatedID)
			}
		},
		func(tx *machine.Tx, runID string, delivered bool) error {
			cause := enumspb.CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_UNSPECIFIED
			if !delivered {
				cause = enumspb.CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND
			}
			return tx.ExternalCancelDone(initiatedID, runID, cause)
		})
}

// sendExternal carries out a request a source run made of another workflow:
// pending finds it in the source's state, change builds the target's
// transition from the initiated event, and record writes the outcome back.
func (e *Engine) sendExternal(ctx context.Context, source runKey, initiatedID int64,
	pending func(*machine.State) *machine.ExternalRequest, closedOK bool,
	change func(*historypb.HistoryEvent) func(*machine.Tx),
	record func(tx *machine.Tx, runID string, delivered bool) error) error {
	r, err := e.lockRun(ctx, source)
	if err != nil {
		return ignoreNotFound(err)
	}
	req := pending(r.state)
	r.mu.Unlock()
	if req == nil {
		return nil
	}
	ev, err := e.readEvent(ctx, source, initiatedID)
	if err != nil {
		return err
	}
	targetRunID, delivered := e.deliverExternal(ctx, req, source, closedOK, change(ev))
	err = e.update(ctx, source, func(_ *run, tx *machine.Tx) error { return record(tx, targetRunID, delivered) })
	if errors.Is(err, machine.ErrStale) {
		return nil
	}
	return ignoreNotFound(err)
}

// deliverExternal applies change to the open run a request targets. It reports
// the run id and false when there is no such run, or it is closed (unless
// closedOK), or, for child-only requests, it is not the sender's child.
func (e *Engine) deliverExternal(ctx context.Context, req *machine.ExternalRequest, source runKey, closedOK bool, change func(tx *machine.Tx)) (string, bool) {
	runID := req.RunID
	if runID == "" {
		cur, err := e.store.GetCurrentExecution(ctx, req.NamespaceID, req.WorkflowID)
		if err != nil {
			return "", false
		}
		runID = cur.RunID
	}
	err := e.update(ctx, runKey{req.NamespaceID, req.WorkflowID, runID}, func(_ *run, tx *machine.Tx) error {
		if req.ChildOnly && (tx.S.Parent == nil || tx.S.Parent.RunID != source.runID) {
			return errRunClosed
		}
		if !tx.S.Open() {
			if closedOK {
				return errNoChange
			}
			return errRunClosed
		}
		if req.ChildOnly && (tx.S.Parent == nil || tx.S.Parent.RunID != source.runID) {
			return errRunClosed
		}
		change(tx)
		return nil
	})
	return runID, err == nil
}

func ignoreNotFound(err error) error {
	if isNotFoundErr(err) {
		return nil
	}
	return err
}
