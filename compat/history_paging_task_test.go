package compat

import (
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestHardening02SDKPagedFirstWorkflowTask: a workflow whose first workflow
// task has a history longer than a page (300 signals sent before any worker
// runs, over the server's 256-event page) is handed out a page at a time;
// the official SDK reads the rest with the task's next_page_token and runs
// the workflow to completion.
func TestHardening02SDKPagedFirstWorkflowTask(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	const signals = 300
	taskQueue := uniqueName(t, "tq")
	id := uniqueName(t, "wf")
	ctx := testContext(t, 60*time.Second)
	run, err := c.SignalWithStartWorkflow(ctx, id, "tick", 0, client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue}, "CountsEarlySignals")
	if err != nil {
		t.Fatalf("signal-with-start: %v", err)
	}
	for i := 1; i < signals; i++ {
		if err := c.SignalWorkflow(ctx, id, run.GetRunID(), "tick", i); err != nil {
			t.Fatalf("signal %d: %v", i, err)
		}
	}
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(func(ctx workflow.Context) (int, error) {
			ticks := workflow.GetSignalChannel(ctx, "tick")
			for i := 0; i < signals; i++ {
				ticks.Receive(ctx, nil)
			}
			return signals, nil
		}, workflow.RegisterOptions{Name: "CountsEarlySignals"})
	})
	var received int
	if err := run.Get(testContext(t, 60*time.Second), &received); err != nil || received != signals {
		t.Fatalf("result = %d, %v; want %d", received, err, signals)
	}
}
