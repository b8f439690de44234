package engine

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/uuid"
)

// standaloneNamespaceSuffix separates standalone activities from workflow
// runs in the store: a standalone activity's run is stored under its
// namespace id plus this suffix, with its activity id as the workflow id.
// Workflow listings, counts and id policies of the namespace therefore never
// see activities, and activity ids live in a space of their own, as in
// Temporal. The suffix cannot end a real namespace id (those are UUIDs).
const standaloneNamespaceSuffix = "/activities"

// StandaloneNamespaceID is the namespace id a standalone activity's run and
// its task tokens carry, for the namespace with id namespaceID.
func StandaloneNamespaceID(namespaceID string) string {
	return namespaceID + standaloneNamespaceSuffix
}

// standaloneKey names the run of a standalone activity.
func standaloneKey(ns *namespace, activityID, runID string) runKey {
	return runKey{StandaloneNamespaceID(ns.id), activityID, runID}
}

// StartActivityExecution starts a standalone activity, honouring request-id
// deduplication and the id reuse and conflict policies.
func (e *Engine) StartActivityExecution(ctx context.Context, req *workflowservice.StartActivityExecutionRequest) (*workflowservice.StartActivityExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	p := machine.StandaloneParams{
		NamespaceID: ns.id, Namespace: ns.name,
		ActivityID: req.ActivityId, ActivityType: req.GetActivityType().GetName(), TaskQueue: req.GetTaskQueue().GetName(),
		Input: req.Input, Header: req.Header,
		ScheduleToClose: req.GetScheduleToCloseTimeout().AsDuration(), ScheduleToStart: req.GetScheduleToStartTimeout().AsDuration(),
		StartToClose: req.GetStartToCloseTimeout().AsDuration(), Heartbeat: req.GetHeartbeatTimeout().AsDuration(),
		StartDelay: req.GetStartDelay().AsDuration(), RetryPolicy: req.RetryPolicy, Priority: req.Priority,
		SearchAttributes: req.SearchAttributes, Identity: req.Identity, RequestID: req.RequestId,
	}
	nsID := StandaloneNamespaceID(ns.id)
	unlock := e.idLocks.lock(nsID + "\x00" + req.ActivityId)
	defer unlock()

	runID, started, err := e.createStandalone(ctx, ns, p, "")
	if !errors.Is(err, errCurrentRunExists) {
		return startActivityResponse(runID, started, err)
	}
	prev, err := e.lockCurrent(ctx, nsID, req.ActivityId)
	if err != nil {
		return nil, err
	}
	ps := prev.state
	prev.mu.Unlock()
	if req.RequestId != "" && ps.StartRequest == req.RequestId {
		return startActivityResponse(ps.RunID, true, nil)
	}
	if ps.Open() {
		if req.IdConflictPolicy == enumspb.ACTIVITY_ID_CONFLICT_POLICY_USE_EXISTING {
			return startActivityResponse(ps.RunID, false, nil)
		}
		return nil, serviceerror.NewActivityExecutionAlreadyStarted("activity execution already started", ps.StartRequest, ps.RunID)
	}
	switch req.IdReusePolicy {
	case enumspb.ACTIVITY_ID_REUSE_POLICY_REJECT_DUPLICATE:
		return nil, serviceerror.NewActivityExecutionAlreadyStarted("activity execution already started", ps.StartRequest, ps.RunID)
	case enumspb.ACTIVITY_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY:
		if ps.Status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			return nil, serviceerror.NewActivityExecutionAlreadyStarted("activity execution already started", ps.StartRequest, ps.RunID)
		}
	}
	runID, started, err = e.createStandalone(ctx, ns, p, ps.RunID)
	if errors.Is(err, errCurrentRunExists) || errors.Is(err, store.ErrConflict) {
		err = serviceerror.NewUnavailable("concurrent start of the same activity id, retry")
	}
	return startActivityResponse(runID, started, err)
}

