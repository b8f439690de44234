package workflowrt_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
)

func TestActivityResultCompletesWorkflow(t *testing.T) {
	cacheModes(t, func(t *testing.T, cacheSize int) {
		calls := 0
		wf := func(ctx workflow.Context, order string) (string, error) {
			calls++
			ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
				StartToCloseTimeout: time.Minute, HeartbeatTimeout: 10 * time.Second,
				RetryPolicy: &sundial.RetryPolicy{MaximumAttempts: 3}, TaskQueue: "payments",
				Priority: &sundial.Priority{PriorityKey: 2},
			})
			var tx string
			if err := workflow.ExecuteActivity(ctx, "Charge", order).Get(ctx, &tx); err != nil {
				return "", err
			}
			return order + ":" + tx, nil
		}
		x := newHarness(t, wf, cacheSize, "order-7")

		commands := x.step()
		requireTypes(t, commands, enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK)
		attrs := commands[0].GetScheduleActivityTaskCommandAttributes()
		if attrs.GetActivityId() != "5" || attrs.GetActivityType().GetName() != "Charge" || attrs.GetTaskQueue().GetName() != "payments" {
			t.Fatalf("schedule attributes = %v", attrs)
		}
		if attrs.GetStartToCloseTimeout().AsDuration() != time.Minute || attrs.GetHeartbeatTimeout().AsDuration() != 10*time.Second ||
			attrs.GetRetryPolicy().GetMaximumAttempts() != 3 || attrs.GetPriority().GetPriorityKey() != 2 {
			t.Fatalf("schedule options = %v", attrs)
		}
		if got := decode[string](t, attrs.GetInput()); got != "order-7" {
			t.Fatalf("input = %q", got)
		}

		x.hist.ActivityCompleted("5", "tx-42")
		commands = x.step()
		requireTypes(t, commands, enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION)
		if got := completedResult[string](t, commands[0]); got != "order-7:tx-42" {
			t.Fatalf("result = %q", got)
		}
		wantCalls := 1
		if cacheSize == 0 {
			wantCalls = 2 // replayed from scratch for the second task
		}
		if calls != wantCalls {
			t.Fatalf("workflow function ran %d times, want %d", calls, wantCalls)
		}
	})
}

func TestActivityFailureReachesWorkflowAsActivityError(t *testing.T) {
	var seen error
	wf := func(ctx workflow.Context) error {
		err := workflow.ExecuteActivity(withTimeouts(ctx), "Charge").Get(ctx, nil)
		seen = err
		return err
	}
	x := newHarness(t, wf, 10)
	x.step()
	x.hist.ActivityFailed("5", sundial.NewApplicationError("card declined", "CardDeclined"))
	commands := x.step()
	requireTypes(t, commands, enumspb.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION)

	var actErr *sundial.ActivityError
	if !errors.As(seen, &actErr) || actErr.ActivityType() != "Charge" || actErr.ActivityID() != "5" || actErr.ScheduledEventID() != 5 {
		t.Fatalf("workflow saw %v, want an ActivityError for Charge", seen)
	}
	var appErr *sundial.ApplicationError
	if !errors.As(seen, &appErr) || appErr.Type() != "CardDeclined" {
		t.Fatalf("cause = %v, want ApplicationError CardDeclined", seen)
	}
	failure := commands[0].GetFailWorkflowExecutionCommandAttributes().GetFailure()
	if failure.GetActivityFailureInfo() == nil || failure.GetCause().GetApplicationFailureInfo().GetType() != "CardDeclined" {
		t.Fatalf("failure = %v", failure)
	}
}

func TestActivityNeedsATimeout(t *testing.T) {
	wf := func(ctx workflow.Context) error {
		return workflow.ExecuteActivity(ctx, "Charge").Get(ctx, nil)
	}
	x := newHarness(t, wf, 0)
	commands := x.step()
	requireTypes(t, commands, enumspb.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION)
	msg := commands[0].GetFailWorkflowExecutionCommandAttributes().GetFailure().GetMessage()
	if !strings.Contains(msg, "StartToCloseTimeout") {
		t.Fatalf("failure message %q does not name the missing timeout", msg)
	}
}

func TestActivityCancellationTypes(t *testing.T) {
	tests := []struct {
		name       string
		cancelType workflow.ActivityCancellationType
		// after the cancel task: the commands, and whether the activity's Canceled event is
		// needed before the workflow completes.
		cancelCommands []enumspb.CommandType
		waits          bool
	}{
		{"TryCancel", workflow.ActivityCancelTry, []enumspb.CommandType{enumspb.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK, enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION}, false},
		{"WaitCancellationCompleted", workflow.ActivityCancelWaitCompleted, []enumspb.CommandType{enumspb.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK}, true},
		{"Abandon", workflow.ActivityCancelAbandon, []enumspb.CommandType{enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cacheModes(t, func(t *testing.T, cacheSize int) {
				wf := func(ctx workflow.Context) (string, error) {
					actCtx, cancel := workflow.WithCancel(ctx)
					actCtx = workflow.WithActivityOptions(actCtx, workflow.ActivityOptions{StartToCloseTimeout: time.Hour, CancellationType: tt.cancelType})
					f := workflow.ExecuteActivity(actCtx, "Slow")
					if err := workflow.Sleep(ctx, time.Minute); err != nil {
						return "", err
					}
					cancel()
					err := f.Get(ctx, nil)
					var canceled *sundial.CanceledError
					if !errors.As(err, &canceled) {
						return "", errors.New("activity was not canceled: " + errorText(err))
					}
					var actErr *sundial.ActivityError
					if errors.As(err, &actErr) {
						return "canceled after the activity confirmed", nil
					}
					return "canceled", nil
				}
				x := newHarness(t, wf, cacheSize)
				requireTypes(t, x.step(), enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK, enumspb.COMMAND_TYPE_START_TIMER)
				x.hist.TimerFired("6")
				commands := x.step()
				requireTypes(t, commands, tt.cancelCommands...)
				if tt.cancelType != workflow.ActivityCancelAbandon {
					if id := commands[0].GetRequestCancelActivityTaskCommandAttributes().GetScheduledEventId(); id != 5 {
						t.Fatalf("cancel names scheduled event %d, want 5", id)
					}
				}
				if !tt.waits {
					if got := completedResult[string](t, last(commands)); got != "canceled" {
						t.Fatalf("result = %q", got)
					}
					return
				}
				x.hist.ActivityCanceled("5")
				commands = x.step()
				requireTypes(t, commands, enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION)
				if got := completedResult[string](t, commands[0]); got != "canceled after the activity confirmed" {
					t.Fatalf("result = %q", got)
				}
			})
		})
	}
}

func errorText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
