package workflowrt_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt/historytest"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
)

// historyOf runs fn to completion, completing activities with nil and firing timers,
// and returns its history.
func historyOf(t *testing.T, fn any) *historypb.History {
	t.Helper()
	x := newHarness(t, fn, 0)
	for range 20 {
		commands := x.step()
		if len(commands) == 0 {
			t.Fatal("workflow blocked without commands")
		}
		if isClose(last(commands)) {
			return x.hist.History()
		}
		for _, c := range commands {
			if a := c.GetScheduleActivityTaskCommandAttributes(); a != nil {
				x.hist.ActivityCompleted(a.GetActivityId(), nil)
			}
			if a := c.GetStartTimerCommandAttributes(); a != nil {
				x.hist.TimerFired(a.GetTimerId())
			}
		}
	}
	t.Fatal("workflow did not finish")
	return nil
}

func replay(t *testing.T, history *historypb.History, fn any) error {
	t.Helper()
	reg := workflowrt.NewRegistry()
	if err := reg.RegisterWorkflow(fn, workflowrt.RegisterOptions{Name: "wf"}); err != nil {
		t.Fatal(err)
	}
	return workflowrt.ReplayWorkflowHistory(reg, history, workflowrt.ReplayOptions{})
}

func requireNondeterminism(t *testing.T, err error, mentions ...string) {
	t.Helper()
	var nd *workflowrt.NondeterminismError
	if !errors.As(err, &nd) {
		t.Fatalf("error = %v, want a NondeterminismError", err)
	}
	for _, m := range mentions {
		if !strings.Contains(err.Error(), m) {
			t.Fatalf("error %q does not mention %q", err, m)
		}
	}
}

func oneActivity(ctx workflow.Context) error {
	return workflow.ExecuteActivity(withTimeouts(ctx), "A").Get(ctx, nil)
}

func TestNondeterminismIsReportedWithCommandAndEvent(t *testing.T) {
	history := historyOf(t, oneActivity)
	if err := replay(t, history, oneActivity); err != nil {
		t.Fatalf("replaying the same code: %v", err)
	}

	t.Run("DifferentActivity", func(t *testing.T) {
		err := replay(t, history, func(ctx workflow.Context) error {
			return workflow.ExecuteActivity(withTimeouts(ctx), "B").Get(ctx, nil)
		})
		requireNondeterminism(t, err, "#5 ActivityTaskScheduled{ActivityId=5, ActivityType=A}", "ScheduleActivityTask{ActivityId=5, ActivityType=B}")
	})
	t.Run("TimerInsteadOfActivity", func(t *testing.T) {
		err := replay(t, history, func(ctx workflow.Context) error { return workflow.Sleep(ctx, time.Second) })
		requireNondeterminism(t, err, "ActivityTaskScheduled", "StartTimer{TimerId=5")
	})
	t.Run("ExtraCommand", func(t *testing.T) {
		err := replay(t, history, func(ctx workflow.Context) error {
			ctx = withTimeouts(ctx)
			second := workflow.ExecuteActivity(ctx, "Extra")
			if err := workflow.ExecuteActivity(ctx, "A").Get(ctx, nil); err != nil {
				return err
			}
			return second.Get(ctx, nil)
		})
		requireNondeterminism(t, err, "ActivityType=Extra")
	})
	t.Run("MissingCommand", func(t *testing.T) {
		err := replay(t, history, func(ctx workflow.Context) error { return nil })
		requireNondeterminism(t, err, "#5 ActivityTaskScheduled{ActivityId=5, ActivityType=A}", "CompleteWorkflowExecution")
	})
}

