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

// StartWorkflowExecution starts a run, honouring request-id deduplication and the
// id reuse and conflict policies.
func (e *Engine) StartWorkflowExecution(ctx context.Context, req *workflowservice.StartWorkflowExecutionRequest) (*workflowservice.StartWorkflowExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	p := startParams(ns, req)
	res, err := e.start(ctx, ns, p, req.WorkflowIdReusePolicy, req.WorkflowIdConflictPolicy, nil, req.RequestEagerExecution)
	if err != nil {
		return nil, err
	}
	return &workflowservice.StartWorkflowExecutionResponse{
		RunId:             res.runID,
		Started:           res.started,
		Status:            enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
		EagerWorkflowTask: res.eagerTask,
	}, nil
}

// SignalWithStartWorkflowExecution signals the running run of a workflow id, or
// starts one with the signal as its first event.
func (e *Engine) SignalWithStartWorkflowExecution(ctx context.Context, req *workflowservice.SignalWithStartWorkflowExecutionRequest) (*workflowservice.SignalWithStartWorkflowExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	sig := &machine.Signal{Name: req.SignalName, Input: req.SignalInput, Header: req.Header, Identity: req.Identity, RequestID: req.RequestId}
	p := startParams(ns, &workflowservice.StartWorkflowExecutionRequest{
		WorkflowId: req.WorkflowId, WorkflowType: req.WorkflowType, TaskQueue: req.TaskQueue, Input: req.Input, Header: req.Header,
		WorkflowExecutionTimeout: req.WorkflowExecutionTimeout, WorkflowRunTimeout: req.WorkflowRunTimeout,
		WorkflowTaskTimeout: req.WorkflowTaskTimeout, WorkflowStartDelay: req.WorkflowStartDelay, Identity: req.Identity,
		RequestId: req.RequestId, RetryPolicy: req.RetryPolicy, CronSchedule: req.CronSchedule, Memo: req.Memo,
		SearchAttributes: req.SearchAttributes, Priority: req.Priority, UserMetadata: req.UserMetadata,
	})
	p.Signal = sig
	conflict := req.WorkflowIdConflictPolicy
	if conflict == enumspb.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED {
		conflict = enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
	}
	res, err := e.start(ctx, ns, p, req.WorkflowIdReusePolicy, conflict, sig, false)
	if err != nil {
		return nil, err
	}
	return &workflowservice.SignalWithStartWorkflowExecutionResponse{RunId: res.runID, Started: res.started}, nil
}

// startParams reads a start request into the parameters of a new run.
func startParams(ns *namespace, req *workflowservice.StartWorkflowExecutionRequest) machine.StartParams {
	return machine.StartParams{
		NamespaceID:         ns.id,
		Namespace:           ns.name,
		WorkflowID:          req.WorkflowId,
		WorkflowType:        req.GetWorkflowType().GetName(),
		TaskQueue:           req.GetTaskQueue().GetName(),
		Input:               req.Input,
		Header:              req.Header,
		ExecutionTimeout:    req.GetWorkflowExecutionTimeout().AsDuration(),
		RunTimeout:          req.GetWorkflowRunTimeout().AsDuration(),
		WorkflowTaskTimeout: req.GetWorkflowTaskTimeout().AsDuration(),
		StartDelay:          req.GetWorkflowStartDelay().AsDuration(),
		Identity:            req.Identity,
		RequestID:           req.RequestId,
		RetryPolicy:         req.RetryPolicy,
		CronSchedule:        req.CronSchedule,
		Memo:                req.Memo,
		SearchAttributes:    req.SearchAttributes,
		Priority:            req.Priority,
		UserMetadata:        req.UserMetadata,
		Callbacks:           req.CompletionCallbacks,
		Links:               startLinks(req.Links, req.CompletionCallbacks),
	}
}

type startResult struct {
	runID   string
	started bool
	// eagerTask is the new run's first workflow task, already started, when the
	// caller asked to run it itself (eager workflow start).
	eagerTask *workflowservice.PollWorkflowTaskQueueResponse
}

