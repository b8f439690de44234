package compat

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/sundialdev/sundial/sundialtest"
)

const skipDay = 24 * time.Hour

// monthThenFlakyResult is what MonthThenFlaky reports, in workflow time.
type monthThenFlakyResult struct {
	Started    time.Time
	AfterSleep time.Time
	Finished   time.Time
	Attempts   int32
}

// FlakyHourActivity fails its first two attempts and succeeds on the third.
func FlakyHourActivity(ctx context.Context) (int32, error) {
	attempt := activity.GetInfo(ctx).Attempt
	if attempt < 3 {
		return 0, fmt.Errorf("attempt %d fails on purpose", attempt)
	}
	return attempt, nil
}

// MonthThenFlaky sleeps 30 days, then runs FlakyHourActivity with a one-hour
// start-to-close timeout and one-hour retry intervals.
func MonthThenFlaky(ctx workflow.Context) (monthThenFlakyResult, error) {
	res := monthThenFlakyResult{Started: workflow.Now(ctx)}
	if err := workflow.Sleep(ctx, 30*skipDay); err != nil {
		return res, err
	}
	res.AfterSleep = workflow.Now(ctx)
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Hour,
			BackoffCoefficient: 1,
			MaximumAttempts:    5,
		},
	})
	if err := workflow.ExecuteActivity(ctx, FlakyHourActivity).Get(ctx, &res.Attempts); err != nil {
		return res, err
	}
	res.Finished = workflow.Now(ctx)
	return res, nil
}

// runMonthThenFlaky runs MonthThenFlaky with the official Go SDK against a
// Sundial environment and checks its workflow times.
func runMonthThenFlaky(t *testing.T, skipping bool) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: skipping})
	c := dial(t, target{HostPort: env.HostPort(), Namespace: env.Namespace()})
	taskQueue := uniqueName(t, "skip")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflow(MonthThenFlaky)
		r.RegisterActivity(FlakyHourActivity)
	})
	ctx := testContext(t, time.Minute)

	wallStart := time.Now()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: taskQueue}, MonthThenFlaky)
	if err != nil {
		t.Fatalf("starting: %v", err)
	}
	var res monthThenFlakyResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatalf("MonthThenFlaky failed: %v", err)
	}
	elapsed := time.Since(wallStart)
	t.Logf("30 days and two hour-long retries took %v of wall time", elapsed)
	if skipping && elapsed > 2*time.Second {
		t.Errorf("took %v of wall time, want under 2s", elapsed)
	}
	if slept := res.AfterSleep.Sub(res.Started); slept < 30*skipDay || slept > 30*skipDay+time.Minute {
		t.Errorf("workflow.Now moved %v across a 30-day sleep", slept)
	}
	if retried := res.Finished.Sub(res.AfterSleep); retried < 2*time.Hour || retried > 2*time.Hour+time.Minute {
		t.Errorf("workflow.Now moved %v across two one-hour retry intervals", retried)
	}
	if res.Attempts != 3 {
		t.Errorf("activity succeeded on attempt %d, want 3", res.Attempts)
	}
	if skipping {
		if now := env.Now(); now.Before(res.Finished) {
			t.Errorf("env.Now() = %v, before the workflow's finish at %v", now, res.Finished)
		}
	}
}

func TestTimeSkippingMonthSleepAndHourlyRetries(t *testing.T) {
	runMonthThenFlaky(t, true)
}

func TestWithoutTimeSkippingMonthSleepAndHourlyRetries(t *testing.T) {
	t.Skip("by design: without time skipping this takes 30 days and 2 hours of wall time")
	runMonthThenFlaky(t, false)
}

