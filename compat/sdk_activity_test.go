package compat

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	sdclient "github.com/sundialdev/sundial/client"
	sdworker "github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

// resumable fails its first two attempts after recording progress in a heartbeat; the
// third attempt resumes from the details the second one left.
func resumable(ctx context.Context, items int) (string, error) {
	info := activity.GetInfo(ctx)
	done := 0
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &done); err != nil {
			return "", err
		}
	}
	if info.Attempt < 3 {
		// The worker sends the latest details with the failure
		// (last_heartbeat_details), so nothing waits for the throttled heartbeat.
		activity.RecordHeartbeat(ctx, done+1)
		return "", fmt.Errorf("attempt %d failed after item %d", info.Attempt, done+1)
	}
	return fmt.Sprintf("attempt %d resumed after item %d of %d", info.Attempt, done, items), nil
}

var (
	resumableAct = activity.DefineNamed("SDKResumable", resumable)
	retryingDef  = workflow.DefineNamed("SDKRetrying", func(ctx workflow.Context, items int) (string, error) {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 10 * time.Second,
			HeartbeatTimeout:    5 * time.Second,
			RetryPolicy:         &sundial.RetryPolicy{InitialInterval: 100 * time.Millisecond, BackoffCoefficient: 2, MaximumAttempts: 3},
		})
		return workflow.ExecuteActivityFunc(ctx, resumableAct, items).Get(ctx)
	})
)

