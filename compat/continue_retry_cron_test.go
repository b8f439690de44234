package compat

import (
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// countsDown continues as new until n reaches zero.
func countsDown(ctx workflow.Context, n int) (string, error) {
	if n > 0 {
		return "", workflow.NewContinueAsNewError(ctx, "CountsDown", n-1)
	}
	return "reached zero after " + workflow.GetInfo(ctx).ContinuedExecutionRunID, nil
}

func TestContinueAsNew(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	taskQueue := uniqueName(t, "tq")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(countsDown, workflow.RegisterOptions{Name: "CountsDown"})
	})
	ctx := testContext(t, 30*time.Second)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "wf"), TaskQueue: taskQueue}, "CountsDown", 3)
	if err != nil {
		t.Fatalf("starting: %v", err)
	}
	firstRun := run.GetRunID()
	var result string
	if err := run.Get(ctx, &result); err != nil {
		t.Fatalf("result: %v", err)
	}
	requireHistory(t, c, run.GetID(), firstRun, concat(startAndFirstTask, ev(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW)))
	// The workflow id now names the last run; Describe and history follow it.
	desc, err := c.DescribeWorkflowExecution(ctx, run.GetID(), "")
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	last := desc.GetWorkflowExecutionInfo()
	if last.GetExecution().GetRunId() == firstRun || last.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("current run = %s status %v, want a later, completed run", last.GetExecution().GetRunId(), last.GetStatus())
	}
	if last.GetFirstRunId() != firstRun {
		t.Errorf("FirstRunId = %q, want %q", last.GetFirstRunId(), firstRun)
	}
	events := requireHistory(t, c, run.GetID(), last.GetExecution().GetRunId(), concat(startAndFirstTask, ev(evWorkflowCompleted)))
	started := events[0].GetWorkflowExecutionStartedEventAttributes()
	if started.GetInitiator() != enumspb.CONTINUE_AS_NEW_INITIATOR_WORKFLOW || started.GetFirstExecutionRunId() != firstRun || started.GetContinuedExecutionRunId() == "" {
		t.Errorf("last run started with initiator %v, first run %q, continued from %q", started.GetInitiator(), started.GetFirstExecutionRunId(), started.GetContinuedExecutionRunId())
	}
}

func TestWorkflowRetryPolicy(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	var runs atomic.Int32
	flaky := func(ctx workflow.Context) (string, error) {
		if runs.Add(1) < 3 {
			return "", temporal.NewApplicationError("not yet", "Flaky")
		}
		return "third run succeeded", nil
	}
	run := startWorkflow(t, c, "FlakyWorkflow", flaky, client.StartWorkflowOptions{
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 10 * time.Millisecond, BackoffCoefficient: 1, MaximumAttempts: 5},
	})
	firstRun := run.GetRunID() // Get follows the chain and moves GetRunID along
	result, err := getResult(t, run)
	if err != nil || result != "third run succeeded" {
		t.Fatalf("result = %q, %v", result, err)
	}
	events := requireHistory(t, c, run.GetID(), firstRun, concat(startAndFirstTask, ev(evWorkflowFailed)))
	failed := events[len(events)-1].GetWorkflowExecutionFailedEventAttributes()
	if failed.GetRetryState() != enumspb.RETRY_STATE_IN_PROGRESS || failed.GetNewExecutionRunId() == "" {
		t.Errorf("first run failed with retry state %v, next run %q", failed.GetRetryState(), failed.GetNewExecutionRunId())
	}
	second := requireHistory(t, c, run.GetID(), failed.GetNewExecutionRunId(), concat(startAndFirstTask, ev(evWorkflowFailed)))
	st := second[0].GetWorkflowExecutionStartedEventAttributes()
	if st.GetAttempt() != 2 || st.GetInitiator() != enumspb.CONTINUE_AS_NEW_INITIATOR_RETRY || st.GetContinuedFailure() == nil {
		t.Errorf("second run started with attempt %d initiator %v continued failure %v", st.GetAttempt(), st.GetInitiator(), st.GetContinuedFailure())
	}
}

func TestWorkflowRetryStopsAtMaximumAttempts(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	var runs atomic.Int32
	run := startWorkflow(t, c, "AlwaysFails", func(ctx workflow.Context) (string, error) {
		runs.Add(1)
		return "", temporal.NewApplicationError("always", "Broken")
	}, client.StartWorkflowOptions{RetryPolicy: &temporal.RetryPolicy{InitialInterval: 10 * time.Millisecond, MaximumAttempts: 2}})
	if _, err := getResult(t, run); err == nil {
		t.Fatal("workflow succeeded, want failure")
	}
	if n := runs.Load(); n != 2 {
		t.Errorf("workflow ran %d times, want 2", n)
	}
}

func TestCronWorkflow(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	var runs atomic.Int32
	run := startWorkflow(t, c, "EveryMinute", func(ctx workflow.Context) (string, error) {
		runs.Add(1)
		return "tick", nil
	}, client.StartWorkflowOptions{CronSchedule: "@every 2s"})
	firstRun := run.GetRunID()
	deadline := time.Now().Add(15 * time.Second)
	for runs.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if n := runs.Load(); n < 2 {
		t.Fatalf("cron workflow ran %d times in 15s, want at least 2", n)
	}
	events := fetchHistory(t, c, run.GetID(), firstRun)
	started := events[0].GetWorkflowExecutionStartedEventAttributes()
	if started.GetCronSchedule() != "@every 2s" || started.GetFirstWorkflowTaskBackoff().AsDuration() <= 0 {
		t.Errorf("first run: cron %q, first task backoff %v", started.GetCronSchedule(), started.GetFirstWorkflowTaskBackoff().AsDuration())
	}
	last := events[len(events)-1]
	if last.GetEventType() != evWorkflowCompleted || last.GetWorkflowExecutionCompletedEventAttributes().GetNewExecutionRunId() == "" {
		t.Errorf("first run ended with %v, want completed with a next run", last.GetEventType())
	}
	// Terminating the current run ends the chain.
	if err := c.TerminateWorkflow(testContext(t, 10*time.Second), run.GetID(), "", "done"); err != nil {
		t.Fatalf("terminate: %v", err)
	}
}
