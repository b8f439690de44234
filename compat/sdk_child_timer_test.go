package compat

import (
	"errors"
	"fmt"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sundialdev/sundial"
	sdclient "github.com/sundialdev/sundial/client"
	sdworker "github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

var (
	childDef  = workflow.DefineNamed("SDKChild", sdkChild)
	parentDef = workflow.DefineNamed("SDKParent", sdkParent)
	timersDef = workflow.DefineNamed("SDKTimers", sdkTimers)
)

func sdkChild(ctx workflow.Context, n int) (int, error) {
	if n < 0 {
		return 0, sundial.NewApplicationError("negative input", "BadInput")
	}
	return n * n, nil
}

// sdkParent runs a child that succeeds and one that fails.
func sdkParent(ctx workflow.Context, n int) (string, error) {
	ctx = workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowRunTimeout: time.Minute,
		ParentClosePolicy:  enumspb.PARENT_CLOSE_POLICY_ABANDON,
	})
	square, err := workflow.ExecuteChildWorkflowFunc(ctx, childDef, n).Get(ctx)
	if err != nil {
		return "", err
	}
	_, err = workflow.ExecuteChildWorkflowFunc(ctx, childDef, -1).Get(ctx)
	var childErr *sundial.ChildWorkflowError
	var appErr *sundial.ApplicationError
	if !errors.As(err, &childErr) || !errors.As(err, &appErr) || appErr.Type() != "BadInput" {
		return "", fmt.Errorf("the failing child returned %v", err)
	}
	return fmt.Sprintf("square %d, then %s", square, appErr.Type()), nil
}

// sdkTimers sleeps, cancels a long timer, and times out an await; it reports the
// workflow time that passed.
func sdkTimers(ctx workflow.Context, label string) (string, error) {
	start := workflow.Now(ctx)
	if err := workflow.Sleep(ctx, 300*time.Millisecond); err != nil {
		return "", err
	}
	timerCtx, cancel := workflow.WithCancel(ctx)
	long := workflow.NewTimer(timerCtx, time.Hour)
	cancel()
	var canceled *sundial.CanceledError
	if err := long.Get(ctx, nil); !errors.As(err, &canceled) {
		return "", fmt.Errorf("canceled timer returned %v", err)
	}
	ok, err := workflow.AwaitWithTimeout(ctx, 200*time.Millisecond, func() bool { return false })
	if err != nil || ok {
		return "", fmt.Errorf("await returned %v, %v", ok, err)
	}
	elapsed := workflow.Now(ctx).Sub(start)
	if elapsed < 500*time.Millisecond {
		return "", fmt.Errorf("only %v of workflow time passed", elapsed)
	}
	return label + " done", nil
}

func TestSDKChildWorkflows(t *testing.T) {
	onBothServers(t, func(t *testing.T, tg target) {
		c := sdkDial(t, tg)
		queue := uniqueName(t, "children")
		sdkStartWorker(t, c, queue, func(w *sdworker.Worker) error {
			return errors.Join(sdworker.RegisterWorkflowFunc(w, parentDef), sdworker.RegisterWorkflowFunc(w, childDef))
		})
		ctx := testContext(t, 60*time.Second)
		run, err := sdclient.ExecuteWorkflowFunc(ctx, c, sdclient.StartWorkflowOptions{ID: uniqueName(t, "parent"), TaskQueue: queue}, parentDef, 7)
		if err != nil {
			t.Fatal(err)
		}
		got, err := run.Result(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != "square 49, then BadInput" {
			t.Fatalf("result = %q", got)
		}
		var started, completed, failed int
		for _, e := range sdkHistory(t, ctx, c, run.GetID(), run.GetRunID()) {
			switch e.GetEventType() {
			case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
				started++
			case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
				completed++
			case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
				failed++
			}
		}
		if started != 2 || completed != 1 || failed != 1 {
			t.Fatalf("children: %d started, %d completed, %d failed", started, completed, failed)
		}
	})
}

func TestSDKTimers(t *testing.T) {
	onBothServers(t, func(t *testing.T, tg target) {
		c := sdkDial(t, tg)
		queue := uniqueName(t, "timers")
		sdkStartWorker(t, c, queue, func(w *sdworker.Worker) error { return sdworker.RegisterWorkflowFunc(w, timersDef) })
		ctx := testContext(t, 60*time.Second)
		// The untyped by-name call, as a workflow in another language would be started.
		run, err := c.ExecuteWorkflow(ctx, sdclient.StartWorkflowOptions{ID: uniqueName(t, "timers"), TaskQueue: queue}, "SDKTimers", "timers")
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if err := run.Get(ctx, &got); err != nil {
			t.Fatal(err)
		}
		if got != "timers done" {
			t.Fatalf("result = %q", got)
		}
		counts := map[enumspb.EventType]int{}
		for _, e := range sdkHistory(t, ctx, c, run.GetID(), run.GetRunID()) {
			counts[e.GetEventType()]++
		}
		if counts[evTimerStarted] != 3 || counts[evTimerFired] != 2 || counts[evTimerCanceled] != 1 {
			t.Fatalf("timer events: %d started, %d fired, %d canceled", counts[evTimerStarted], counts[evTimerFired], counts[evTimerCanceled])
		}
	})
}
