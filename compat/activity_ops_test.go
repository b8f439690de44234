package compat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	activitypb "go.temporal.io/api/activity/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// The activity operations (PauseActivity, UnpauseActivity, ResetActivity,
// UpdateActivityOptions) driven through the official Go SDK's raw
// WorkflowService, on Sundial and on Temporal's own server. None of them
// writes history: the histories asserted are those of plain activities.

// opsActivity heartbeats until its context ends, then reports why and fails
// with the context's error, except on the attempts finish says to complete.
type opsActivity struct {
	calls  atomic.Int32
	causes chan error
	// started receives the number of each call as it begins.
	started chan int32
	// finish reports whether an attempt (by its number and the call count)
	// completes at once.
	finish func(attempt, call int32) bool
}

func newOpsActivity(finish func(attempt, call int32) bool) *opsActivity {
	return &opsActivity{causes: make(chan error, 16), started: make(chan int32, 64), finish: finish}
}

func (a *opsActivity) run(ctx context.Context) (string, error) {
	call := a.calls.Add(1)
	select {
	case a.started <- call:
	default:
	}
	info := activity.GetInfo(ctx)
	var details string
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &details)
	}
	if a.finish(info.Attempt, call) {
		return fmt.Sprintf("attempt %d call %d details %q", info.Attempt, call, details), nil
	}
	for {
		activity.RecordHeartbeat(ctx, fmt.Sprintf("progress-%d", call))
		select {
		case <-ctx.Done():
			a.causes <- context.Cause(ctx)
			return "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// opsWorkflow runs "ops" with a short retry interval and returns its result.
func opsWorkflow(ctx workflow.Context, initialInterval time.Duration) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		ActivityID:          "op-1",
		StartToCloseTimeout: time.Minute,
		HeartbeatTimeout:    10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: initialInterval, BackoffCoefficient: 1, MaximumAttempts: 10},
	})
	var out string
	err := workflow.ExecuteActivity(ctx, "ops").Get(ctx, &out)
	return out, err
}

// startOps starts opsWorkflow with act on a fresh target and returns its run.
func startOps(t *testing.T, tg target, act *opsActivity, initialInterval time.Duration) (client.Client, client.WorkflowRun) {
	t.Helper()
	c := dial(t, tg)
	taskQueue := uniqueName(t, "tq")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(opsWorkflow, workflow.RegisterOptions{Name: "Ops"})
		r.RegisterActivityWithOptions(act.run, activity.RegisterOptions{Name: "ops"})
	})
	run, err := c.ExecuteWorkflow(testContext(t, time.Minute), client.StartWorkflowOptions{ID: uniqueName(t, "wf"), TaskQueue: taskQueue}, "Ops", initialInterval)
	if err != nil {
		t.Fatalf("starting workflow: %v", err)
	}
	return c, run
}

// describeOpsActivity describes the run's one pending activity (nil if none).
func describeOpsActivity(t *testing.T, c client.Client, run client.WorkflowRun) *workflowpb.PendingActivityInfo {
	t.Helper()
	d, err := c.DescribeWorkflowExecution(testContext(t, 10*time.Second), run.GetID(), run.GetRunID())
	if err != nil {
		t.Fatalf("describing %s: %v", run.GetID(), err)
	}
	if len(d.PendingActivities) == 0 {
		return nil
	}
	return d.PendingActivities[0]
}

// waitPending waits until the run's pending activity satisfies cond.
func waitPending(t *testing.T, c client.Client, run client.WorkflowRun, what string, cond func(p *workflowpb.PendingActivityInfo) bool) *workflowpb.PendingActivityInfo {
	t.Helper()
	var p *workflowpb.PendingActivityInfo
	eventually(t, 20*time.Second, what, func() bool {
		p = describeOpsActivity(t, c, run)
		return p != nil && cond(p)
	})
	return p
}

