package workflowrt_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt/historytest"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
)

func TestTimersFireAndCancel(t *testing.T) {
	cacheModes(t, func(t *testing.T, cacheSize int) {
		wf := func(ctx workflow.Context) (string, error) {
			start := workflow.Now(ctx)
			longCtx, cancelLong := workflow.WithCancel(ctx)
			long := workflow.NewTimer(longCtx, time.Hour)
			if err := workflow.Sleep(ctx, time.Minute); err != nil {
				return "", err
			}
			cancelLong()
			err := long.Get(ctx, nil)
			var canceled *sundial.CanceledError
			if !errors.As(err, &canceled) {
				return "", errors.New("long timer not canceled")
			}
			return workflow.Now(ctx).Sub(start).String(), nil
		}
		x := newHarness(t, wf, cacheSize)
		commands := x.step()
		requireTypes(t, commands, enumspb.COMMAND_TYPE_START_TIMER, enumspb.COMMAND_TYPE_START_TIMER)
		first, second := commands[0].GetStartTimerCommandAttributes(), commands[1].GetStartTimerCommandAttributes()
		if first.GetTimerId() != "5" || first.GetStartToFireTimeout().AsDuration() != time.Hour ||
			second.GetTimerId() != "6" || second.GetStartToFireTimeout().AsDuration() != time.Minute {
			t.Fatalf("timers = %v, %v", first, second)
		}
		x.hist.Advance(time.Minute)
		x.hist.TimerFired("6")
		commands = x.step()
		requireTypes(t, commands, enumspb.COMMAND_TYPE_CANCEL_TIMER, enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION)
		if id := commands[0].GetCancelTimerCommandAttributes().GetTimerId(); id != "5" {
			t.Fatalf("canceled timer %q, want 5", id)
		}
		if got := completedResult[string](t, commands[1]); got != "1m0s" {
			t.Fatalf("workflow time advanced by %s, want 1m0s (the task start times)", got)
		}
	})
}

func TestZeroTimerIsReadyWithoutCommand(t *testing.T) {
	wf := func(ctx workflow.Context) error { return workflow.Sleep(ctx, 0) }
	x := newHarness(t, wf, 0)
	requireTypes(t, x.step(), enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION)
}

var approval = workflow.NewSignal[string]("approve")

func TestSignalWinsSelectorAgainstTimer(t *testing.T) {
	cacheModes(t, func(t *testing.T, cacheSize int) {
		wf := func(ctx workflow.Context) (string, error) {
			timerCtx, cancelTimer := workflow.WithCancel(ctx)
			timeout := workflow.NewTimer(timerCtx, time.Hour)
			signals := workflow.GetSignal(ctx, approval)
			var outcome string
			workflow.NewSelector(ctx).
				AddReceive(signals.Channel(), func(workflow.ReceiveChannel, bool) {
					outcome = "approved by " + signals.Receive(ctx)
					cancelTimer()
				}).
				AddFuture(timeout, func(workflow.Future) { outcome = "timed out" }).
				Select(ctx)
			return outcome, nil
		}
		x := newHarness(t, wf, cacheSize)
		requireTypes(t, x.step(), enumspb.COMMAND_TYPE_START_TIMER)
		x.hist.Signal("approve", "alice")
		commands := x.step()
		requireTypes(t, commands, enumspb.COMMAND_TYPE_CANCEL_TIMER, enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION)
		if got := completedResult[string](t, commands[1]); got != "approved by alice" {
			t.Fatalf("result = %q", got)
		}
	})
}

