package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	activitypb "go.temporal.io/api/activity/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/sundialdev/sundial"
)

// ActivityTarget names the pending activities of a workflow run that an operator
// action applies to: one activity by ActivityID, every pending activity of
// ActivityType, or, with All, every pending activity. Exactly one must be set. An
// empty RunID means the latest run.
type ActivityTarget struct {
	WorkflowID   string
	RunID        string
	ActivityID   string
	ActivityType string
	All          bool
}

func (t ActivityTarget) check(allowAll bool) error {
	set := 0
	for _, on := range []bool{t.ActivityID != "", t.ActivityType != "", t.All} {
		if on {
			set++
		}
	}
	switch {
	case t.WorkflowID == "":
		return errors.New("ActivityTarget.WorkflowID is required")
	case set != 1:
		return errors.New("ActivityTarget needs exactly one of ActivityID, ActivityType and All")
	case t.All && !allowAll:
		return errors.New("ActivityTarget.All is not allowed for this operation")
	}
	return nil
}

func (t ActivityTarget) describe() string {
	switch {
	case t.ActivityID != "":
		return fmt.Sprintf("activity %q of workflow %q", t.ActivityID, t.WorkflowID)
	case t.ActivityType != "":
		return fmt.Sprintf("activities of type %q of workflow %q", t.ActivityType, t.WorkflowID)
	}
	return fmt.Sprintf("activities of workflow %q", t.WorkflowID)
}

// PauseActivityOptions says why an activity is paused. RequestID makes a repeated
// request harmless; empty gets a fresh one.
type PauseActivityOptions struct {
	Reason    string
	RequestID string
}

