package main

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// The workflows and activities of the scenarios, written with the official Go SDK.
// The same code runs against both servers.

// activityTimeout bounds every activity attempt the scenarios schedule.
const activityTimeout = 30 * time.Second

func withActivityOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: activityTimeout})
}

// OneActivity runs one Echo activity and returns its result.
func OneActivity(ctx workflow.Context, input string) (string, error) {
	var out string
	err := workflow.ExecuteActivity(withActivityOptions(ctx), "Echo", input).Get(ctx, &out)
	return out, err
}

// ActivityChain runs n Echo activities one after another.
func ActivityChain(ctx workflow.Context, n int) (int, error) {
	ctx = withActivityOptions(ctx)
	for i := range n {
		if err := workflow.ExecuteActivity(ctx, "Echo", fmt.Sprint(i)).Get(ctx, nil); err != nil {
			return i, err
		}
	}
	return n, nil
}

// ActivityFanOut schedules n Echo activities at once and waits for all of them.
func ActivityFanOut(ctx workflow.Context, n int) (int, error) {
	ctx = withActivityOptions(ctx)
	futures := make([]workflow.Future, n)
	for i := range n {
		futures[i] = workflow.ExecuteActivity(ctx, "Echo", fmt.Sprint(i))
	}
	for i, f := range futures {
		if err := f.Get(ctx, nil); err != nil {
			return i, err
		}
	}
	return n, nil
}

// RetriedActivity runs FailTwice with a 10 ms fixed backoff and returns the attempt
// that succeeded (3).
func RetriedActivity(ctx workflow.Context) (int32, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: activityTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    10 * time.Millisecond,
			BackoffCoefficient: 1,
			MaximumAttempts:    5,
		},
	})
	var attempt int32
	err := workflow.ExecuteActivity(ctx, "FailTwice").Get(ctx, &attempt)
	return attempt, err
}

// HeartbeatingActivity runs one Heartbeat activity that heartbeats n times.
func HeartbeatingActivity(ctx workflow.Context, n int) (int, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		HeartbeatTimeout:    30 * time.Second,
	})
	var sent int
	err := workflow.ExecuteActivity(ctx, "Heartbeat", n).Get(ctx, &sent)
	return sent, err
}

// TimerLag sleeps for d and returns how late the workflow saw the timer fire:
// workflow.Now after the timer minus (workflow.Now when the timer was started + d).
// workflow.Now is the server's time of the workflow task that is running, so the lag
// covers the timer firing late plus the server scheduling and dispatching the
// workflow task that reports it.
func TimerLag(ctx workflow.Context, d time.Duration) (time.Duration, error) {
	before := workflow.Now(ctx)
	if err := workflow.Sleep(ctx, d); err != nil {
		return 0, err
	}
	return workflow.Now(ctx).Sub(before) - d, nil
}

// SignalCounter counts "ping" signals until it is told to stop with a "stop" signal.
func SignalCounter(ctx workflow.Context) (int, error) {
	pings := workflow.GetSignalChannel(ctx, "ping")
	stop := workflow.GetSignalChannel(ctx, "stop")
	count, stopped := 0, false
	for !stopped {
		selector := workflow.NewSelector(ctx)
		selector.AddReceive(pings, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, nil)
			count++
		})
		selector.AddReceive(stop, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, nil)
			stopped = true
		})
		selector.Select(ctx)
	}
	return count, nil
}

// activities are the official-SDK activities. The recorder lets Heartbeat wait for
// each heartbeat to reach the server.
type activities struct {
	rpcs *rpcRecorder
}

// Echo returns its input.
func (a *activities) Echo(_ context.Context, input string) (string, error) {
	return input, nil
}

// FailTwice fails its first two attempts and returns the attempt number after that.
func (a *activities) FailTwice(ctx context.Context) (int32, error) {
	attempt := activity.GetInfo(ctx).Attempt
	if attempt < 3 {
		return 0, temporal.NewApplicationError(fmt.Sprintf("planned failure of attempt %d", attempt), "PlannedFailure")
	}
	return attempt, nil
}

// Heartbeat records n heartbeats, each waiting until its RecordActivityTaskHeartbeat
// call has returned, so the SDK's throttling cannot fold them together: n
// heartbeats reach the server. Only one Heartbeat activity may run at a time.
func (a *activities) Heartbeat(ctx context.Context, n int) (int, error) {
	const method = "RecordActivityTaskHeartbeat"
	for i := range n {
		before := a.rpcs.count(method)
		activity.RecordHeartbeat(ctx, i)
		if err := a.rpcs.waitForCount(ctx, method, before+1); err != nil {
			return i, fmt.Errorf("waiting for heartbeat %d to reach the server: %w", i, err)
		}
	}
	return n, nil
}

// registerLoad registers every workflow and activity above on w.
func registerLoad(w worker.Registry, rpcs *rpcRecorder) {
	for _, wf := range []any{OneActivity, ActivityChain, ActivityFanOut, RetriedActivity,
		HeartbeatingActivity, TimerLag, SignalCounter} {
		w.RegisterWorkflow(wf)
	}
	w.RegisterActivity(&activities{rpcs: rpcs})
}

// SundialEcho is the activity Sundial's own worker runs in the Sundial-SDK scenario.
func SundialEcho(_ context.Context, input string) (string, error) {
	return input, nil
}
