package engine

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	activitypb "go.temporal.io/api/activity/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// Operator actions on a workflow's pending activities: PauseActivity,
// UnpauseActivity, ResetActivity and UpdateActivityOptions. Each is one
// transition of the workflow's run; none writes a history event.

// errPendingActivityNotFound is Temporal's answer when no pending activity
// matches an operator action (history/consts.ErrActivityNotFound).
var errPendingActivityNotFound = serviceerror.NewNotFound("Can't find pending activity with such ID. Invalid activityID or activity already completed")

// activityOp applies fn to each pending activity sel names in the run ex
// names, as one transition. It answers NotFound when the run is closed or no
// activity matches.
func (e *Engine) activityOp(ctx context.Context, namespace string, ex *commonpb.WorkflowExecution, sel machine.ActivitySelector,
	fn func(r *run, tx *machine.Tx, act *machine.Activity) error) error {
	ns, err := e.namespace(ctx, namespace)
	if err != nil {
		return err
	}
	key, err := e.resolveRun(ctx, ns, ex)
	if err != nil {
		return err
	}
	return e.activityOpOn(ctx, key, sel, fn)
}

// activityOpOn applies fn to each pending activity sel names in the run key
// names, as one transition.
func (e *Engine) activityOpOn(ctx context.Context, key runKey, sel machine.ActivitySelector,
	fn func(r *run, tx *machine.Tx, act *machine.Activity) error) error {
	return e.update(ctx, key, func(r *run, tx *machine.Tx) error {
		if !tx.S.Open() {
			return errRunClosed
		}
		acts := tx.S.SelectActivities(sel)
		if len(acts) == 0 {
			return errPendingActivityNotFound
		}
		for _, act := range acts {
			if err := fn(r, tx, act); err != nil {
				return err
			}
		}
		return nil
	})
}

// jitterDelay draws a delay in [0, jitter).
func jitterDelay(jitter *durationpb.Duration) time.Duration {
	j := jitter.AsDuration()
	if j <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(j)))
}

// PauseActivity pauses pending activities of a workflow.
func (e *Engine) PauseActivity(ctx context.Context, req *workflowservice.PauseActivityRequest) (*workflowservice.PauseActivityResponse, error) {
	sel := machine.ActivitySelector{ID: req.GetId(), Type: req.GetType()}
	p := machine.PauseRequest{Identity: req.GetIdentity(), Reason: req.GetReason(), RequestID: req.GetRequestId()}
	if err := e.activityOp(ctx, req.GetNamespace(), req.GetExecution(), sel, pauseActivity(p)); err != nil {
		return nil, err
	}
	return &workflowservice.PauseActivityResponse{}, nil
}

// pauseActivity pauses one activity.
func pauseActivity(p machine.PauseRequest) func(*run, *machine.Tx, *machine.Activity) error {
	return func(_ *run, tx *machine.Tx, act *machine.Activity) error {
		if err := tx.PauseActivity(act, p); err != nil {
			if errors.Is(err, machine.ErrAlreadyPaused) {
				return serviceerror.NewFailedPrecondition("activity is already paused")
			}
			return err
		}
		return nil
	}
}

// UnpauseActivity resumes paused activities of a workflow.
func (e *Engine) UnpauseActivity(ctx context.Context, req *workflowservice.UnpauseActivityRequest) (*workflowservice.UnpauseActivityResponse, error) {
	sel := machine.ActivitySelector{ID: req.GetId(), Type: req.GetType(), All: req.GetUnpauseAll()}
	u := machine.UnpauseRequest{ResetAttempts: req.GetResetAttempts(), ResetHeartbeat: req.GetResetHeartbeat(), Delay: jitterDelay(req.GetJitter())}
	if err := e.activityOp(ctx, req.GetNamespace(), req.GetExecution(), sel, unpauseActivity(u)); err != nil {
		return nil, err
	}
	return &workflowservice.UnpauseActivityResponse{}, nil
}

// unpauseActivity resumes one activity.
func unpauseActivity(u machine.UnpauseRequest) func(*run, *machine.Tx, *machine.Activity) error {
	return func(_ *run, tx *machine.Tx, act *machine.Activity) error {
		tx.UnpauseActivity(act, u)
		return nil
	}
}

