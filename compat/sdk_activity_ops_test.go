package compat

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	sdclient "github.com/sundialdev/sundial/client"
	sdworker "github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

// opsProbe heartbeats until its context ends on its first call and reports the
// cancellation reason it saw; later calls complete with their attempt number.
type opsProbe struct {
	calls   atomic.Int32
	reasons chan activity.CancelReason
}

func (p *opsProbe) SDKOpsProbe(ctx context.Context) (string, error) {
	if call := p.calls.Add(1); call > 1 {
		return fmt.Sprintf("attempt %d", activity.GetInfo(ctx).Attempt), nil
	}
	for {
		activity.RecordHeartbeat(ctx, "working")
		select {
		case <-ctx.Done():
			p.reasons <- activity.CancellationReason(ctx)
			return "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

var opsProbeDef = workflow.DefineNamed("SDKOpsProbe", func(ctx workflow.Context, _ string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		ActivityID:          "probe",
		StartToCloseTimeout: time.Minute,
		HeartbeatTimeout:    10 * time.Second,
		RetryPolicy:         &sundial.RetryPolicy{InitialInterval: time.Hour, MaximumAttempts: 5},
	})
	var out string
	err := workflow.ExecuteActivity(ctx, "SDKOpsProbe").Get(ctx, &out)
	return out, err
})

// Sundial's client pauses and resets a running activity, updates its retry
// policy and unpauses it, or resets it again while it waits; the activity's
// CancellationReason reports Paused and Reset, from Sundial's server and from
// Temporal's.
func TestSDKActivityPauseResetReasons(t *testing.T) {
	for _, op := range []string{"pause", "reset"} {
		t.Run(op, func(t *testing.T) {
			onBothServers(t, func(t *testing.T, tg target) {
				c := sdkDial(t, tg)
				queue := uniqueName(t, "ops")
				probe := &opsProbe{reasons: make(chan activity.CancelReason, 1)}
				sdkStartWorker(t, c, queue, func(w *sdworker.Worker) error {
					return errors.Join(sdworker.RegisterWorkflowFunc(w, opsProbeDef), w.RegisterActivity(probe))
				})
				ctx := testContext(t, 60*time.Second)
				run, err := sdclient.ExecuteWorkflowFunc(ctx, c, sdclient.StartWorkflowOptions{ID: uniqueName(t, "ops"), TaskQueue: queue}, opsProbeDef, "")
				if err != nil {
					t.Fatal(err)
				}
				target := sdclient.ActivityTarget{WorkflowID: run.GetID(), ActivityID: "probe"}
				eventually(t, 20*time.Second, "activity heartbeating", func() bool {
					d, err := c.DescribeWorkflowExecution(ctx, run.GetID(), "")
					return err == nil && len(d.PendingActivities) == 1 && d.PendingActivities[0].HeartbeatDetails != nil
				})
				want := activity.Paused
				if op == "pause" {
					err = c.PauseActivity(ctx, target, sdclient.PauseActivityOptions{Reason: "probe"})
				} else {
					want = activity.Reset
					err = c.ResetActivity(ctx, target, sdclient.ResetActivityOptions{})
				}
				if err != nil {
					t.Fatal(err)
				}
				select {
				case got := <-probe.reasons:
					if got != want {
						t.Fatalf("CancellationReason = %v, want %v", got, want)
					}
				case <-ctx.Done():
					t.Fatal("the activity was not cancelled")
				}
				// The failed attempt now waits an hour (or, paused, for ever).
				eventually(t, 20*time.Second, "attempt failed", func() bool {
					d, err := c.DescribeWorkflowExecution(ctx, run.GetID(), "")
					return err == nil && len(d.PendingActivities) == 1 && d.PendingActivities[0].LastFailure != nil
				})
				if op == "reset" {
					// Resetting a waiting activity schedules it at once.
					if err := c.ResetActivity(ctx, target, sdclient.ResetActivityOptions{}); err != nil {
						t.Fatal(err)
					}
					got, err := run.Result(ctx)
					if err != nil || got != "attempt 1" {
						t.Fatalf("result %q, %v; want attempt 1", got, err)
					}
					return
				}
				// A short retry interval lets the paused one run again once unpaused.
				opts, err := c.UpdateActivityOptions(ctx, target, sdclient.ActivityOptionsUpdate{
					RetryPolicy: &sundial.RetryPolicy{InitialInterval: 100 * time.Millisecond, MaximumAttempts: 5},
				})
				if err != nil {
					t.Fatal(err)
				}
				if opts.RetryPolicy.InitialInterval != 100*time.Millisecond {
					t.Errorf("options after the update: %+v", opts.RetryPolicy)
				}
				if err := c.UnpauseActivity(ctx, target, sdclient.UnpauseActivityOptions{}); err != nil {
					t.Fatal(err)
				}
				got, err := run.Result(ctx)
				if err != nil || got != "attempt 2" {
					t.Fatalf("result %q, %v; want attempt 2", got, err)
				}
			})
		})
	}
}