// noCallAfter fails the test the moment the activity starts a call numbered
// above last within d: for a retry that must not happen.
func noCallAfter(t *testing.T, act *opsActivity, last int32, d time.Duration) {
	t.Helper()
	window := time.NewTimer(d)
	defer window.Stop()
	for {
		select {
		case n := <-act.started:
			if n > last {
				t.Fatalf("call %d started within %v; want none after call %d", n, d, last)
			}
		case <-window.C:
			return
		}
	}
}

func execOf(run client.WorkflowRun) *commonpb.WorkflowExecution {
	return &commonpb.WorkflowExecution{WorkflowId: run.GetID(), RunId: run.GetRunID()}
}

func waitCause(t *testing.T, act *opsActivity, want error) {
	t.Helper()
	select {
	case got := <-act.causes:
		if !errors.Is(got, want) {
			t.Fatalf("the activity's context ended with cause %v, want %v", got, want)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the activity's context did not end within 20s (want cause %v)", want)
	}
}

// TestActivityPauseAndUnpause: a running activity learns of the pause through
// its heartbeat (the SDK cancels it with ErrActivityPaused); the failed attempt
// is not retried while paused; unpause with reset attempts runs attempt 1.
func TestActivityPauseAndUnpause(t *testing.T) {
	t.Parallel()
	onBothServers(t, func(t *testing.T, tg target) {
		ctx := testContext(t, 90*time.Second)
		act := newOpsActivity(func(_, call int32) bool { return call > 1 })
		c, run := startOps(t, tg, act, 100*time.Millisecond)
		waitPending(t, c, run, "activity running", func(p *workflowpb.PendingActivityInfo) bool {
			return p.State == enumspb.PENDING_ACTIVITY_STATE_STARTED
		})
		_, err := c.WorkflowService().PauseActivity(ctx, &workflowservice.PauseActivityRequest{
			Namespace: tg.Namespace, Execution: execOf(run), Identity: "ops-person", Reason: "looking into it",
			Activity: &workflowservice.PauseActivityRequest_Id{Id: "op-1"}, RequestId: "pause-1",
		})
		if err != nil {
			t.Fatalf("PauseActivity: %v", err)
		}
		waitCause(t, act, activity.ErrActivityPaused)
		p := waitPending(t, c, run, "activity paused and waiting", func(p *workflowpb.PendingActivityInfo) bool {
			return p.State == enumspb.PENDING_ACTIVITY_STATE_PAUSED && p.Attempt == 2
		})
		if !p.Paused || p.GetPauseInfo().GetManual().GetIdentity() != "ops-person" || p.GetPauseInfo().GetManual().GetReason() != "looking into it" ||
			p.GetPauseInfo().GetPauseTime() == nil {
			t.Errorf("pause info: paused=%v %v", p.Paused, p.GetPauseInfo())
		}
		if p.NextAttemptScheduleTime != nil {
			t.Errorf("a paused activity shows a next attempt at %v", p.NextAttemptScheduleTime.AsTime())
		}
		// The retry interval is 100ms: for a second, nothing may start it.
		noCallAfter(t, act, 1, time.Second)
		if p := describeOpsActivity(t, c, run); p.State != enumspb.PENDING_ACTIVITY_STATE_PAUSED {
			t.Fatalf("paused activity left PAUSED: %v", p.State)
		}
		// Pausing again with the same request id changes nothing; with another
		// it is refused.
		_, err = c.WorkflowService().PauseActivity(ctx, &workflowservice.PauseActivityRequest{
			Namespace: tg.Namespace, Execution: execOf(run), Activity: &workflowservice.PauseActivityRequest_Id{Id: "op-1"}, RequestId: "pause-1",
		})
		if err != nil {
			t.Errorf("repeating the pause request: %v", err)
		}
		_, err = c.WorkflowService().PauseActivity(ctx, &workflowservice.PauseActivityRequest{
			Namespace: tg.Namespace, Execution: execOf(run), Activity: &workflowservice.PauseActivityRequest_Type{Type: "ops"}, RequestId: "pause-2",
		})
		var pre *serviceerror.FailedPrecondition
		if !errors.As(err, &pre) || !strings.Contains(err.Error(), "already paused") {
			t.Errorf("second pause: %v, want FailedPrecondition 'activity is already paused'", err)
		}
		_, err = c.WorkflowService().UnpauseActivity(ctx, &workflowservice.UnpauseActivityRequest{
			Namespace: tg.Namespace, Execution: execOf(run), Identity: "ops-person",
			Activity: &workflowservice.UnpauseActivityRequest_Id{Id: "op-1"}, ResetAttempts: true,
		})
		if err != nil {
			t.Fatalf("UnpauseActivity: %v", err)
		}
		var result string
		if err := run.Get(ctx, &result); err != nil {
			t.Fatalf("workflow: %v", err)
		}
		if !strings.HasPrefix(result, "attempt 1 call 2") {
			t.Errorf("result %q, want attempt 1 on the second call", result)
		}
		requireHistory(t, c, run.GetID(), run.GetRunID(), concat(startAndFirstTask, ev(evActivityScheduled, evActivityStarted, evActivityCompleted), workflowTask, ev(evWorkflowCompleted)))
	})
}

// TestActivityResetRunning: a running attempt learns of the reset through its
// heartbeat (ErrActivityReset); the next attempt is number 1 and, with
// ResetHeartbeat, starts without the heartbeat details.
func TestActivityResetRunning(t *testing.T) {
	t.Parallel()
	onBothServers(t, func(t *testing.T, tg target) {
		ctx := testContext(t, 90*time.Second)
		act := newOpsActivity(func(_, call int32) bool { return call > 1 })
		c, run := startOps(t, tg, act, 100*time.Millisecond)
		waitPending(t, c, run, "activity heartbeating", func(p *workflowpb.PendingActivityInfo) bool {
			return p.State == enumspb.PENDING_ACTIVITY_STATE_STARTED && p.HeartbeatDetails != nil
		})
		_, err := c.WorkflowService().ResetActivity(ctx, &workflowservice.ResetActivityRequest{
			Namespace: tg.Namespace, Execution: execOf(run), Identity: "ops-person",
			Activity: &workflowservice.ResetActivityRequest_Type{Type: "ops"}, ResetHeartbeat: true,
		})
		if err != nil {
			t.Fatalf("ResetActivity: %v", err)
		}
		waitCause(t, act, activity.ErrActivityReset)
		var result string
		if err := run.Get(ctx, &result); err != nil {
			t.Fatalf("workflow: %v", err)
		}
		// The proto's documentation says a reset sets the attempts back to
		// zero, so the attempt after the reset is number 1, as on Sundial.
		// Temporal's server sets the running attempt's number to 1 and
		// numbers the next one 2 (recorded here, not asserted).
		if strings.HasSuffix(t.Name(), "/Temporal") {
			t.Logf("Temporal: %s", result)
			return
		}
		if want := `attempt 1 call 2 details ""`; result != want {
			t.Errorf("result %q, want %q", result, want)
		}
	})
}

// TestActivityUpdateOptions: a new retry policy moves an activity waiting a
// long backoff to an early retry; Describe and the response show the options.
func TestActivityUpdateOptions(t *testing.T) {
	t.Parallel()
	onBothServers(t, func(t *testing.T, tg target) {
		ctx := testContext(t, 90*time.Second)
		act := newOpsActivity(func(_, call int32) bool { return call > 1 })
		c, run := startOps(t, tg, act, time.Hour)
		waitPending(t, c, run, "activity heartbeating", func(p *workflowpb.PendingActivityInfo) bool {
			return p.State == enumspb.PENDING_ACTIVITY_STATE_STARTED && p.HeartbeatDetails != nil
		})
		// Fail attempt 1 by pausing and unpausing it: it then waits an hour.
		if _, err := c.WorkflowService().PauseActivity(ctx, &workflowservice.PauseActivityRequest{
			Namespace: tg.Namespace, Execution: execOf(run), Activity: &workflowservice.PauseActivityRequest_Id{Id: "op-1"},
		}); err != nil {
			t.Fatalf("PauseActivity: %v", err)
		}
		waitCause(t, act, activity.ErrActivityPaused)
		waitPending(t, c, run, "attempt 1 failed", func(p *workflowpb.PendingActivityInfo) bool { return p.Attempt == 2 })
		p := describeOpsActivity(t, c, run)
		if got := p.GetActivityOptions().GetRetryPolicy().GetInitialInterval().AsDuration(); got != time.Hour {
			t.Errorf("described initial interval %v, want 1h", got)
		}
		resp, err := c.WorkflowService().UpdateActivityOptions(ctx, &workflowservice.UpdateActivityOptionsRequest{
			Namespace: tg.Namespace, Execution: execOf(run), Identity: "ops-person",
			Activity: &workflowservice.UpdateActivityOptionsRequest_Id{Id: "op-1"},
			ActivityOptions: &activitypb.ActivityOptions{
				RetryPolicy:         &commonpb.RetryPolicy{InitialInterval: durationpb.New(200 * time.Millisecond)},
				StartToCloseTimeout: durationpb.New(30 * time.Second),
				TaskQueue:           &taskqueuepb.TaskQueue{Name: "ignored-not-in-mask"},
			},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"retry_policy.initial_interval", "startToCloseTimeout"}},
		})
		if err != nil {
			t.Fatalf("UpdateActivityOptions: %v", err)
		}
		o := resp.GetActivityOptions()
		if o.GetRetryPolicy().GetInitialInterval().AsDuration() != 200*time.Millisecond || o.GetStartToCloseTimeout().AsDuration() != 30*time.Second ||
			o.GetTaskQueue().GetName() == "ignored-not-in-mask" || o.GetRetryPolicy().GetMaximumAttempts() != 10 {
			t.Errorf("options after update: %v", o)
		}
		p = describeOpsActivity(t, c, run)
		if got := p.GetActivityOptions().GetStartToCloseTimeout().AsDuration(); got != 30*time.Second {
			t.Errorf("described start-to-close %v, want 30s", got)
		}
		if _, err := c.WorkflowService().UnpauseActivity(ctx, &workflowservice.UnpauseActivityRequest{
			Namespace: tg.Namespace, Execution: execOf(run), Activity: &workflowservice.UnpauseActivityRequest_UnpauseAll{UnpauseAll: true},
		}); err != nil {
			t.Fatalf("UnpauseActivity: %v", err)
		}
		var result string
		if err := run.Get(ctx, &result); err != nil {
			t.Fatalf("workflow: %v", err)
		}
		if !strings.HasPrefix(result, "attempt 2 call 2") {
			t.Errorf("result %q, want attempt 2", result)
		}
	})
}

