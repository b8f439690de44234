package workflow_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt/historytest"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
	historypb "go.temporal.io/api/history/v1"
)

var lookup = activity.DefineNamed("Lookup", func(ctx context.Context, key string) (int, error) { return len(key), nil })

func Sum(ctx workflow.Context, keys []string) (int, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{ScheduleToCloseTimeout: time.Minute})
	futures := make([]workflow.FutureOf[int], len(keys))
	for i, k := range keys {
		futures[i] = workflow.ExecuteActivityFunc(ctx, lookup, k)
	}
	total := 0
	for _, f := range futures {
		n, err := f.Get(ctx)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// record runs Sum once through the runtime, completing every activity with 3.
func record(t *testing.T) *historypb.History {
	t.Helper()
	reg := workflowrt.NewRegistry()
	if err := reg.RegisterWorkflow(Sum, workflowrt.RegisterOptions{}); err != nil {
		t.Fatal(err)
	}
	handler := workflowrt.NewTaskHandler(reg, workflowrt.TaskHandlerOptions{Namespace: "default"})
	defer handler.Close()
	hist := historytest.New(t, "Sum", []string{"a", "bb"})
	for range 5 {
		result, err := handler.Process(t.Context(), hist.Task(false))
		if err != nil || result.Completed == nil {
			t.Fatalf("processing: %v %v", err, result.Err)
		}
		commands := result.Completed.GetCommands()
		hist.Complete(commands)
		done := false
		for _, c := range commands {
			if a := c.GetScheduleActivityTaskCommandAttributes(); a != nil {
				if a.GetStartToCloseTimeout().AsDuration() != time.Minute {
					t.Fatalf("StartToCloseTimeout = %s, want the ScheduleToCloseTimeout", a.GetStartToCloseTimeout().AsDuration())
				}
				hist.ActivityCompleted(a.GetActivityId(), 3)
			}
			done = done || c.GetCompleteWorkflowExecutionCommandAttributes() != nil
		}
		if done {
			return hist.History()
		}
	}
	t.Fatal("Sum did not complete")
	return nil
}

func TestReplayerAcceptsSameCodeAndRejectsChangedCode(t *testing.T) {
	history := record(t)

	same := worker.NewWorkflowReplayer()
	if err := same.RegisterWorkflow(Sum); err != nil {
		t.Fatal(err)
	}
	if err := same.ReplayHistory(history); err != nil {
		t.Fatalf("replaying unchanged code: %v", err)
	}

	changed := worker.NewWorkflowReplayer()
	if err := changed.RegisterWorkflowWithName(func(ctx workflow.Context, keys []string) (int, error) {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
		var n int
		err := workflow.ExecuteActivity(ctx, "Fetch", keys[0]).Get(ctx, &n)
		return n, err
	}, "Sum"); err != nil {
		t.Fatal(err)
	}
	err := changed.ReplayHistory(history)
	var nd *workflow.NondeterminismError
	if !errors.As(err, &nd) || !strings.Contains(err.Error(), "ActivityType=Lookup") || !strings.Contains(err.Error(), "ActivityType=Fetch") {
		t.Fatalf("replaying changed code: %v, want a nondeterminism error naming Lookup and Fetch", err)
	}
}

func TestReplayerReadsGoldenFiles(t *testing.T) {
	r := worker.NewWorkflowReplayer()
	err := r.ReplayHistoryFile("../testdata/histories/approval-signaled.json")
	if err == nil || !strings.Contains(err.Error(), "not registered") {
		t.Fatalf("replaying without the workflow registered: %v", err)
	}
	if err := r.ReplayHistoryFile("no-such-file.json"); err == nil {
		t.Fatal("a missing file replayed")
	}
}

func TestDefineNamesWorkflows(t *testing.T) {
	if got := workflow.Define(Sum).Name(); got != "Sum" {
		t.Fatalf("Define(Sum).Name() = %q", got)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Define accepted an anonymous function")
		}
	}()
	workflow.Define(func(workflow.Context, int) (int, error) { return 0, nil })
}
