package engine

import (
	"context"
	"errors"

	commonpb "go.temporal.io/api/common/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/matching"
	"github.com/sundialdev/sundial/internal/metrics"
	"github.com/sundialdev/sundial/internal/tasktoken"
	"github.com/sundialdev/sundial/internal/uuid"
)

// PollActivityTaskQueue long-polls for an activity task and starts it.
func (e *Engine) PollActivityTaskQueue(ctx context.Context, req *workflowservice.PollActivityTaskQueueRequest) (*workflowservice.PollActivityTaskQueueResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	q := activityQueue(ns.id, req.GetTaskQueue().GetName())
	if req.DeploymentOptions != nil {
		if q.Version, err = e.versionedPoll(ctx, ns.id, req.DeploymentOptions, q, req.Identity); err != nil {
			return nil, err
		}
	}
	poller := matching.PollerInfo{Identity: req.Identity}
	if mps := req.GetTaskQueueMetadata().GetMaxTasksPerSecond(); mps != nil {
		poller.MaxTasksPerSecond = mps.GetValue()
	}
	until := e.longPollDeadline(ctx, taskLongPoll)
	for {
		wait := until.Sub(wallNow())
		if wait <= 0 {
			return &workflowservice.PollActivityTaskQueueResponse{}, nil
		}
		ref, ok := e.tasks.Poll(ctx, q, poller, wait)
		if !ok {
			return &workflowservice.PollActivityTaskQueueResponse{}, nil
		}
		resp, err := e.startActivity(ctx, ns, ref, q.Name, req.Identity)
		if errors.Is(err, machine.ErrStale) || isNotFoundErr(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if e.metrics != nil {
			e.metrics.taskStarted(ns.name, q.Name, metrics.TaskTypeActivity, false,
				resp.StartedTime.AsTime().Sub(resp.CurrentAttemptScheduledTime.AsTime()))
		}
		return resp, nil
	}
}

// startActivity records that a poller of queue took the activity attempt ref
// points at and builds its task.
func (e *Engine) startActivity(ctx context.Context, ns *namespace, ref taskRef, queue, identity string) (*workflowservice.PollActivityTaskQueueResponse, error) {
	requestID := uuid.NewRandom()
	var act *machine.Activity
	r, err := e.updateInMemory(ctx, ref.run, func(r *run, tx *machine.Tx) error {
		if a := tx.S.Activities[ref.scheduledEventID]; a != nil && a.TaskQueue != queue {
			return machine.ErrStale // moved to another queue by UpdateActivityOptions
		}
		var err error
		act, err = tx.StartActivity(ref.scheduledEventID, ref.attempt, identity, requestID)
		return err
	})
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	return e.activityTaskFor(ctx, r, act)
}

// activityTaskFor builds the task a worker gets for a started activity attempt.
func (e *Engine) activityTaskFor(ctx context.Context, r *run, act *machine.Activity) (*workflowservice.PollActivityTaskQueueResponse, error) {
	s := r.state
	sched, err := e.scheduledAttributes(ctx, r, act.ScheduledEventID)
	if err != nil {
		return nil, err
	}
	resp := &workflowservice.PollActivityTaskQueueResponse{
		// The token names the run by its key: a standalone activity's run
		// is stored apart from the namespace's workflow runs.
		TaskToken: tasktoken.Encode(tasktoken.Token{
			Kind: tasktoken.ActivityTask, NamespaceID: r.key.namespaceID, WorkflowID: s.WorkflowID, RunID: s.RunID,
			ScheduledEventID: act.ScheduledEventID, Attempt: act.Attempt, ActivityID: act.ActivityID,
		}),
		WorkflowNamespace:           s.Namespace,
		WorkflowType:                &commonpb.WorkflowType{Name: s.WorkflowType},
		WorkflowExecution:           &commonpb.WorkflowExecution{WorkflowId: s.WorkflowID, RunId: s.RunID},
		ActivityType:                &commonpb.ActivityType{Name: act.ActivityType},
		ActivityId:                  act.ActivityID,
		Header:                      sched.Header,
		Input:                       sched.Input,
		HeartbeatDetails:            act.DecodedHeartbeatDetails(),
		ScheduledTime:               timestamppb.New(act.ScheduledTime),
		CurrentAttemptScheduledTime: timestamppb.New(act.AttemptScheduledTime),
		StartedTime:                 timestamppb.New(act.StartedTime),
		Attempt:                     act.Attempt,
		ScheduleToCloseTimeout:      durationpb.New(act.ScheduleToClose),
		StartToCloseTimeout:         durationpb.New(act.StartToClose),
		HeartbeatTimeout:            durationpb.New(act.Heartbeat),
		RetryPolicy:                 act.Retry.Proto(),
		Priority:                    act.DecodedPriority(),
	}
	if s.Standalone != nil {
		standaloneTask(resp)
	}
	return resp, nil
}

// scheduledAttributes returns how an activity was scheduled: from memory, or
// from its ActivityTaskScheduled event.
func (e *Engine) scheduledAttributes(ctx context.Context, r *run, scheduledID int64) (*historypb.ActivityTaskScheduledEventAttributes, error) {
	if a := r.inputs[scheduledID]; a != nil {
		return a, nil
	}
	events, err := e.runEvents(ctx, r, scheduledID, scheduledID+1)
	if err != nil {
		return nil, err
	}
	a := events[0].GetActivityTaskScheduledEventAttributes()
	if a == nil {
		return nil, serviceerror.NewDataLossf("event %d of run %s is not ActivityTaskScheduled", scheduledID, r.key.runID)
	}
	if r.inputs == nil {
		r.inputs = map[int64]*historypb.ActivityTaskScheduledEventAttributes{}
	}
	r.inputs[scheduledID] = a
	return a, nil
}

// activityTarget names a running activity attempt: by task token, or by
// workflow and activity id.
type activityTarget struct {
	key         runKey
	scheduledID int64
	attempt     int32
	activityID  string // set for the ...ById forms
}

func targetFromToken(b []byte) (activityTarget, error) {
	tok, err := decodeToken(b, tasktoken.ActivityTask)
	if err != nil {
		return activityTarget{}, err
	}
	return activityTarget{key: runKey{tok.NamespaceID, tok.WorkflowID, tok.RunID}, scheduledID: tok.ScheduledEventID, attempt: tok.Attempt}, nil
}

func (e *Engine) targetByID(ctx context.Context, namespace, workflowID, runID, activityID string) (activityTarget, error) {
	ns, err := e.namespace(ctx, namespace)
	if err != nil {
		return activityTarget{}, err
	}
	if workflowID == "" {
		return e.standaloneTarget(ctx, ns, activityID, runID)
	}
	key, err := e.resolveRun(ctx, ns, &commonpb.WorkflowExecution{WorkflowId: workflowID, RunId: runID})
	if err != nil {
		return activityTarget{}, err
	}
	return activityTarget{key: key, activityID: activityID}, nil
}

var errActivityNotFound = serviceerror.NewNotFound("invalid activityID or activity already timed out or invoking workflow is completed")

// updateActivity runs fn on the running activity t names, as one transition.
func (e *Engine) updateActivity(ctx context.Context, t activityTarget, fn func(tx *machine.Tx, act *machine.Activity) error) error {
	err := e.update(ctx, t.key, func(_ *run, tx *machine.Tx) error {
		var act *machine.Activity
		if t.activityID != "" {
			act = tx.S.ActivityByID(t.activityID)
			if !tx.S.Open() || act == nil || act.State != machine.ActivityStarted {
				return errActivityNotFound
			}
		} else {
			var err error
			if act, err = tx.S.StartedActivity(t.scheduledID, t.attempt); err != nil {
				return errActivityNotFound
			}
		}
		return fn(tx, act)
	})
	if isNotFoundErr(err) {
		return errActivityNotFound
	}
	return err
}

func (e *Engine) completeActivity(ctx context.Context, t activityTarget, result *commonpb.Payloads, identity string) error {
	return e.updateActivity(ctx, t, func(tx *machine.Tx, act *machine.Activity) error {
		tx.CompleteActivity(act, result, identity)
		return nil
	})
}

func (e *Engine) failActivity(ctx context.Context, t activityTarget, req failRequest) error {
	return e.updateActivity(ctx, t, func(tx *machine.Tx, act *machine.Activity) error {
		if req.failure == nil {
			return serviceerror.NewInvalidArgument("Failure is not set on request")
		}
		tx.FailActivity(act, req.failure, req.lastDetails, req.identity)
		return nil
	})
}

func (e *Engine) cancelActivity(ctx context.Context, t activityTarget, details *commonpb.Payloads, identity string) error {
	return e.updateActivity(ctx, t, func(tx *machine.Tx, act *machine.Activity) error {
		if err := tx.CancelActivity(act, details, identity); err != nil {
			return serviceerror.NewInvalidArgument(err.Error())
		}
		return nil
	})
}

// heartbeatAnswer is what a heartbeat tells the running attempt.
type heartbeatAnswer struct{ cancelRequested, paused, reset bool }

func (e *Engine) heartbeatActivity(ctx context.Context, t activityTarget, details *commonpb.Payloads) (heartbeatAnswer, error) {
	var a heartbeatAnswer
	err := e.updateActivity(ctx, t, func(tx *machine.Tx, act *machine.Activity) error {
		a.cancelRequested = tx.HeartbeatActivity(act, details)
		a.paused, a.reset = act.HeartbeatFlags()
		return nil
	})
	return a, err
}

// RespondActivityTaskCompleted records an activity's result.
func (e *Engine) RespondActivityTaskCompleted(ctx context.Context, req *workflowservice.RespondActivityTaskCompletedRequest) (*workflowservice.RespondActivityTaskCompletedResponse, error) {
	t, err := targetFromToken(req.TaskToken)
	if err != nil {
		return nil, err
	}
	if err := e.completeActivity(ctx, t, req.Result, req.Identity); err != nil {
		return nil, err
	}
	return &workflowservice.RespondActivityTaskCompletedResponse{}, nil
}

// RespondActivityTaskCompletedById records an activity's result by ids.
func (e *Engine) RespondActivityTaskCompletedById(ctx context.Context, req *workflowservice.RespondActivityTaskCompletedByIdRequest) (*workflowservice.RespondActivityTaskCompletedByIdResponse, error) {
	t, err := e.targetByID(ctx, req.Namespace, req.WorkflowId, req.RunId, req.ActivityId)
	if err != nil {
		return nil, err
	}
	if err := e.completeActivity(ctx, t, req.Result, req.Identity); err != nil {
		return nil, err
	}
	return &workflowservice.RespondActivityTaskCompletedByIdResponse{}, nil
}

type failRequest struct {
	failure     *failurepb.Failure
	lastDetails *commonpb.Payloads
	identity    string
}

// RespondActivityTaskFailed records a failed attempt; the activity is retried
// when its policy allows.
func (e *Engine) RespondActivityTaskFailed(ctx context.Context, req *workflowservice.RespondActivityTaskFailedRequest) (*workflowservice.RespondActivityTaskFailedResponse, error) {
	t, err := targetFromToken(req.TaskToken)
	if err != nil {
		return nil, err
	}
	if err := e.failActivity(ctx, t, failRequest{req.Failure, req.LastHeartbeatDetails, req.Identity}); err != nil {
		return nil, err
	}
	return &workflowservice.RespondActivityTaskFailedResponse{}, nil
}

// RespondActivityTaskFailedById is RespondActivityTaskFailed by ids.
func (e *Engine) RespondActivityTaskFailedById(ctx context.Context, req *workflowservice.RespondActivityTaskFailedByIdRequest) (*workflowservice.RespondActivityTaskFailedByIdResponse, error) {
	t, err := e.targetByID(ctx, req.Namespace, req.WorkflowId, req.RunId, req.ActivityId)
	if err != nil {
		return nil, err
	}
	if err := e.failActivity(ctx, t, failRequest{req.Failure, req.LastHeartbeatDetails, req.Identity}); err != nil {
		return nil, err
	}
	return &workflowservice.RespondActivityTaskFailedByIdResponse{}, nil
}

// RespondActivityTaskCanceled records that an activity stopped after its
// cancellation was requested.
func (e *Engine) RespondActivityTaskCanceled(ctx context.Context, req *workflowservice.RespondActivityTaskCanceledRequest) (*workflowservice.RespondActivityTaskCanceledResponse, error) {
	t, err := targetFromToken(req.TaskToken)
	if err != nil {
		return nil, err
	}
	if err := e.cancelActivity(ctx, t, req.Details, req.Identity); err != nil {
		return nil, err
	}
	return &workflowservice.RespondActivityTaskCanceledResponse{}, nil
}

// RespondActivityTaskCanceledById is RespondActivityTaskCanceled by ids.
func (e *Engine) RespondActivityTaskCanceledById(ctx context.Context, req *workflowservice.RespondActivityTaskCanceledByIdRequest) (*workflowservice.RespondActivityTaskCanceledByIdResponse, error) {
	t, err := e.targetByID(ctx, req.Namespace, req.WorkflowId, req.RunId, req.ActivityId)
	if err != nil {
		return nil, err
	}
	if err := e.cancelActivity(ctx, t, req.Details, req.Identity); err != nil {
		return nil, err
	}
	return &workflowservice.RespondActivityTaskCanceledByIdResponse{}, nil
}

// RecordActivityTaskHeartbeat stores an activity's progress and tells it whether
// its cancellation was requested.
func (e *Engine) RecordActivityTaskHeartbeat(ctx context.Context, req *workflowservice.RecordActivityTaskHeartbeatRequest) (*workflowservice.RecordActivityTaskHeartbeatResponse, error) {
	t, err := targetFromToken(req.TaskToken)
	if err != nil {
		return nil, err
	}
	a, err := e.heartbeatActivity(ctx, t, req.Details)
	if err != nil {
		return nil, err
	}
	return &workflowservice.RecordActivityTaskHeartbeatResponse{CancelRequested: a.cancelRequested, ActivityPaused: a.paused, ActivityReset: a.reset}, nil
}

// RecordActivityTaskHeartbeatById is RecordActivityTaskHeartbeat by ids.
func (e *Engine) RecordActivityTaskHeartbeatById(ctx context.Context, req *workflowservice.RecordActivityTaskHeartbeatByIdRequest) (*workflowservice.RecordActivityTaskHeartbeatByIdResponse, error) {
	t, err := e.targetByID(ctx, req.Namespace, req.WorkflowId, req.RunId, req.ActivityId)
	if err != nil {
		return nil, err
	}
	a, err := e.heartbeatActivity(ctx, t, req.Details)
	if err != nil {
		return nil, err
	}
	return &workflowservice.RecordActivityTaskHeartbeatByIdResponse{CancelRequested: a.cancelRequested, ActivityPaused: a.paused, ActivityReset: a.reset}, nil
}