func TestSignalsBeforeReceiveAreKeptInOrder(t *testing.T) {
	wf := func(ctx workflow.Context) ([]int, error) {
		if err := workflow.Sleep(ctx, time.Minute); err != nil {
			return nil, err
		}
		ch := workflow.GetSignalChannel(ctx, "n")
		var got []int
		for ch.Len() > 0 {
			var n int
			ch.Receive(ctx, &n)
			got = append(got, n)
		}
		return got, nil
	}
	x := newHarness(t, wf, 0)
	x.step()
	x.hist.Signal("n", 1)
	x.hist.Signal("n", 2)
	x.hist.TimerFired("5")
	x.hist.Signal("n", 3)
	got := completedResult[[]int](t, last(x.step()))
	if len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Fatalf("signals = %v, want [1 2 3]", got)
	}
}

func TestAwaitWithTimeoutAndGoroutinesRunInCreationOrder(t *testing.T) {
	cacheModes(t, func(t *testing.T, cacheSize int) {
		wf := func(ctx workflow.Context) ([]string, error) {
			var log []string
			count := 0
			ch := workflow.GetSignalChannel(ctx, "inc")
			for _, name := range []string{"a", "b", "c"} {
				workflow.Go(ctx, func(ctx workflow.Context) {
					_ = workflow.Await(ctx, func() bool { return count > 0 })
					log = append(log, name)
				})
			}
			workflow.Go(ctx, func(ctx workflow.Context) {
				ch.Receive(ctx, nil)
				count++
			})
			ok, err := workflow.AwaitWithTimeout(ctx, time.Hour, func() bool { return len(log) == 3 })
			if err != nil || !ok {
				return nil, errors.New("await failed")
			}
			return log, nil
		}
		x := newHarness(t, wf, cacheSize)
		requireTypes(t, x.step(), enumspb.COMMAND_TYPE_START_TIMER)
		x.hist.Signal("inc")
		commands := x.step()
		requireTypes(t, commands, enumspb.COMMAND_TYPE_CANCEL_TIMER, enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION)
		got := completedResult[[]string](t, commands[1])
		if len(got) != 3 || got[0] != "a" || got[1] != "b" || got[2] != "c" {
			t.Fatalf("goroutines finished in order %v, want [a b c]", got)
		}
	})
}

func TestWorkflowCancellationAndDisconnectedCleanup(t *testing.T) {
	cacheModes(t, func(t *testing.T, cacheSize int) {
		wf := func(ctx workflow.Context) error {
			err := workflow.Sleep(ctx, time.Hour)
			if err == nil {
				return nil
			}
			cleanupCtx, _ := workflow.NewDisconnectedContext(ctx)
			if cleanupErr := workflow.ExecuteActivity(withTimeouts(cleanupCtx), "Refund").Get(cleanupCtx, nil); cleanupErr != nil {
				return cleanupErr
			}
			return ctx.Err()
		}
		x := newHarness(t, wf, cacheSize)
		requireTypes(t, x.step(), enumspb.COMMAND_TYPE_START_TIMER)
		x.hist.CancelRequested()
		commands := x.step()
		requireTypes(t, commands, enumspb.COMMAND_TYPE_CANCEL_TIMER, enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK)
		// The cancel request came before the task, so the ids count from the task's
		// started event plus the CancelTimer already queued.
		if id := commands[1].GetScheduleActivityTaskCommandAttributes().GetActivityId(); id != "11" {
			t.Fatalf("cleanup activity id = %s, want 11", id)
		}
		x.hist.ActivityCompleted("11", nil)
		requireTypes(t, x.step(), enumspb.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION)
	})
}

func TestGetInfo(t *testing.T) {
	wf := func(ctx workflow.Context) (workflow.Info, error) { return *workflow.GetInfo(ctx), nil }
	x := newHarness(t, wf, 0)
	info := completedResult[workflow.Info](t, x.step()[0])
	if info.WorkflowType != "wf" || info.TaskQueue != "tq" || info.Execution.WorkflowID != "wf-1" || info.Execution.RunID != "run-1" ||
		info.Attempt != 1 || info.Namespace != "default" || !info.StartTime.Equal(historytest.Start) || info.HistoryLength != 3 ||
		info.WorkflowTaskTimeout != 10*time.Second {
		t.Fatalf("info = %+v", info)
	}
}
