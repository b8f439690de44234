package compat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync/atomic"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/grpc/codes"
)

// twoStepsWorkflow runs the activity "Step" twice, then waits for the signal
// "go" and returns the three values joined.
func twoStepsWorkflow(ctx workflow.Context) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var first, second, signal string
	if err := workflow.ExecuteActivity(ctx, "Step", "one").Get(ctx, &first); err != nil {
		return "", err
	}
	if err := workflow.ExecuteActivity(ctx, "Step", "two").Get(ctx, &second); err != nil {
		return "", err
	}
	workflow.GetSignalChannel(ctx, "go").Receive(ctx, &signal)
	return first + "," + second + "," + signal, nil
}

// startTwoSteps runs a worker for twoStepsWorkflow and starts one; steps
// counts the activity executions.
func startTwoSteps(t *testing.T, c client.Client) (client.WorkflowRun, *atomic.Int32) {
	t.Helper()
	steps := &atomic.Int32{}
	taskQueue := uniqueName(t, "tq")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(twoStepsWorkflow, workflow.RegisterOptions{Name: "TwoSteps"})
		r.RegisterActivityWithOptions(func(_ context.Context, name string) (string, error) {
			steps.Add(1)
			return name, nil
		}, activity.RegisterOptions{Name: "Step"})
	})
	run, err := c.ExecuteWorkflow(testContext(t, 10*time.Second), client.StartWorkflowOptions{ID: uniqueName(t, "wf"), TaskQueue: taskQueue}, "TwoSteps")
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	return run, steps
}

