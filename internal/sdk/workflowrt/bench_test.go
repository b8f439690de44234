package workflowrt_test

import (
	"context"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt/historytest"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
)

// benchActivities runs ten activities one after the other.
func benchActivities(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	for range 10 {
		if err := workflow.ExecuteActivity(ctx, "A").Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkWorkflowTasks measures the command and event handling of a workflow task
// handler: one op runs a ten-activity workflow through its eleven tasks, from the
// cache (Cached) or replaying full history on every task (Replay).
func BenchmarkWorkflowTasks(b *testing.B) {
	for _, mode := range []struct {
		name      string
		cacheSize int
	}{{"Cached", 10}, {"Replay", 0}} {
		b.Run(mode.name, func(b *testing.B) {
			reg := workflowrt.NewRegistry()
			if err := reg.RegisterWorkflow(benchActivities, workflowrt.RegisterOptions{Name: "wf"}); err != nil {
				b.Fatal(err)
			}
			handler := workflowrt.NewTaskHandler(reg, workflowrt.TaskHandlerOptions{
				Namespace: "default", CacheSize: mode.cacheSize, StickyTaskQueue: "sticky", NormalTaskQueue: "tq",
			})
			defer handler.Close()
			b.ReportAllocs()
			for b.Loop() {
				h := historytest.New(b, "wf")
				for task := 0; ; task++ {
					result, err := handler.Process(context.Background(), h.Task(mode.cacheSize > 0))
					if err != nil || result.Completed == nil {
						b.Fatalf("task %d: %v %v", task, err, result.Err)
					}
					commands := result.Completed.GetCommands()
					h.Complete(commands)
					if commands[len(commands)-1].GetCommandType() == enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION {
						break
					}
					h.ActivityCompleted(commands[0].GetScheduleActivityTaskCommandAttributes().GetActivityId(), nil)
				}
			}
		})
	}
}