// ResetActivity sets pending activities of a workflow back to their first
// attempt.
func (e *Engine) ResetActivity(ctx context.Context, req *workflowservice.ResetActivityRequest) (*workflowservice.ResetActivityResponse, error) {
	sel := machine.ActivitySelector{ID: req.GetId(), Type: req.GetType(), All: req.GetMatchAll()}
	reset := machine.ResetRequest{ResetHeartbeat: req.GetResetHeartbeat(), KeepPaused: req.GetKeepPaused(), Delay: jitterDelay(req.GetJitter())}
	if err := e.activityOp(ctx, req.GetNamespace(), req.GetExecution(), sel, e.resetActivity(ctx, reset, req.GetRestoreOriginalOptions())); err != nil {
		return nil, err
	}
	return &workflowservice.ResetActivityResponse{}, nil
}

// resetActivity sets one activity back to its first attempt, with the
// options it was scheduled with when restoreOriginal is set.
func (e *Engine) resetActivity(ctx context.Context, reset machine.ResetRequest, restoreOriginal bool) func(*run, *machine.Tx, *machine.Activity) error {
	return func(r *run, tx *machine.Tx, act *machine.Activity) error {
		if restoreOriginal {
			o, err := e.originalOptions(ctx, r, tx.S, act)
			if err != nil {
				return err
			}
			reset.Original = &o
			r.dispatched = r.dispatched.without(kindActivity, act.ScheduledEventID)
		}
		tx.ResetActivity(act, reset)
		return nil
	}
}

// UpdateActivityOptions changes the options of pending activities of a
// workflow and returns the options that result.
func (e *Engine) UpdateActivityOptions(ctx context.Context, req *workflowservice.UpdateActivityOptionsRequest) (*workflowservice.UpdateActivityOptionsResponse, error) {
	sel := machine.ActivitySelector{ID: req.GetId(), Type: req.GetType(), All: req.GetMatchAll()}
	var result *activitypb.ActivityOptions
	update := e.updateActivityOptions(ctx, req.GetActivityOptions(), req.GetUpdateMask().GetPaths(), req.GetRestoreOriginal(), &result)
	if err := e.activityOp(ctx, req.GetNamespace(), req.GetExecution(), sel, update); err != nil {
		return nil, err
	}
	return &workflowservice.UpdateActivityOptionsResponse{ActivityOptions: result}, nil
}

// updateActivityOptions changes one activity's options: the paths of
// options the mask names, or back to the options it was scheduled with. The
// options that result are left in *result.
func (e *Engine) updateActivityOptions(ctx context.Context, options *activitypb.ActivityOptions, paths []string, restoreOriginal bool,
	result **activitypb.ActivityOptions) func(*run, *machine.Tx, *machine.Activity) error {
	return func(r *run, tx *machine.Tx, act *machine.Activity) error {
		var o machine.ActivityOptions
		if restoreOriginal {
			var err error
			if o, err = e.originalOptions(ctx, r, tx.S, act); err != nil {
				return err
			}
		} else {
			merged := optionsProto(act.Options())
			if err := MergeActivityOptions(merged, options, paths); err != nil {
				return err
			}
			var err error
			if o, err = optionsFromProto(merged, tx.S); err != nil {
				return err
			}
		}
		// The task may move to another queue: offer it anew.
		r.dispatched = r.dispatched.without(kindActivity, act.ScheduledEventID)
		tx.UpdateActivityOptions(act, o)
		*result = optionsProto(act.Options())
		return nil
	}
}

// originalOptions are the options act was scheduled with, from its
// ActivityTaskScheduled event.
func (e *Engine) originalOptions(ctx context.Context, r *run, s *machine.State, act *machine.Activity) (machine.ActivityOptions, error) {
	a, err := e.scheduledAttributes(ctx, r, act.ScheduledEventID)
	if err != nil {
		return machine.ActivityOptions{}, err
	}
	o := machine.ActivityOptions{
		TaskQueue:       a.GetTaskQueue().GetName(),
		ScheduleToClose: a.GetScheduleToCloseTimeout().AsDuration(),
		ScheduleToStart: a.GetScheduleToStartTimeout().AsDuration(),
		StartToClose:    a.GetStartToCloseTimeout().AsDuration(),
		Heartbeat:       a.GetHeartbeatTimeout().AsDuration(),
		Retry:           machine.NormalizeRetryPolicy(a.GetRetryPolicy()),
	}
	if o.TaskQueue == "" {
		o.TaskQueue = s.TaskQueue
	}
	if a.GetPriority() != nil {
		o.Priority, _ = proto.Marshal(a.GetPriority())
	}
	return o, nil
}