func TestNondeterminismFailsTheTaskWithItsCause(t *testing.T) {
	history := historyOf(t, oneActivity)
	reg := workflowrt.NewRegistry()
	if err := reg.RegisterWorkflow(func(ctx workflow.Context) error { return workflow.Sleep(ctx, time.Second) }, workflowrt.RegisterOptions{Name: "wf"}); err != nil {
		t.Fatal(err)
	}
	handler := workflowrt.NewTaskHandler(reg, workflowrt.TaskHandlerOptions{Namespace: "default"})
	x := &harness{t: t, handler: handler, hist: historytest.New(t, "wf")}
	task := x.hist.Task(false)
	// Present the recorded history up to its second task.
	task.History.Events = history.GetEvents()[:9]
	task.StartedEventId, task.PreviousStartedEventId = 9, 3
	result := x.process(task)
	if result.Failed == nil || result.Failed.GetCause() != enumspb.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR {
		t.Fatalf("result = %+v, want a task failed for nondeterminism", result)
	}
	if msg := result.Failed.GetFailure().GetMessage(); !strings.Contains(msg, "StartTimer") || !strings.Contains(msg, "ActivityTaskScheduled") {
		t.Fatalf("failure message %q does not name both sides", msg)
	}
}

func TestSideEffectIsNotRecomputedOnReplay(t *testing.T) {
	calls := 0
	wf := func(ctx workflow.Context) (int, error) {
		n, err := workflow.SideEffectOf(ctx, func(workflow.Context) int { calls++; return 1000 + calls }).Get(ctx)
		if err != nil {
			return 0, err
		}
		if err := workflow.Sleep(ctx, time.Minute); err != nil {
			return 0, err
		}
		return n, nil
	}
	x := newHarness(t, wf, 0)
	requireTypes(t, x.step(), enumspb.COMMAND_TYPE_RECORD_MARKER, enumspb.COMMAND_TYPE_START_TIMER)
	x.hist.TimerFired("6")
	commands := x.step()
	if got := completedResult[int](t, last(commands)); got != 1001 {
		t.Fatalf("result = %d, want 1001 (the recorded value)", got)
	}
	if calls != 1 {
		t.Fatalf("side effect ran %d times, want once", calls)
	}
}

func TestGetVersion(t *testing.T) {
	before := func(ctx workflow.Context) error { return oneActivity(ctx) }
	after := func(ctx workflow.Context) (workflow.Version, error) {
		v := workflow.GetVersion(ctx, "add-timer", workflow.DefaultVersion, 1)
		if v == 1 {
			if err := workflow.Sleep(ctx, time.Second); err != nil {
				return v, err
			}
		}
		return v, oneActivity(ctx)
	}
	t.Run("NewRunRecordsMaxVersion", func(t *testing.T) {
		x := newHarness(t, after, 0)
		commands := x.step()
		requireTypes(t, commands, enumspb.COMMAND_TYPE_RECORD_MARKER, enumspb.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, enumspb.COMMAND_TYPE_START_TIMER)
		marker := commands[0].GetRecordMarkerCommandAttributes()
		if marker.GetMarkerName() != "Version" || decode[string](t, marker.GetDetails()["change-id"]) != "add-timer" || decode[int](t, marker.GetDetails()["version"]) != 1 {
			t.Fatalf("marker = %v", marker)
		}
		sa := commands[1].GetUpsertWorkflowSearchAttributesCommandAttributes().GetSearchAttributes().GetIndexedFields()["TemporalChangeVersion"]
		if got := decode[[]string](t, &commonPayloads{Payloads: []*commonPayload{sa}}); len(got) != 1 || got[0] != "add-timer-1" {
			t.Fatalf("TemporalChangeVersion = %v", got)
		}
		if id := commands[2].GetStartTimerCommandAttributes().GetTimerId(); id != "7" {
			t.Fatalf("timer id = %s, want 7 (after the marker and the upsert)", id)
		}
		if err := replay(t, historyOf(t, after), after); err != nil {
			t.Fatalf("replaying a versioned history: %v", err)
		}
	})
	t.Run("OldRunGetsDefaultVersion", func(t *testing.T) {
		if err := replay(t, historyOf(t, before), after); err != nil {
			t.Fatalf("replaying a history from before the change: %v", err)
		}
	})
	t.Run("VersionOutsideSupportedRangeFails", func(t *testing.T) {
		err := replay(t, historyOf(t, after), func(ctx workflow.Context) error {
			workflow.GetVersion(ctx, "add-timer", 2, 3)
			return nil
		})
		if err == nil || !strings.Contains(err.Error(), "add-timer") {
			t.Fatalf("error = %v, want the unsupported version named", err)
		}
	})
}
