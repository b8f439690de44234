package engine_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// workers at once; every run must end with the canonical 11-event history.
func TestManyWorkflowsConcurrently(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const workflows, workers = 24, 4
	runs := map[string]string{}
	for i := range workflows {
		id := fmt.Sprintf("many-%d", i)
		runs[id] = e.start(id, "busy")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers)
	for range workers {
		wg.Add(2)
		go func() { // workflow worker: schedule the activity, then complete
			defer wg.Done()
			errs <- workflowWorker(ctx, e.c, "busy")
		}()
		go func() { // activity worker
			defer wg.Done()
			errs <- activityWorker(ctx, e.c, "busy")
		}()
	}
	for id, runID := range runs {
		resp, err := e.c.GetWorkflowExecutionHistory(ctx, closeEventRequest(id, nil))
		for err == nil && len(resp.GetHistory().GetEvents()) == 0 {
			resp, err = e.c.GetWorkflowExecutionHistory(ctx, closeEventRequest(id, resp.NextPageToken))
		}
		if err != nil {
			t.Fatalf("waiting for %s: %v", id, err)
		}
		if h := e.history(id, runID); len(h) != 11 || h[10].EventType != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED {
			t.Errorf("%s: %s", id, types(h))
		}
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// a run schedules an activity, the next completes the run.
func workflowWorker(ctx context.Context, c workflowservice.WorkflowServiceClient, tq string) error {
	for ctx.Err() == nil {
		wft, err := c.PollWorkflowTaskQueue(ctx, &workflowservice.PollWorkflowTaskQueueRequest{Namespace: ns, TaskQueue: &taskqueuepb.TaskQueue{Name: tq}})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("polling workflow tasks: %w", err)
		}
		if len(wft.TaskToken) == 0 {
			continue
		}
		cmd := completeWorkflowCmd("done")
		if wft.PreviousStartedEventId == 0 {
			cmd = scheduleActivityCmd("a1", tq)
		}
		if _, err := c.RespondWorkflowTaskCompleted(ctx, &workflowservice.RespondWorkflowTaskCompletedRequest{
			Namespace: ns, TaskToken: wft.TaskToken, Commands: []*commandpb.Command{cmd},
		}); err != nil && ctx.Err() == nil {
			return fmt.Errorf("completing workflow task of %s: %w", wft.GetWorkflowExecution().GetWorkflowId(), err)
		}
	}
	return nil
}

// activityWorker completes activity tasks on tq until ctx ends.
func activityWorker(ctx context.Context, c workflowservice.WorkflowServiceClient, tq string) error {
	for ctx.Err() == nil {
		act, err := c.PollActivityTaskQueue(ctx, &workflowservice.PollActivityTaskQueueRequest{Namespace: ns, TaskQueue: &taskqueuepb.TaskQueue{Name: tq}})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("polling activity tasks: %w", err)
		}
		if len(act.TaskToken) == 0 {
			continue
		}
		if _, err := c.RespondActivityTaskCompleted(ctx, &workflowservice.RespondActivityTaskCompletedRequest{
			Namespace: ns, TaskToken: act.TaskToken, Result: payloads("ok"),
		}); err != nil && ctx.Err() == nil {
			return fmt.Errorf("completing activity of %s: %w", act.GetWorkflowExecution().GetWorkflowId(), err)
		}
	}
	return nil
}