// TestActivityOpsErrors: the status codes and texts of requests that name no
// activity, a missing one, or a closed run.
func TestActivityOpsErrors(t *testing.T) {
	t.Parallel()
	onBothServers(t, func(t *testing.T, tg target) {
		ctx := testContext(t, 60*time.Second)
		act := newOpsActivity(func(_, call int32) bool { return call > 1 })
		c, run := startOps(t, tg, act, 100*time.Millisecond)
		waitPending(t, c, run, "activity running", func(p *workflowpb.PendingActivityInfo) bool {
			return p.State == enumspb.PENDING_ACTIVITY_STATE_STARTED
		})
		svc := c.WorkflowService()
		_, err := svc.PauseActivity(ctx, &workflowservice.PauseActivityRequest{Namespace: tg.Namespace, Execution: execOf(run)})
		var invalid *serviceerror.InvalidArgument
		if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "Either Activity.Id or Activity.Type should be set on request.") {
			t.Errorf("no activity named: %v", err)
		}
		_, err = svc.PauseActivity(ctx, &workflowservice.PauseActivityRequest{
			Namespace: tg.Namespace, Execution: execOf(run), Activity: &workflowservice.PauseActivityRequest_Id{Id: "nope"},
		})
		var notFound *serviceerror.NotFound
		if !errors.As(err, &notFound) || !strings.Contains(err.Error(), "Can't find pending activity") {
			t.Errorf("missing activity: %v", err)
		}
		_, err = svc.ResetActivity(ctx, &workflowservice.ResetActivityRequest{
			Namespace: tg.Namespace, Execution: execOf(run), Activity: &workflowservice.ResetActivityRequest_Type{Type: "other"},
		})
		if !errors.As(err, &notFound) {
			t.Errorf("no activity of the type: %v", err)
		}
		_, err = svc.UpdateActivityOptions(ctx, &workflowservice.UpdateActivityOptionsRequest{
			Namespace: tg.Namespace, Execution: execOf(run), Activity: &workflowservice.UpdateActivityOptionsRequest_Id{Id: "op-1"},
			ActivityOptions: &activitypb.ActivityOptions{}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"schedule_to_close_timeout"}},
			RestoreOriginal: true,
		})
		if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "Both UpdateMask and RestoreOriginal are provided") {
			t.Errorf("mask with restore: %v", err)
		}
		if err := c.TerminateWorkflow(ctx, run.GetID(), run.GetRunID(), "done"); err != nil {
			t.Fatalf("terminating: %v", err)
		}
		_, err = svc.UnpauseActivity(ctx, &workflowservice.UnpauseActivityRequest{
			Namespace: tg.Namespace, Execution: execOf(run), Activity: &workflowservice.UnpauseActivityRequest_Id{Id: "op-1"},
		})
		if !errors.As(err, &notFound) {
			t.Errorf("closed run: %v", err)
		}
	})
}