// optionsProto is the wire form of an activity's options.
func optionsProto(o machine.ActivityOptions) *activitypb.ActivityOptions {
	out := &activitypb.ActivityOptions{
		TaskQueue:              &taskqueuepb.TaskQueue{Name: o.TaskQueue, NormalName: o.TaskQueue},
		ScheduleToCloseTimeout: durationpb.New(o.ScheduleToClose),
		ScheduleToStartTimeout: durationpb.New(o.ScheduleToStart),
		StartToCloseTimeout:    durationpb.New(o.StartToClose),
		HeartbeatTimeout:       durationpb.New(o.Heartbeat),
		RetryPolicy:            o.Retry.Proto(),
	}
	if len(o.Priority) > 0 {
		p := &commonpb.Priority{}
		if proto.Unmarshal(o.Priority, p) == nil {
			out.Priority = p
		}
	}
	return out
}

// optionsFromProto checks merged options as Temporal checks a scheduled
// activity's (the frontend checked each value) and normalizes them.
func optionsFromProto(p *activitypb.ActivityOptions, s *machine.State) (machine.ActivityOptions, error) {
	if p.GetTaskQueue().GetName() == "" {
		return machine.ActivityOptions{}, serviceerror.NewInvalidArgument("TaskQueue is not set on activity options")
	}
	o, ok := machine.NormalizeActivityTimeouts(p.GetScheduleToCloseTimeout().AsDuration(), p.GetScheduleToStartTimeout().AsDuration(),
		p.GetStartToCloseTimeout().AsDuration(), p.GetHeartbeatTimeout().AsDuration(), s.RunTimeout)
	if !ok {
		return machine.ActivityOptions{}, serviceerror.NewInvalidArgument("A valid StartToClose or ScheduleToCloseTimeout is not set on activity options")
	}
	o.TaskQueue = p.GetTaskQueue().GetName()
	o.Retry = machine.NormalizeRetryPolicy(p.GetRetryPolicy())
	if p.GetPriority() != nil && proto.Size(p.GetPriority()) > 0 {
		o.Priority, _ = proto.Marshal(p.GetPriority())
	}
	return o, nil
}

// ActivityOptionsPaths are the field mask paths UpdateActivityOptions
// accepts, in the snake_case of the proto; the lowerCamelCase JSON names are
// accepted too.
var ActivityOptionsPaths = []string{
	"task_queue.name",
	"schedule_to_close_timeout", "schedule_to_start_timeout", "start_to_close_timeout", "heartbeat_timeout",
	"retry_policy", "retry_policy.initial_interval", "retry_policy.backoff_coefficient",
	"retry_policy.maximum_interval", "retry_policy.maximum_attempts",
	"priority", "priority.priority_key", "priority.fairness_key", "priority.fairness_weight",
}

// cliTaskQueuePath is the path the temporal CLI's `activity update-options
// --task-queue` sends (v1.5.1); Temporal's server does not recognize it and
// ignores the flag, Sundial takes it for task_queue.name as meant.
const cliTaskQueuePath = "task_queue_name"

// CanonicalOptionsPath turns a field mask path into its snake_case form, and
// reports whether UpdateActivityOptions knows it.
func CanonicalOptionsPath(path string) (string, bool) {
	var b strings.Builder
	for _, c := range path {
		if c >= 'A' && c <= 'Z' {
			b.WriteByte('_')
			b.WriteRune(c - 'A' + 'a')
			continue
		}
		b.WriteRune(c)
	}
	canon := b.String()
	if canon == cliTaskQueuePath {
		canon = "task_queue.name"
	}
	for _, p := range ActivityOptionsPaths {
		if p == canon {
			return canon, true
		}
	}
	return canon, false
}

