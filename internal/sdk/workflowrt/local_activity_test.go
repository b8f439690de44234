package workflowrt_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/workflow"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
)

// localRunner is a LocalActivityExecutor that doubles numbers,
// failing the first failFirst attempts.
type localRunner struct {
	calls     atomic.Int32
	failFirst int32
}

func (l *localRunner) ExecuteLocalActivity(ctx context.Context, req workflowrt.LocalActivityRequest) (*commonpb.Payloads, error) {
	l.calls.Add(1)
	if req.ActivityType != "Double" {
		return nil, sundial.NewNonRetryableApplicationError("unknown activity "+req.ActivityType, "NotFound", nil)
	}
	if req.Attempt <= l.failFirst {
		return nil, errors.New("flaky")
	}
	var n int
	dc := converter.GetDefaultDataConverter()
	if err := dc.FromPayloads(req.Input, &n); err != nil {
		return nil, err
	}
	return dc.ToPayloads(2 * n)
}

func localWorkflow(ctx workflow.Context, n int) (int, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: time.Second,
		RetryPolicy:         &sundial.RetryPolicy{InitialInterval: time.Millisecond, MaximumAttempts: 3},
	})
	var doubled int
	if err := workflow.ExecuteLocalActivity(ctx, "Double", n).Get(ctx, &doubled); err != nil {
		return 0, err
	}
	if err := workflow.Sleep(ctx, time.Minute); err != nil {
		return 0, err
	}
	var again int
	if err := workflow.ExecuteLocalActivity(ctx, "Double", doubled).Get(ctx, &again); err != nil {
		return 0, err
	}
	return again, nil
}

func newLocalHarness(t *testing.T, runner *localRunner, cacheSize int, args ...any) *harness {
	x := newHarness(t, localWorkflow, cacheSize, args...)
	x.handler.Close()
	x.handler = workflowrt.NewTaskHandler(x.reg, workflowrt.TaskHandlerOptions{
		Namespace: "default", CacheSize: cacheSize, StickyTaskQueue: "sticky-tq", NormalTaskQueue: "tq", LocalActivities: runner,
	})
	t.Cleanup(x.handler.Close)
	return x
}

func TestLocalActivitiesRunOnceAndReplayFromMarkers(t *testing.T) {
	cacheModes(t, func(t *testing.T, cacheSize int) {
		runner := &localRunner{failFirst: 1}
		x := newLocalHarness(t, runner, cacheSize, 5)
		commands := x.step()
		requireTypes(t, commands, enumspb.COMMAND_TYPE_RECORD_MARKER, enumspb.COMMAND_TYPE_START_TIMER)
		marker := commands[0].GetRecordMarkerCommandAttributes()
		if marker.GetMarkerName() != "LocalActivity" || decode[int](t, marker.GetDetails()["result"]) != 10 {
			t.Fatalf("marker = %v", marker)
		}
		if id := commands[1].GetStartTimerCommandAttributes().GetTimerId(); id != "6" {
			t.Fatalf("timer id = %s, want 6 (after the marker)", id)
		}
		if n := runner.calls.Load(); n != 2 {
			t.Fatalf("local activity ran %d times, want 2 (one retry)", n)
		}
		x.hist.TimerFired("6")
		commands = x.step()
		requireTypes(t, commands, enumspb.COMMAND_TYPE_RECORD_MARKER, enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION)
		if got := completedResult[int](t, commands[1]); got != 20 {
			t.Fatalf("result = %d, want 20", got)
		}
		if n := runner.calls.Load(); n != 4 {
			t.Fatalf("local activity ran %d times in total, want 4: replay must not run it again", n)
		}
		reg := workflowrt.NewRegistry()
		if err := reg.RegisterWorkflow(localWorkflow, workflowrt.RegisterOptions{Name: "wf"}); err != nil {
			t.Fatal(err)
		}
		if err := workflowrt.ReplayWorkflowHistory(reg, x.hist.History(), workflowrt.ReplayOptions{}); err != nil {
			t.Fatalf("replaying: %v", err)
		}
		if n := runner.calls.Load(); n != 4 {
			t.Fatal("the replayer ran a local activity")
		}
	})
}

func TestLocalActivityFailureIsRecorded(t *testing.T) {
	wf := func(ctx workflow.Context) error {
		ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: time.Second})
		return workflow.ExecuteLocalActivity(ctx, "Missing").Get(ctx, nil)
	}
	runner := &localRunner{}
	x := newHarness(t, wf, 0)
	x.handler = workflowrt.NewTaskHandler(x.reg, workflowrt.TaskHandlerOptions{Namespace: "default", LocalActivities: runner})
	t.Cleanup(x.handler.Close)
	commands := x.step()
	requireTypes(t, commands, enumspb.COMMAND_TYPE_RECORD_MARKER, enumspb.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION)
	if commands[0].GetRecordMarkerCommandAttributes().GetFailure().GetApplicationFailureInfo().GetType() != "NotFound" {
		t.Fatalf("marker failure = %v", commands[0].GetRecordMarkerCommandAttributes().GetFailure())
	}
	if runner.calls.Load() != 1 {
		t.Fatalf("a non-retryable failure was retried: %d calls", runner.calls.Load())
	}
	failure := commands[1].GetFailWorkflowExecutionCommandAttributes().GetFailure()
	if failure.GetActivityFailureInfo().GetActivityType().GetName() != "Missing" {
		t.Fatalf("workflow failure = %v, want an activity failure for Missing", failure)
	}
}