// start creates a run for p.WorkflowID. When a run of that id is open, signal
// (if set) is delivered to it under USE_EXISTING instead. With eager, a new
// run's first workflow task is started at once and returned to the caller.
func (e *Engine) start(ctx context.Context, ns *namespace, p machine.StartParams, reuse enumspb.WorkflowIdReusePolicy,
	conflict enumspb.WorkflowIdConflictPolicy, signal *machine.Signal, eager bool) (startResult, error) {
	return e.startWith(ctx, ns, p, reuse, conflict, signal, eager, startHooks{})
}

// startHooks let an operation that rides on a start (update-with-start) act
// on the run the start settles on while that run is still locked, so nothing
// can come between them.
type startHooks struct {
	// existing is called with the open current run locked when the start
	// keeps it (conflict policy USE_EXISTING, or a repeated request id); an
	// error is returned by the start, which then changed nothing.
	existing func(r *run) error
	// created is called with the new run locked, once it is installed.
	created func(r *run)
}

// startWith is start with hooks.
func (e *Engine) startWith(ctx context.Context, ns *namespace, p machine.StartParams, reuse enumspb.WorkflowIdReusePolicy,
	conflict enumspb.WorkflowIdConflictPolicy, signal *machine.Signal, eager bool, hooks startHooks) (startResult, error) {
	unlock := e.idLocks.lock(ns.id + "\x00" + p.WorkflowID)
	defer unlock()

	if p.CronSchedule != "" {
		now := e.clock.Now()
		delay, err := machine.CronDelay(p.CronSchedule, now, now)
		if err != nil {
			return startResult{}, serviceerror.NewInvalidArgument(err.Error())
		}
		p.StartDelay = delay
	}
	if reuse == enumspb.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING {
		if conflict != enumspb.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED && signal == nil {
			return startResult{}, serviceerror.NewInvalidArgument("WorkflowIdReusePolicy TERMINATE_IF_RUNNING cannot be combined with a WorkflowIdConflictPolicy")
		}
		conflict = enumspb.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING
		reuse = enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
	}

	// Most starts are of a new workflow id: try creating the run outright, and
	// read the id's current run (one read transaction less) only when its
	// pointer turns out to exist. A signal-with-start usually finds its run
	// open, so it reads first.
	if signal == nil {
		res, err := e.createRun(ctx, ns, p, "", nil, eager, hooks.created)
		if !errors.Is(err, errCurrentRunExists) {
			return res, err
		}
	}

	unlockPrev := func() {}
	defer func() { unlockPrev() }()
	expectedCurrent := ""
	// The current run, followed past any run that closed with a successor
	// meanwhile (continue-as-new, cron, retry), so that a signal reaches the
	// run that is open now.
	prev, err := e.lockCurrent(ctx, ns.id, p.WorkflowID)
	switch {
	case errors.Is(err, errNoCurrentRun):
	case err != nil:
		return startResult{}, err
	default:
		expectedCurrent = prev.key.runID
		unlockPrev = prev.mu.Unlock
		ps := prev.state
		if p.RequestID != "" && ps.StartRequest == p.RequestID {
			if hooks.existing != nil && ps.Open() {
				if err := hooks.existing(prev); err != nil {
					return startResult{}, err
				}
			}
			return startResult{runID: ps.RunID, started: true}, nil
		}
		if ps.Open() {
			switch conflict {
			case enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING:
				if hooks.existing != nil {
					if err := hooks.existing(prev); err != nil {
						return startResult{}, err
					}
				}
				if signal != nil {
					err := e.updateLocked(ctx, prev, func(_ *run, tx *machine.Tx) error {
						tx.SignalRun(signal)
						return nil
					})
					if err != nil {
						return startResult{}, err
					}
				}
				return startResult{runID: ps.RunID, started: false}, nil
			case enumspb.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING:
			default:
				return startResult{}, alreadyStarted(ps)
			}
		} else {
			switch reuse {
			case enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE:
				return startResult{}, serviceerror.NewWorkflowExecutionAlreadyStarted(
					fmt.Sprintf("Workflow execution already finished. WorkflowId: %s, RunId: %s. Workflow Id reuse policy: reject duplicate workflow Id.", ps.WorkflowID, ps.RunID),
					ps.StartRequest, ps.RunID)
			case enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY:
				if ps.Status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED || ps.Status == enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW {
					return startResult{}, serviceerror.NewWorkflowExecutionAlreadyStarted(
						fmt.Sprintf("Workflow execution already finished successfully. WorkflowId: %s, RunId: %s. Workflow Id reuse policy: allow duplicate workflow Id if last run failed.", ps.WorkflowID, ps.RunID),
						ps.StartRequest, ps.RunID)
				}
			}
			prev = nil // closed: nothing to terminate
		}
	}
	res, err := e.createRun(ctx, ns, p, expectedCurrent, prev, eager, hooks.created)
	if errors.Is(err, errCurrentRunExists) {
		err = serviceerror.NewUnavailable("concurrent start of the same workflow id, retry")
	}
	return res, err
}

