package compat

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	sdclient "github.com/sundialdev/sundial/client"
	sdworker "github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

// flakyDef fails its first attempt; the workflow retry policy runs it again.
var flakyDef = workflow.DefineNamed("SDKFlaky", func(ctx workflow.Context, _ string) (string, error) {
	info := workflow.GetInfo(ctx)
	if info.Attempt == 1 {
		return "", sundial.NewApplicationError("first attempt fails", "Flaky")
	}
	return fmt.Sprintf("attempt %d, continued from a run: %v", info.Attempt, info.ContinuedRunID != ""), nil
})

// Workflow retries, id reuse and id conflict policies through Sundial's client.
func TestSDKWorkflowRetryAndIDPolicies(t *testing.T) {
	onBothServers(t, func(t *testing.T, tg target) {
		c := sdkDial(t, tg)
		queue := uniqueName(t, "policies")
		sdkStartWorker(t, c, queue, func(w *sdworker.Worker) error {
			return errors.Join(sdworker.RegisterWorkflowFunc(w, flakyDef), sdworker.RegisterWorkflowFunc(w, ledgerDef))
		})
		ctx := testContext(t, 60*time.Second)

		retried, err := sdclient.ExecuteWorkflowFunc(ctx, c, sdclient.StartWorkflowOptions{
			ID: uniqueName(t, "flaky"), TaskQueue: queue,
			RetryPolicy: &sundial.RetryPolicy{InitialInterval: 100 * time.Millisecond, MaximumAttempts: 3},
		}, flakyDef, "")
		if err != nil {
			t.Fatal(err)
		}
		got, err := retried.Result(ctx) // follows the retry's new run
		if err != nil {
			t.Fatal(err)
		}
		if got != "attempt 2, continued from a run: true" {
			t.Fatalf("retried workflow = %q", got)
		}

		// REJECT_DUPLICATE refuses an id whose run has closed: the call returns that
		// run, or the server's error when asked for it.
		reject := sdclient.StartWorkflowOptions{
			ID: retried.GetID(), TaskQueue: queue, WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		}
		last, err := sdclient.ExecuteWorkflowFunc(ctx, c, reject, flakyDef, "")
		if err != nil {
			t.Fatal(err)
		}
		if again, err := last.Result(ctx); err != nil || again != got || last.GetRunID() == retried.GetRunID() {
			t.Fatalf("handle to the closed id: run %s (first run %s), result %q, %v", last.GetRunID(), retried.GetRunID(), again, err)
		}
		reject.WorkflowExecutionErrorWhenAlreadyStarted = true
		_, err = sdclient.ExecuteWorkflowFunc(ctx, c, reject, flakyDef, "")
		var already *serviceerror.WorkflowExecutionAlreadyStarted
		if !errors.As(err, &already) {
			t.Fatalf("reusing a closed id with REJECT_DUPLICATE: %v", err)
		}

		// A running id: USE_EXISTING returns its run; FAIL (the default) returns it
		// too unless asked to report the error.
		id := uniqueName(t, "open")
		open, err := sdclient.ExecuteWorkflowFunc(ctx, c, sdclient.StartWorkflowOptions{ID: id, TaskQueue: queue}, ledgerDef, "eve")
		if err != nil {
			t.Fatal(err)
		}
		existing, err := sdclient.ExecuteWorkflowFunc(ctx, c, sdclient.StartWorkflowOptions{
			ID: id, TaskQueue: queue, WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		}, ledgerDef, "eve")
		if err != nil || existing.GetRunID() != open.GetRunID() {
			t.Fatalf("USE_EXISTING: run %q, %v; want %q", existing.GetRunID(), err, open.GetRunID())
		}
		_, err = sdclient.ExecuteWorkflowFunc(ctx, c, sdclient.StartWorkflowOptions{
			ID: id, TaskQueue: queue, WorkflowExecutionErrorWhenAlreadyStarted: true,
		}, ledgerDef, "eve")
		if !errors.As(err, &already) {
			t.Fatalf("starting a running id with WorkflowExecutionErrorWhenAlreadyStarted: %v", err)
		}
		if err := open.Terminate(ctx, "test over"); err != nil {
			t.Fatal(err)
		}
	})
}

