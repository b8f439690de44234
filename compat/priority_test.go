package compat

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestActivityPriorityOrdersBacklog queues activities of different priority
// keys while no activity worker polls; a worker taking one task at a time then
// receives them highest priority (lowest key) first.
func TestActivityPriorityOrdersBacklog(t *testing.T) {
	t.Parallel()
	if targetIsTemporal() {
		t.Skip("Temporal v1.32 orders by priority only with its new matcher enabled by dynamic config; this checks Sundial's")
	}
	tg, c := setup(t)
	wfQueue, actQueue := uniqueName(t, "wf"), uniqueName(t, "act")
	keys := []int{5, 3, 1, 4, 2, 5, 1}
	startWorker(t, c, wfQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
			var futures []workflow.Future
			for i, k := range keys {
				actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
					TaskQueue: actQueue, StartToCloseTimeout: 10 * time.Second,
					Priority: temporal.Priority{PriorityKey: k},
				})
				futures = append(futures, workflow.ExecuteActivity(actx, "Record", fmt.Sprintf("%d:%d", k, i)))
			}
			for _, f := range futures {
				if err := f.Get(ctx, nil); err != nil {
					return err
				}
			}
			return nil
		}, workflow.RegisterOptions{Name: "Prioritized"})
	})
	ctx := testContext(t, 30*time.Second)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "wf"), TaskQueue: wfQueue}, "Prioritized")
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	// The whole batch is in the activity queue's backlog before a worker polls.
	eventually(t, 20*time.Second, "the activity backlog holding the whole batch", func() bool {
		resp, err := c.WorkflowService().DescribeTaskQueue(ctx, &workflowservice.DescribeTaskQueueRequest{
			Namespace: tg.Namespace, TaskQueue: &taskqueuepb.TaskQueue{Name: actQueue}, TaskQueueType: enumspb.TASK_QUEUE_TYPE_ACTIVITY,
			IncludeTaskQueueStatus: true,
		})
		return err == nil && resp.GetTaskQueueStatus().GetBacklogCountHint() >= int64(len(keys))
	})
	var mu sync.Mutex
	var order []string
	startWorker(t, c, actQueue, func(r worker.Registry) {
		r.RegisterActivityWithOptions(func(ctx context.Context, tag string) error {
			mu.Lock()
			order = append(order, tag)
			mu.Unlock()
			return nil
		}, activity.RegisterOptions{Name: "Record"})
	}, func(o *worker.Options) {
		o.MaxConcurrentActivityExecutionSize = 1
		o.MaxConcurrentActivityTaskPollers = 1
	})
	if err := run.Get(ctx, nil); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	prev := 0
	for _, tag := range order {
		var k, i int
		fmt.Sscanf(tag, "%d:%d", &k, &i)
		if k < prev {
			t.Fatalf("activities ran in order %v: priority %d after %d", order, k, prev)
		}
		prev = k
	}
}