// errCurrentRunExists reports that a create expecting no current run found
// one.
var errCurrentRunExists = errors.New("the workflow id has a current run")

// createRun writes a new run of p.WorkflowID, moving the id's current-run
// pointer from expectedCurrent ("" for none; errCurrentRunExists if there is
// one after all) and terminating prev, the locked current run, if set.
// created, if set, is called with the new run locked once it is installed.
func (e *Engine) createRun(ctx context.Context, ns *namespace, p machine.StartParams, expectedCurrent string, prev *run, eager bool, created func(*run)) (startResult, error) {
	now := e.clock.Now()
	p.RunID = uuid.NewTimeOrdered(now)
	key := runKey{ns.id, p.WorkflowID, p.RunID}
	tx := machine.NewRun(p, now)
	eager = eager && tx.S.WorkflowTask != nil
	if eager {
		if _, err := tx.StartWorkflowTask(tx.S.WorkflowTask.ScheduledEventID, p.Identity, uuid.NewRandom()); err != nil {
			return startResult{}, serviceerror.NewInternalf("starting the eager workflow task: %v", err)
		}
	}
	w, batch, err := e.executionWrite(key, tx, nil)
	if err != nil {
		return startResult{}, err
	}
	t := &store.Transition{
		Executions: []store.ExecutionWrite{w},
		Events:     []store.EventBatch{*batch},
		Current:    &store.CurrentWrite{Current: store.CurrentExecution{NamespaceID: ns.id, WorkflowID: p.WorkflowID, RunID: p.RunID}, ExpectedRunID: expectedCurrent},
	}
	var prevTx *machine.Tx
	if prev != nil {
		prevTx = machine.Begin(prev.state.Clone(), now)
		prevTx.TerminateRun("terminated by a new start with WorkflowIdConflictPolicy TERMINATE_EXISTING", nil, p.Identity)
		pw, pb, err := e.executionWrite(prev.key, prevTx, prev)
		if err != nil {
			return startResult{}, err
		}
		t.Executions = append(t.Executions, pw)
		t.Events = append(t.Events, *pb)
	}
	// The new run is locked before it exists in the store: no one may load it
	// before it is installed (see adoptStoredTasks).
	r := e.lockNewRun(key)
	defer r.mu.Unlock()
	if err := e.store.Write(context.WithoutCancel(ctx), t); err != nil {
		r.uncertain()
		if prev != nil {
			prev.state = nil
		}
		if expectedCurrent == "" && errors.Is(err, store.ErrConflict) {
			return startResult{}, errCurrentRunExists
		}
		return startResult{}, commitError(err)
	}
	if prev != nil {
		e.applied(prev, prevTx)
	}
	e.applied(r, tx)
	if created != nil {
		created(r)
	}
	res := startResult{runID: p.RunID, started: true}
	if eager {
		task, err := e.workflowTaskFor(ctx, r, false)
		if err != nil {
			return startResult{}, err
		}
		res.eagerTask = task
	}
	return res, nil
}

// alreadyStarted reports the running run; its detail carries that run's start
// request id, which the SDKs use to tell a retried start from a conflict.
func alreadyStarted(running *machine.State) error {
	return serviceerror.NewWorkflowExecutionAlreadyStarted(
		fmt.Sprintf("Workflow execution is already running. WorkflowId: %s, RunId: %s.", running.WorkflowID, running.RunID),
		running.StartRequest, running.RunID)
}