// Retries with heartbeat details carried into the next attempt.
func TestSDKActivityRetriesWithHeartbeatDetails(t *testing.T) {
	onBothServers(t, func(t *testing.T, tg target) {
		c := sdkDial(t, tg)
		queue := uniqueName(t, "retry")
		sdkStartWorker(t, c, queue, func(w *sdworker.Worker) error {
			return errors.Join(sdworker.RegisterWorkflowFunc(w, retryingDef), sdworker.RegisterActivityFunc(w, resumableAct))
		})
		ctx := testContext(t, 60*time.Second)
		run, err := sdclient.ExecuteWorkflowFunc(ctx, c, sdclient.StartWorkflowOptions{ID: uniqueName(t, "retry"), TaskQueue: queue}, retryingDef, 10)
		if err != nil {
			t.Fatal(err)
		}
		got, err := run.Result(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != "attempt 3 resumed after item 2 of 10" {
			t.Fatalf("result = %q", got)
		}
	})
}

// cancelProbe heartbeats until canceled and reports the reason it saw.
type cancelProbe struct {
	reasons chan activity.CancelReason
}

func (p *cancelProbe) SDKHeartbeatUntilCanceled(ctx context.Context) error {
	for {
		activity.RecordHeartbeat(ctx, "working")
		select {
		case <-ctx.Done():
			reason := activity.CancellationReason(ctx)
			p.reasons <- reason
			return sundial.NewCanceledError("stopped because " + reason.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

var cancelingDef = workflow.DefineNamed("SDKCanceling", func(ctx workflow.Context, _ string) (string, error) {
	actCtx, cancel := workflow.WithCancel(ctx)
	actCtx = workflow.WithActivityOptions(actCtx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		HeartbeatTimeout:    2 * time.Second,
		CancellationType:    workflow.ActivityCancelWaitCompleted,
	})
	f := workflow.ExecuteActivity(actCtx, "SDKHeartbeatUntilCanceled")
	if err := workflow.Sleep(ctx, 500*time.Millisecond); err != nil {
		return "", err
	}
	cancel()
	err := f.Get(ctx, nil)
	var canceled *sundial.CanceledError
	if !errors.As(err, &canceled) {
		return "", fmt.Errorf("canceled activity returned %v", err)
	}
	var detail string
	if canceled.HasDetails() {
		if err := canceled.Details(&detail); err != nil {
			return "", err
		}
	}
	return "activity canceled: " + detail, nil
})

// Cancellation of a heartbeating activity, waiting for the activity to acknowledge it;
// the activity learns the reason from its context.
func TestSDKActivityCancellationReason(t *testing.T) {
	onBothServers(t, func(t *testing.T, tg target) {
		c := sdkDial(t, tg)
		queue := uniqueName(t, "cancel")
		probe := &cancelProbe{reasons: make(chan activity.CancelReason, 1)}
		sdkStartWorker(t, c, queue, func(w *sdworker.Worker) error {
			return errors.Join(sdworker.RegisterWorkflowFunc(w, cancelingDef), w.RegisterActivity(probe))
		})
		ctx := testContext(t, 60*time.Second)
		run, err := sdclient.ExecuteWorkflowFunc(ctx, c, sdclient.StartWorkflowOptions{ID: uniqueName(t, "cancel"), TaskQueue: queue}, cancelingDef, "")
		if err != nil {
			t.Fatal(err)
		}
		got, err := run.Result(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != "activity canceled: stopped because cancel requested" {
			t.Fatalf("result = %q", got)
		}
		if reason := <-probe.reasons; reason != activity.CancelRequested {
			t.Fatalf("the activity saw reason %v", reason)
		}
	})
}

// asyncProbe hands its task token (and ids) to the test and leaves the activity open.
type asyncProbe struct {
	infos chan activity.Info
}

func (p *asyncProbe) SDKCompletedLater(ctx context.Context, n int) (int, error) {
	p.infos <- activity.GetInfo(ctx)
	return 0, sundial.ErrResultPending
}

var asyncDef = workflow.DefineNamed("SDKAsync", func(ctx workflow.Context, n int) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second})
	var byToken, byID int
	if err := workflow.ExecuteActivity(ctx, "SDKCompletedLater", n).Get(ctx, &byToken); err != nil {
		return "", err
	}
	err := workflow.ExecuteActivity(ctx, "SDKCompletedLater", n).Get(ctx, &byID)
	var appErr *sundial.ApplicationError
	if !errors.As(err, &appErr) {
		return "", fmt.Errorf("second activity returned %v", err)
	}
	return fmt.Sprintf("by token %d, by id failed with %s", byToken, appErr.Message()), nil
})

// Asynchronous completion by task token (after a heartbeat by token) and failure by
// workflow and activity id.
func TestSDKActivityAsyncCompletion(t *testing.T) {
	onBothServers(t, func(t *testing.T, tg target) {
		c := sdkDial(t, tg)
		queue := uniqueName(t, "async")
		probe := &asyncProbe{infos: make(chan activity.Info, 2)}
		sdkStartWorker(t, c, queue, func(w *sdworker.Worker) error {
			return errors.Join(sdworker.RegisterWorkflowFunc(w, asyncDef), w.RegisterActivity(probe))
		})
		ctx := testContext(t, 60*time.Second)
		run, err := sdclient.ExecuteWorkflowFunc(ctx, c, sdclient.StartWorkflowOptions{ID: uniqueName(t, "async"), TaskQueue: queue}, asyncDef, 4)
		if err != nil {
			t.Fatal(err)
		}
		first := <-probe.infos
		if err := c.RecordActivityHeartbeat(ctx, first.TaskToken, "still going"); err != nil {
			t.Fatal(err)
		}
		if err := c.CompleteActivity(ctx, first.TaskToken, 16, nil); err != nil {
			t.Fatal(err)
		}
		second := <-probe.infos
		if err := c.RecordActivityHeartbeatByID(ctx, tg.Namespace, second.WorkflowID, second.WorkflowRunID, second.ActivityID, "still going"); err != nil {
			t.Fatal(err)
		}
		failure := sundial.NewNonRetryableApplicationError("card declined", "Declined", nil)
		if err := c.CompleteActivityByID(ctx, tg.Namespace, second.WorkflowID, second.WorkflowRunID, second.ActivityID, nil, failure); err != nil {
			t.Fatal(err)
		}
		got, err := run.Result(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != "by token 16, by id failed with card declined" {
			t.Fatalf("result = %q", got)
		}
	})
}