// SilentActivity never heartbeats and waits to be cancelled.
func SilentActivity(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// HeartbeatAfterTenDays sleeps ten days, then runs SilentActivity with a
// one-second heartbeat timeout and no retries; it returns when that timed out.
func HeartbeatAfterTenDays(ctx workflow.Context) (time.Time, error) {
	if err := workflow.Sleep(ctx, 10*skipDay); err != nil {
		return time.Time{}, err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		HeartbeatTimeout:    time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	err := workflow.ExecuteActivity(ctx, SilentActivity).Get(ctx, nil)
	var timeoutErr *temporal.TimeoutError
	if !errors.As(err, &timeoutErr) || timeoutErr.TimeoutType() != enumspb.TIMEOUT_TYPE_HEARTBEAT {
		return time.Time{}, fmt.Errorf("activity ended with %v, want a heartbeat timeout", err)
	}
	return workflow.Now(ctx), nil
}

// TestTimeSkippingHeartbeatTimeoutOnVirtualClock checks that a heartbeat timeout
// is measured on the skipping clock: a running activity holds time still, so the
// timeout takes its one second of wall time, and it fires one second after the
// skipped ten days, not ten days early.
func TestTimeSkippingHeartbeatTimeoutOnVirtualClock(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: true})
	c := dial(t, target{HostPort: env.HostPort(), Namespace: env.Namespace()})
	taskQueue := uniqueName(t, "skip")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflow(HeartbeatAfterTenDays)
		r.RegisterActivity(SilentActivity)
	})
	ctx := testContext(t, time.Minute)
	started := env.Now()
	wallStart := time.Now()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: taskQueue}, HeartbeatAfterTenDays)
	if err != nil {
		t.Fatalf("starting: %v", err)
	}
	var timedOutAt time.Time
	if err := run.Get(ctx, &timedOutAt); err != nil {
		t.Fatalf("HeartbeatAfterTenDays failed: %v", err)
	}
	if elapsed := time.Since(wallStart); elapsed > 10*time.Second {
		t.Errorf("took %v of wall time", elapsed)
	}
	if d := timedOutAt.Sub(started); d < 10*skipDay+time.Second || d > 10*skipDay+time.Minute {
		t.Errorf("heartbeat timeout observed %v after the start, want just over ten days", d)
	}
	events := fetchHistory(t, c, run.GetID(), run.GetRunID())
	timedOut := eventsOfType(events, enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT)
	if len(timedOut) != 1 {
		t.Fatalf("history has %d ActivityTaskTimedOut events, want 1", len(timedOut))
	}
	if at := timedOut[0].GetEventTime().AsTime(); at.Sub(started) < 10*skipDay {
		t.Errorf("ActivityTaskTimedOut at %v, before the ten days skipped from %v", at, started)
	}
}

// MonthLongSleeper sleeps 30 days.
func MonthLongSleeper(ctx workflow.Context) error {
	return workflow.Sleep(ctx, 30*skipDay)
}

func TestTimeSkippingWorkflowRunTimeout(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: true})
	c := dial(t, target{HostPort: env.HostPort(), Namespace: env.Namespace()})
	taskQueue := uniqueName(t, "skip")
	startWorker(t, c, taskQueue, func(r worker.Registry) { r.RegisterWorkflow(MonthLongSleeper) })
	ctx := testContext(t, time.Minute)
	started := env.Now()
	wallStart := time.Now()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: taskQueue, WorkflowRunTimeout: 7 * skipDay}, MonthLongSleeper)
	if err != nil {
		t.Fatalf("starting: %v", err)
	}
	err = run.Get(ctx, nil)
	var timeoutErr *temporal.TimeoutError
	if !errors.As(err, &timeoutErr) {
		t.Fatalf("Get = %v, want a workflow timeout", err)
	}
	if elapsed := time.Since(wallStart); elapsed > 5*time.Second {
		t.Errorf("a seven-day run timeout took %v of wall time", elapsed)
	}
	events := fetchHistory(t, c, run.GetID(), run.GetRunID())
	closing := events[len(events)-1]
	if closing.GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT {
		t.Fatalf("last event %v, want WorkflowExecutionTimedOut", closing.GetEventType())
	}
	if d := closing.GetEventTime().AsTime().Sub(started); d < 7*skipDay || d > 7*skipDay+time.Minute {
		t.Errorf("run timed out %v after the start, want seven days", d)
	}
}