func startActivityResponse(runID string, started bool, err error) (*workflowservice.StartActivityExecutionResponse, error) {
	if err != nil {
		return nil, err
	}
	return &workflowservice.StartActivityExecutionResponse{RunId: runID, Started: started}, nil
}

// createStandalone writes a new standalone activity run, moving its id's
// current-run pointer from expectedCurrent ("" for none; errCurrentRunExists
// if there is one after all).
func (e *Engine) createStandalone(ctx context.Context, ns *namespace, p machine.StandaloneParams, expectedCurrent string) (string, bool, error) {
	now := e.clock.Now()
	p.RunID = uuid.NewTimeOrdered(now)
	key := standaloneKey(ns, p.ActivityID, p.RunID)
	tx, err := machine.NewStandaloneActivity(p, now)
	if err != nil {
		return "", false, serviceerror.NewInvalidArgument(err.Error())
	}
	w, batch, err := e.executionWrite(key, tx, nil)
	if err != nil {
		return "", false, err
	}
	t := &store.Transition{
		Executions: []store.ExecutionWrite{w},
		Events:     []store.EventBatch{*batch},
		Current: &store.CurrentWrite{
			Current:       store.CurrentExecution{NamespaceID: key.namespaceID, WorkflowID: key.workflowID, RunID: key.runID},
			ExpectedRunID: expectedCurrent,
		},
	}
	r := e.lockNewRun(key)
	defer r.mu.Unlock()
	if err := e.store.Write(context.WithoutCancel(ctx), t); err != nil {
		r.uncertain()
		if expectedCurrent == "" && errors.Is(err, store.ErrConflict) {
			return "", false, errCurrentRunExists
		}
		return "", false, commitError(err)
	}
	e.applied(r, tx)
	return p.RunID, true, nil
}

// lockStandalone returns a standalone activity's run, locked: the run runID
// names, or the activity id's latest run. The caller must unlock r.mu.
func (e *Engine) lockStandalone(ctx context.Context, ns *namespace, activityID, runID string) (*run, error) {
	var r *run
	var err error
	if runID != "" {
		r, err = e.lockRun(ctx, standaloneKey(ns, activityID, runID))
	} else {
		r, err = e.lockCurrent(ctx, StandaloneNamespaceID(ns.id), activityID)
		if errors.Is(err, errNoCurrentRun) {
			err = errStandaloneNotFound(activityID, runID)
		}
	}
	if isNotFoundErr(err) {
		return nil, errStandaloneNotFound(activityID, runID)
	}
	return r, err
}

func errStandaloneNotFound(activityID, runID string) error {
	if runID == "" {
		return serviceerror.NewNotFound(fmt.Sprintf("activity execution not found for ID: %s", activityID))
	}
	return serviceerror.NewNotFound(fmt.Sprintf("activity execution not found for ID: %s, run ID: %s", activityID, runID))
}

// updateStandalone runs fn on a standalone activity's run as one transition.
func (e *Engine) updateStandalone(ctx context.Context, ns *namespace, activityID, runID string, fn func(tx *machine.Tx) error) error {
	r, err := e.lockStandalone(ctx, ns, activityID, runID)
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

// standaloneTask shapes the task of a standalone activity as Temporal sends
// it: no workflow, and the namespace the SDKs read the activity's from.
func standaloneTask(resp *workflowservice.PollActivityTaskQueueResponse) {
	resp.WorkflowType = nil
	resp.WorkflowExecution = nil
}

// standaloneTarget names the running attempt of a standalone activity for
// the ...ById completions, which leave the workflow id empty for one.
func (e *Engine) standaloneTarget(ctx context.Context, ns *namespace, activityID, runID string) (activityTarget, error) {
	if runID == "" {
		cur, err := e.store.GetCurrentExecution(ctx, StandaloneNamespaceID(ns.id), activityID)
		if err != nil {
			if isNotFound(err) {
				return activityTarget{}, errActivityNotFound
			}
			return activityTarget{}, unavailable("reading current activity run", err)
		}
		runID = cur.RunID
	}
	return activityTarget{key: standaloneKey(ns, activityID, runID), activityID: activityID}, nil
}