// waitForSteps waits until a run has completed n activities and the workflow
// task after the last of them.
func waitForSteps(t *testing.T, c client.Client, workflowID, runID string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		events := fetchHistory(t, c, workflowID, runID)
		if len(eventsOfType(events, evActivityCompleted)) == n && events[len(events)-1].GetEventType() == evTaskCompleted {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s did not complete %d activities in time; history has %d events", runID, n, len(events))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// firstTaskCompleted is the id of the run's first WorkflowTaskCompleted: a
// reset to it goes back to the start of the workflow's code.
func firstTaskCompleted(t *testing.T, c client.Client, workflowID, runID string) int64 {
	t.Helper()
	done := eventsOfType(fetchHistory(t, c, workflowID, runID), evTaskCompleted)
	if len(done) == 0 {
		t.Fatalf("run %s has no completed workflow task", runID)
	}
	return done[0].GetEventId()
}

func resetRequest(t *testing.T, tg target, workflowID, runID string, eventID int64) *workflowservice.ResetWorkflowExecutionRequest {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return &workflowservice.ResetWorkflowExecutionRequest{
		Namespace:                 tg.Namespace,
		WorkflowExecution:         &commonpb.WorkflowExecution{WorkflowId: workflowID, RunId: runID},
		Reason:                    "compat reset",
		WorkflowTaskFinishEventId: eventID,
		RequestId:                 hex.EncodeToString(b[:]),
	}
}

// requireResetFailure checks the WorkflowTaskFailed a reset writes.
func requireResetFailure(t *testing.T, ev *historypb.HistoryEvent, baseRunID, newRunID string) {
	t.Helper()
	a := ev.GetWorkflowTaskFailedEventAttributes()
	if a.GetCause() != enumspb.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW || a.GetBaseRunId() != baseRunID || a.GetNewRunId() != newRunID ||
		a.GetFailure().GetMessage() != "compat reset" {
		t.Errorf("WorkflowTaskFailed = %v, want cause RESET_WORKFLOW from %s to %s with the reason", a, baseRunID, newRunID)
	}
}

// stepHistory is a run of twoStepsWorkflow past its two activities.
var stepHistory = concat(
	ev(evActivityScheduled, evActivityStarted, evActivityCompleted), workflowTask,
	ev(evActivityScheduled, evActivityStarted, evActivityCompleted), workflowTask)

// TestResetRunningWorkflow resets a run that waits for a signal to its first
// workflow task: the run is terminated, the new run executes both activities
// again and completes with a signal sent to the workflow id.
func TestResetRunningWorkflow(t *testing.T) {
	t.Parallel()
	tg, c := setup(t)
	ctx := testContext(t, 60*time.Second)
	run, steps := startTwoSteps(t, c)
	waitForSteps(t, c, run.GetID(), run.GetRunID(), 2)

	resp, err := c.ResetWorkflowExecution(ctx, resetRequest(t, tg, run.GetID(), run.GetRunID(), firstTaskCompleted(t, c, run.GetID(), run.GetRunID())))
	if err != nil {
		t.Fatalf("ResetWorkflowExecution: %v", err)
	}
	newRunID := resp.GetRunId()
	base := requireHistory(t, c, run.GetID(), run.GetRunID(), concat(startAndFirstTask, stepHistory, ev(evWorkflowTerminated)))
	if term := base[len(base)-1].GetWorkflowExecutionTerminatedEventAttributes(); term.GetReason() != "compat reset" {
		t.Errorf("base run terminated with reason %q, want the reset's", term.GetReason())
	}
	desc, err := c.DescribeWorkflowExecution(ctx, run.GetID(), "")
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	if cur := desc.GetWorkflowExecutionInfo().GetExecution().GetRunId(); cur != newRunID {
		t.Fatalf("current run = %s, want the reset run %s", cur, newRunID)
	}

	waitForSteps(t, c, run.GetID(), newRunID, 2)
	if err := c.SignalWorkflow(ctx, run.GetID(), "", "go", "now"); err != nil {
		t.Fatalf("signal: %v", err)
	}
	var result string
	if err := c.GetWorkflow(ctx, run.GetID(), newRunID).Get(ctx, &result); err != nil {
		t.Fatalf("reset run result: %v", err)
	}
	if result != "one,two,now" {
		t.Errorf("result = %q, want one,two,now", result)
	}
	if n := steps.Load(); n != 4 {
		t.Errorf("activities ran %d times, want 4 (twice per run)", n)
	}
	h := requireHistory(t, c, run.GetID(), newRunID, concat(
		ev(evWorkflowStarted, evTaskScheduled, evTaskStarted, evTaskFailed), workflowTask, stepHistory,
		ev(evWorkflowSignaled), workflowTask, ev(evWorkflowCompleted)))
	requireResetFailure(t, h[3], run.GetRunID(), newRunID)
}

// TestResetToSecondWorkflowTask goes back to the task that scheduled the
// second activity: the SDK replays the first activity's result from the copied
// history, and only the second activity runs again.
func TestResetToSecondWorkflowTask(t *testing.T) {
	t.Parallel()
	tg, c := setup(t)
	ctx := testContext(t, 60*time.Second)
	run, steps := startTwoSteps(t, c)
	waitForSteps(t, c, run.GetID(), run.GetRunID(), 2)
	done := eventsOfType(fetchHistory(t, c, run.GetID(), run.GetRunID()), evTaskCompleted)
	resp, err := c.ResetWorkflowExecution(ctx, resetRequest(t, tg, run.GetID(), run.GetRunID(), done[1].GetEventId()))
	if err != nil {
		t.Fatalf("ResetWorkflowExecution: %v", err)
	}
	newRunID := resp.GetRunId()
	waitForSteps(t, c, run.GetID(), newRunID, 2)
	if err := c.SignalWorkflow(ctx, run.GetID(), "", "go", "later"); err != nil {
		t.Fatalf("signal: %v", err)
	}
	var result string
	if err := c.GetWorkflow(ctx, run.GetID(), newRunID).Get(ctx, &result); err != nil {
		t.Fatalf("reset run result: %v", err)
	}
	if result != "one,two,later" {
		t.Errorf("result = %q, want one,two,later", result)
	}
	if n := steps.Load(); n != 3 {
		t.Errorf("activities ran %d times, want 3 (the reset reruns only the second)", n)
	}
	h := requireHistory(t, c, run.GetID(), newRunID, concat(startAndFirstTask,
		ev(evActivityScheduled, evActivityStarted, evActivityCompleted, evTaskScheduled, evTaskStarted, evTaskFailed), workflowTask,
		ev(evActivityScheduled, evActivityStarted, evActivityCompleted), workflowTask,
		ev(evWorkflowSignaled), workflowTask, ev(evWorkflowCompleted)))
	requireResetFailure(t, h[9], run.GetRunID(), newRunID)
}

// TestResetCompletedWorkflowReappliesSignal resets a completed run: it stays
// closed, and the signal it received after the reset point is delivered to the
// new run again, which completes with it.
func TestResetCompletedWorkflowReappliesSignal(t *testing.T) {
	t.Parallel()
	tg, c := setup(t)
	ctx := testContext(t, 60*time.Second)
	run, steps := startTwoSteps(t, c)
	waitForSteps(t, c, run.GetID(), run.GetRunID(), 2)
	if err := c.SignalWorkflow(ctx, run.GetID(), run.GetRunID(), "go", "first"); err != nil {
		t.Fatalf("signal: %v", err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatalf("base run: %v", err)
	}
	baseHistory := concat(startAndFirstTask, stepHistory, ev(evWorkflowSignaled), workflowTask, ev(evWorkflowCompleted))
	requireHistory(t, c, run.GetID(), run.GetRunID(), baseHistory)

	req := resetRequest(t, tg, run.GetID(), run.GetRunID(), firstTaskCompleted(t, c, run.GetID(), run.GetRunID()))
	resp, err := c.ResetWorkflowExecution(ctx, req)
	if err != nil {
		t.Fatalf("ResetWorkflowExecution: %v", err)
	}
	newRunID := resp.GetRunId()
	var result string
	if err := c.GetWorkflow(ctx, run.GetID(), newRunID).Get(ctx, &result); err != nil {
		t.Fatalf("reset run result: %v", err)
	}
	if result != "one,two,first" {
		t.Errorf("result = %q, want one,two,first (the reapplied signal)", result)
	}
	if n := steps.Load(); n != 4 {
		t.Errorf("activities ran %d times, want 4 (twice per run)", n)
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(), baseHistory)
	h := requireHistory(t, c, run.GetID(), newRunID, concat(
		ev(evWorkflowStarted, evTaskScheduled, evTaskStarted, evTaskFailed, evWorkflowSignaled), workflowTask,
		stepHistory, ev(evWorkflowCompleted)))
	requireResetFailure(t, h[3], run.GetRunID(), newRunID)

	// The same request again answers with the run it created. (Temporal v1.32
	// deduplicates only while that run is open and makes another reset run here;
	// Sundial keeps the request idempotent.)
	if !targetIsTemporal() {
		again, err := c.ResetWorkflowExecution(ctx, req)
		if err != nil || again.GetRunId() != newRunID {
			t.Errorf("repeated reset = %v, %v; want run %s", again.GetRunId(), err, newRunID)
		}
	}
}

// TestResetBadEventID refuses reset points that are not workflow tasks.
func TestResetBadEventID(t *testing.T) {
	t.Parallel()
	tg, c := setup(t)
	ctx := testContext(t, 30*time.Second)
	run, _ := startTwoSteps(t, c)
	waitForSteps(t, c, run.GetID(), run.GetRunID(), 2)
	activityScheduled := eventsOfType(fetchHistory(t, c, run.GetID(), run.GetRunID()), evActivityScheduled)[0].GetEventId()
	for _, id := range []int64{999, activityScheduled + 1} {
		_, err := c.ResetWorkflowExecution(ctx, resetRequest(t, tg, run.GetID(), run.GetRunID(), id))
		// The SDK client hands back serviceerror values; turn them into a status.
		requireStatus(t, serviceerror.ToStatus(err).Err(), codes.InvalidArgument, "WorkflowTaskFinishEventId", "workflow task")
	}
	desc, err := c.DescribeWorkflowExecution(ctx, run.GetID(), "")
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	if info := desc.GetWorkflowExecutionInfo(); info.GetExecution().GetRunId() != run.GetRunID() || info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("after refused resets the current run is %s (%v), want the original still running", info.GetExecution().GetRunId(), info.GetStatus())
	}
}