// MergeActivityOptions copies into dst the fields of src the mask paths name.
// A path into a message src lacks (task queue, retry policy, priority) is
// refused with Temporal's text.
func MergeActivityOptions(dst, src *activitypb.ActivityOptions, paths []string) error {
	if src == nil {
		return serviceerror.NewInvalidArgument("ActivityOptions are not provided")
	}
	for _, path := range paths {
		canon, ok := CanonicalOptionsPath(path)
		if !ok {
			return serviceerror.NewInvalidArgumentf("UpdateMask path %q is not an activity option that can be updated", path)
		}
		parent, field, _ := strings.Cut(canon, ".")
		switch parent {
		case "task_queue":
			if src.GetTaskQueue() == nil {
				return serviceerror.NewInvalidArgument("TaskQueue is not provided")
			}
			dst.TaskQueue = &taskqueuepb.TaskQueue{Name: src.GetTaskQueue().GetName()}
		case "schedule_to_close_timeout":
			dst.ScheduleToCloseTimeout = src.GetScheduleToCloseTimeout()
		case "schedule_to_start_timeout":
			dst.ScheduleToStartTimeout = src.GetScheduleToStartTimeout()
		case "start_to_close_timeout":
			dst.StartToCloseTimeout = src.GetStartToCloseTimeout()
		case "heartbeat_timeout":
			dst.HeartbeatTimeout = src.GetHeartbeatTimeout()
		case "retry_policy":
			if err := mergeRetryPolicy(dst, src.GetRetryPolicy(), field); err != nil {
				return err
			}
		case "priority":
			if err := mergePriority(dst, src.GetPriority(), field); err != nil {
				return err
			}
		}
	}
	return nil
}

func mergeRetryPolicy(dst *activitypb.ActivityOptions, src *commonpb.RetryPolicy, field string) error {
	if src == nil {
		return serviceerror.NewInvalidArgument("RetryPolicy is not provided")
	}
	if field == "" {
		dst.RetryPolicy = proto.Clone(src).(*commonpb.RetryPolicy)
		return nil
	}
	if dst.RetryPolicy == nil {
		dst.RetryPolicy = &commonpb.RetryPolicy{}
	}
	switch field {
	case "initial_interval":
		dst.RetryPolicy.InitialInterval = src.GetInitialInterval()
	case "backoff_coefficient":
		dst.RetryPolicy.BackoffCoefficient = src.GetBackoffCoefficient()
	case "maximum_interval":
		dst.RetryPolicy.MaximumInterval = src.GetMaximumInterval()
	case "maximum_attempts":
		dst.RetryPolicy.MaximumAttempts = src.GetMaximumAttempts()
	}
	return nil
}

func mergePriority(dst *activitypb.ActivityOptions, src *commonpb.Priority, field string) error {
	if field == "" {
		if src == nil {
			dst.Priority = nil
		} else {
			dst.Priority = proto.Clone(src).(*commonpb.Priority)
		}
		return nil
	}
	if src == nil {
		return serviceerror.NewInvalidArgument("Priority is not provided")
	}
	if dst.Priority == nil {
		dst.Priority = &commonpb.Priority{}
	}
	switch field {
	case "priority_key":
		dst.Priority.PriorityKey = src.GetPriorityKey()
	case "fairness_key":
		dst.Priority.FairnessKey = src.GetFairnessKey()
	case "fairness_weight":
		dst.Priority.FairnessWeight = src.GetFairnessWeight()
	}
	return nil
}

// without drops the marks of one task, so that dispatch offers it again.
func (ms taskMarks) without(kind taskKind, scheduledEventID int64) taskMarks {
	out := ms[:0:0]
	for _, m := range ms {
		if m.kind != kind || m.scheduledEventID != scheduledEventID {
			out = append(out, m)
		}
	}
	return out
}

// describePauseAndOptions adds to a pending activity's description its pause
// state, as Temporal shows it (PAUSED while no attempt runs, PAUSE_REQUESTED
// while one does), and its current options.
func describePauseAndOptions(p *workflowpb.PendingActivityInfo, a *machine.Activity) {
	p.ActivityOptions = optionsProto(a.Options())
	p.LastAttemptCompleteTime = tsOrNil(a.LastAttemptCompleteTime)
	if !a.Paused {
		return
	}
	p.Paused = true
	p.NextAttemptScheduleTime = nil
	switch p.State {
	case enumspb.PENDING_ACTIVITY_STATE_SCHEDULED:
		p.State = enumspb.PENDING_ACTIVITY_STATE_PAUSED
	case enumspb.PENDING_ACTIVITY_STATE_STARTED:
		p.State = enumspb.PENDING_ACTIVITY_STATE_PAUSE_REQUESTED
	}
	p.PauseInfo = &workflowpb.PendingActivityInfo_PauseInfo{
		PauseTime: tsOrNil(a.PauseTime),
		PausedBy: &workflowpb.PendingActivityInfo_PauseInfo_Manual_{Manual: &workflowpb.PendingActivityInfo_PauseInfo_Manual{
			Identity: a.PauseIdentity, Reason: a.PauseReason,
		}},
	}
}