// PauseActivity pauses pending activities: no new attempt starts until they are
// unpaused, and a running attempt learns of the pause at its next heartbeat
// (activity.CancellationReason then reports activity.Paused). Pausing an activity
// that another request paused fails with *serviceerror.FailedPrecondition.
func (c *Client) PauseActivity(ctx context.Context, target ActivityTarget, opts PauseActivityOptions) error {
	if err := target.check(false); err != nil {
		return err
	}
	req := &workflowservice.PauseActivityRequest{
		Namespace: c.opts.Namespace, Execution: execution(target.WorkflowID, target.RunID), Identity: c.opts.Identity,
		Reason: opts.Reason, RequestId: opts.RequestID,
	}
	if req.RequestId == "" {
		req.RequestId = newUUID()
	}
	if target.ActivityID != "" {
		req.Activity = &workflowservice.PauseActivityRequest_Id{Id: target.ActivityID}
	} else {
		req.Activity = &workflowservice.PauseActivityRequest_Type{Type: target.ActivityType}
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	if _, err := c.service.PauseActivity(ctx, req); err != nil {
		return fmt.Errorf("pausing %s: %w", target.describe(), err)
	}
	return nil
}

// UnpauseActivityOptions says how paused activities resume: optionally from attempt 1,
// without their heartbeat details, and at a random time within Jitter.
type UnpauseActivityOptions struct {
	ResetAttempts  bool
	ResetHeartbeat bool
	Jitter         time.Duration
}

// UnpauseActivity resumes paused activities; activities that are not paused are left
// alone.
func (c *Client) UnpauseActivity(ctx context.Context, target ActivityTarget, opts UnpauseActivityOptions) error {
	if err := target.check(true); err != nil {
		return err
	}
	if opts.Jitter < 0 {
		return errors.New("UnpauseActivityOptions.Jitter must not be negative")
	}
	req := &workflowservice.UnpauseActivityRequest{
		Namespace: c.opts.Namespace, Execution: execution(target.WorkflowID, target.RunID), Identity: c.opts.Identity,
		ResetAttempts: opts.ResetAttempts, ResetHeartbeat: opts.ResetHeartbeat, Jitter: durationOrNil(opts.Jitter),
	}
	switch {
	case target.ActivityID != "":
		req.Activity = &workflowservice.UnpauseActivityRequest_Id{Id: target.ActivityID}
	case target.ActivityType != "":
		req.Activity = &workflowservice.UnpauseActivityRequest_Type{Type: target.ActivityType}
	default:
		req.Activity = &workflowservice.UnpauseActivityRequest_UnpauseAll{UnpauseAll: true}
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	if _, err := c.service.UnpauseActivity(ctx, req); err != nil {
		return fmt.Errorf("unpausing %s: %w", target.describe(), err)
	}
	return nil
}

// ResetActivityOptions says how activities are reset: without their heartbeat details,
// staying paused if they are, at a random time within Jitter, with the options they
// were scheduled with.
type ResetActivityOptions struct {
	ResetHeartbeat         bool
	KeepPaused             bool
	Jitter                 time.Duration
	RestoreOriginalOptions bool
}

// ResetActivity sets pending activities back to their first attempt. A waiting
// activity is scheduled again at once; a running attempt learns of the reset at its
// next heartbeat (activity.CancellationReason then reports activity.Reset), and the
// attempt after it is number 1.
func (c *Client) ResetActivity(ctx context.Context, target ActivityTarget, opts ResetActivityOptions) error {
	if err := target.check(true); err != nil {
		return err
	}
	if opts.Jitter < 0 {
		return errors.New("ResetActivityOptions.Jitter must not be negative")
	}
	req := &workflowservice.ResetActivityRequest{
		Namespace: c.opts.Namespace, Execution: execution(target.WorkflowID, target.RunID), Identity: c.opts.Identity,
		ResetHeartbeat: opts.ResetHeartbeat, KeepPaused: opts.KeepPaused, Jitter: durationOrNil(opts.Jitter),
		RestoreOriginalOptions: opts.RestoreOriginalOptions,
	}
	switch {
	case target.ActivityID != "":
		req.Activity = &workflowservice.ResetActivityRequest_Id{Id: target.ActivityID}
	case target.ActivityType != "":
		req.Activity = &workflowservice.ResetActivityRequest_Type{Type: target.ActivityType}
	default:
		req.Activity = &workflowservice.ResetActivityRequest_MatchAll{MatchAll: true}
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	if _, err := c.service.ResetActivity(ctx, req); err != nil {
		return fmt.Errorf("resetting %s: %w", target.describe(), err)
	}
	return nil
}

// ActivityOptionsUpdate lists the options of pending activities to change: every
// non-nil field is set, the others are kept. RestoreOriginal instead restores the
// options the activities were scheduled with, and must come alone.
type ActivityOptionsUpdate struct {
	TaskQueue              *string
	ScheduleToCloseTimeout *time.Duration
	ScheduleToStartTimeout *time.Duration
	StartToCloseTimeout    *time.Duration
	HeartbeatTimeout       *time.Duration
	RetryPolicy            *sundial.RetryPolicy
	Priority               *sundial.Priority
	RestoreOriginal        bool
}

// ActivityOptions are a pending activity's options as the server applies them.
type ActivityOptions struct {
	TaskQueue              string
	ScheduleToCloseTimeout time.Duration
	ScheduleToStartTimeout time.Duration
	StartToCloseTimeout    time.Duration
	HeartbeatTimeout       time.Duration
	RetryPolicy            *sundial.RetryPolicy
	Priority               *sundial.Priority
}

// ActivityOptionsFromProto converts the wire form of activity options.
func ActivityOptionsFromProto(o *activitypb.ActivityOptions) ActivityOptions {
	return ActivityOptions{
		TaskQueue:              o.GetTaskQueue().GetName(),
		ScheduleToCloseTimeout: o.GetScheduleToCloseTimeout().AsDuration(),
		ScheduleToStartTimeout: o.GetScheduleToStartTimeout().AsDuration(),
		StartToCloseTimeout:    o.GetStartToCloseTimeout().AsDuration(),
		HeartbeatTimeout:       o.GetHeartbeatTimeout().AsDuration(),
		RetryPolicy:            sundial.RetryPolicyFromProto(o.GetRetryPolicy()),
		Priority:               sundial.PriorityFromProto(o.GetPriority()),
	}
}

// request builds the options and field mask of an update.
func (u ActivityOptionsUpdate) request() (*activitypb.ActivityOptions, *fieldmaskpb.FieldMask, error) {
	o := &activitypb.ActivityOptions{}
	var paths []string
	if u.TaskQueue != nil {
		o.TaskQueue = &taskqueuepb.TaskQueue{Name: *u.TaskQueue}
		paths = append(paths, "task_queue.name")
	}
	durations := []struct {
		d    *time.Duration
		set  **durationpb.Duration
		path string
	}{
		{u.ScheduleToCloseTimeout, &o.ScheduleToCloseTimeout, "schedule_to_close_timeout"},
		{u.ScheduleToStartTimeout, &o.ScheduleToStartTimeout, "schedule_to_start_timeout"},
		{u.StartToCloseTimeout, &o.StartToCloseTimeout, "start_to_close_timeout"},
		{u.HeartbeatTimeout, &o.HeartbeatTimeout, "heartbeat_timeout"},
	}
	for _, d := range durations {
		if d.d == nil {
			continue
		}
		if *d.d < 0 {
			return nil, nil, fmt.Errorf("ActivityOptionsUpdate: %s must not be negative", d.path)
		}
		*d.set = durationpb.New(*d.d)
		paths = append(paths, d.path)
	}
	if u.RetryPolicy != nil {
		o.RetryPolicy = u.RetryPolicy.ToProto()
		paths = append(paths, "retry_policy")
	}
	if u.Priority != nil {
		o.Priority = u.Priority.ToProto()
		paths = append(paths, "priority")
	}
	switch {
	case u.RestoreOriginal && len(paths) > 0:
		return nil, nil, errors.New("ActivityOptionsUpdate: RestoreOriginal cannot be combined with other options")
	case u.RestoreOriginal:
		return nil, nil, nil
	case len(paths) == 0:
		return nil, nil, errors.New("ActivityOptionsUpdate changes nothing")
	}
	return o, &fieldmaskpb.FieldMask{Paths: paths}, nil
}

// UpdateActivityOptions changes the options of pending activities and returns the
// options that result (of the last activity changed). A running attempt keeps
// running under the new timeouts; a waiting one moves to the new task queue; one
// waiting to retry waits the interval of the new retry policy.
func (c *Client) UpdateActivityOptions(ctx context.Context, target ActivityTarget, update ActivityOptionsUpdate) (ActivityOptions, error) {
	if err := target.check(true); err != nil {
		return ActivityOptions{}, err
	}
	options, mask, err := update.request()
	if err != nil {
		return ActivityOptions{}, err
	}
	req := &workflowservice.UpdateActivityOptionsRequest{
		Namespace: c.opts.Namespace, Execution: execution(target.WorkflowID, target.RunID), Identity: c.opts.Identity,
		ActivityOptions: options, UpdateMask: mask, RestoreOriginal: update.RestoreOriginal,
	}
	switch {
	case target.ActivityID != "":
		req.Activity = &workflowservice.UpdateActivityOptionsRequest_Id{Id: target.ActivityID}
	case target.ActivityType != "":
		req.Activity = &workflowservice.UpdateActivityOptionsRequest_Type{Type: target.ActivityType}
	default:
		req.Activity = &workflowservice.UpdateActivityOptionsRequest_MatchAll{MatchAll: true}
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := c.service.UpdateActivityOptions(ctx, req)
	if err != nil {
		return ActivityOptions{}, fmt.Errorf("updating options of %s: %w", target.describe(), err)
	}
	return ActivityOptionsFromProto(resp.GetActivityOptions()), nil
}

// PauseWorkflow pauses a running workflow: it gets no new workflow or activity tasks
// (signals and other events are still recorded) until UnpauseWorkflow. An empty runID
// means the latest run.
func (c *Client) PauseWorkflow(ctx context.Context, workflowID, runID, reason string) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err := c.service.PauseWorkflowExecution(ctx, &workflowservice.PauseWorkflowExecutionRequest{
		Namespace: c.opts.Namespace, WorkflowId: workflowID, RunId: runID, Identity: c.opts.Identity,
		Reason: reason, RequestId: newUUID(),
	})
	if err != nil {
		return fmt.Errorf("pausing workflow %q: %w", workflowID, err)
	}
	return nil
}

// UnpauseWorkflow resumes a paused workflow.
func (c *Client) UnpauseWorkflow(ctx context.Context, workflowID, runID, reason string) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err := c.service.UnpauseWorkflowExecution(ctx, &workflowservice.UnpauseWorkflowExecutionRequest{
		Namespace: c.opts.Namespace, WorkflowId: workflowID, RunId: runID, Identity: c.opts.Identity,
		Reason: reason, RequestId: newUUID(),
	})
	if err != nil {
		return fmt.Errorf("unpausing workflow %q: %w", workflowID, err)
	}
	return nil
}
