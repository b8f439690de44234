package compat

import (
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestEagerWorkflowStart: the SDK's eager start hands the first workflow task
// to a worker of the same client without a poll; the workflow runs normally.
func TestEagerWorkflowStart(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	taskQueue := uniqueName(t, "tq")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(func(ctx workflow.Context) (string, error) {
			return "started eagerly", workflow.Sleep(ctx, time.Millisecond)
		}, workflow.RegisterOptions{Name: "Eager"})
	})
	ctx := testContext(t, 20*time.Second)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "wf"), TaskQueue: taskQueue, EnableEagerStart: true}, "Eager")
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	var result string
	if err := run.Get(ctx, &result); err != nil || result != "started eagerly" {
		t.Fatalf("result = %q, %v", result, err)
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(), concat(startAndFirstTask, ev(evTimerStarted, evTimerFired), workflowTask, ev(evWorkflowCompleted)))
}