// movingWorkflow schedules "ops" on a queue no worker polls.
func movingWorkflow(ctx workflow.Context, queue string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		ActivityID: "op-1", TaskQueue: queue, StartToCloseTimeout: time.Minute,
	})
	var out string
	err := workflow.ExecuteActivity(ctx, "ops").Get(ctx, &out)
	return out, err
}

// TestActivityUpdateOptionsMovesQueue: an activity waiting on a queue nobody
// polls runs once UpdateActivityOptions moves it to the worker's queue.
func TestActivityUpdateOptionsMovesQueue(t *testing.T) {
	t.Parallel()
	onBothServers(t, func(t *testing.T, tg target) {
		ctx := testContext(t, 60*time.Second)
		c := dial(t, tg)
		taskQueue := uniqueName(t, "tq")
		act := newOpsActivity(func(_, _ int32) bool { return true })
		startWorker(t, c, taskQueue, func(r worker.Registry) {
			r.RegisterWorkflowWithOptions(movingWorkflow, workflow.RegisterOptions{Name: "Moving"})
			r.RegisterActivityWithOptions(act.run, activity.RegisterOptions{Name: "ops"})
		})
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "wf"), TaskQueue: taskQueue}, "Moving", uniqueName(t, "nowhere"))
		if err != nil {
			t.Fatalf("starting workflow: %v", err)
		}
		waitPending(t, c, run, "activity scheduled", func(p *workflowpb.PendingActivityInfo) bool { return true })
		resp, err := c.WorkflowService().UpdateActivityOptions(ctx, &workflowservice.UpdateActivityOptionsRequest{
			Namespace: tg.Namespace, Execution: execOf(run), Activity: &workflowservice.UpdateActivityOptionsRequest_Id{Id: "op-1"},
			ActivityOptions: &activitypb.ActivityOptions{TaskQueue: &taskqueuepb.TaskQueue{Name: taskQueue}},
			UpdateMask:      &fieldmaskpb.FieldMask{Paths: []string{"task_queue.name"}},
		})
		if err != nil {
			t.Fatalf("UpdateActivityOptions: %v", err)
		}
		if got := resp.GetActivityOptions().GetTaskQueue().GetName(); got != taskQueue {
			t.Errorf("task queue after the update %q, want %q", got, taskQueue)
		}
		var result string
		if err := run.Get(ctx, &result); err != nil || !strings.HasPrefix(result, "attempt 1 call 1") {
			t.Fatalf("result %q, %v", result, err)
		}
	})
}