// blocker runs until canceled, heartbeating, and counts how it ended.
type blocker struct {
	ended chan activity.CancelReason
}

func (b *blocker) SDKBlock(ctx context.Context) error {
	for {
		activity.RecordHeartbeat(ctx)
		select {
		case <-ctx.Done():
			b.ended <- activity.CancellationReason(ctx)
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

var cancelTypesDef = workflow.DefineNamed("SDKCancelTypes", func(ctx workflow.Context, cancelType workflow.ActivityCancellationType) (string, error) {
	actCtx, cancel := workflow.WithCancel(ctx)
	actCtx = workflow.WithActivityOptions(actCtx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Second,
		HeartbeatTimeout:    time.Second,
		CancellationType:    cancelType,
		ActivityID:          "the-blocker",
		RetryPolicy:         &sundial.RetryPolicy{MaximumAttempts: 1},
	})
	f := workflow.ExecuteActivity(actCtx, "SDKBlock")
	if err := workflow.Sleep(ctx, 300*time.Millisecond); err != nil {
		return "", err
	}
	cancel()
	err := f.Get(ctx, nil)
	var canceled *sundial.CanceledError
	if !errors.As(err, &canceled) {
		return "", fmt.Errorf("canceled activity returned %v", err)
	}
	// Close only when the test says so: after a TRY_CANCEL activity has seen
	// the request (closing first would answer its heartbeat NotFound instead).
	workflow.GetSignalChannel(ctx, "finish").Receive(ctx, nil)
	return "canceled", nil
})

// TRY_CANCEL resolves the future at once and asks the server to cancel the activity;
// ABANDON resolves it without telling the server.
func TestSDKActivityCancellationTypes(t *testing.T) {
	onBothServers(t, func(t *testing.T, tg target) {
		c := sdkDial(t, tg)
		queue := uniqueName(t, "cancel-types")
		b := &blocker{ended: make(chan activity.CancelReason, 4)}
		sdkStartWorker(t, c, queue, func(w *sdworker.Worker) error {
			return errors.Join(sdworker.RegisterWorkflowFunc(w, cancelTypesDef), w.RegisterActivity(b))
		})
		ctx := testContext(t, 60*time.Second)
		for _, tc := range []struct {
			cancelType          workflow.ActivityCancellationType
			wantCancelRequested bool
		}{
			{workflow.ActivityCancelTry, true},
			{workflow.ActivityCancelAbandon, false},
		} {
			run, err := sdclient.ExecuteWorkflowFunc(ctx, c, sdclient.StartWorkflowOptions{ID: uniqueName(t, "cancel-type"), TaskQueue: queue}, cancelTypesDef, tc.cancelType)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantCancelRequested {
				// The running attempt learns of the request at its next heartbeat.
				select {
				case reason := <-b.ended:
					if reason != activity.CancelRequested {
						t.Fatalf("TRY_CANCEL: the activity saw %v", reason)
					}
				case <-ctx.Done():
					t.Fatal("TRY_CANCEL: the activity never saw the cancellation")
				}
			}
			if err := c.SignalWorkflow(ctx, run.GetID(), run.GetRunID(), "finish", nil); err != nil {
				t.Fatal(err)
			}
			if got, err := run.Result(ctx); err != nil || got != "canceled" {
				t.Fatalf("cancellation type %v: %q, %v", tc.cancelType, got, err)
			}
			requested := false
			for _, e := range sdkHistory(t, ctx, c, run.GetID(), run.GetRunID()) {
				switch e.GetEventType() {
				case evActivityCancelRequested:
					requested = true
				case evActivityScheduled:
					if id := e.GetActivityTaskScheduledEventAttributes().GetActivityId(); id != "the-blocker" {
						t.Fatalf("activity id = %q", id)
					}
				}
			}
			if requested != tc.wantCancelRequested {
				t.Fatalf("cancellation type %v: ActivityTaskCancelRequested recorded = %v", tc.cancelType, requested)
			}
		}
	})
}
