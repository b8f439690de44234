package compat

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// startWorkflow registers wf under name on a fresh task queue, starts a worker for
// it and starts one execution with opts (ID and TaskQueue are filled in).
func startWorkflow(t *testing.T, c client.Client, name string, wf any, opts client.StartWorkflowOptions, tweak ...func(*worker.Options)) client.WorkflowRun {
	t.Helper()
	taskQueue := uniqueName(t, "tq")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: name})
	}, tweak...)
	if opts.ID == "" {
		opts.ID = uniqueName(t, "wf")
	}
	opts.TaskQueue = taskQueue
	run, err := c.ExecuteWorkflow(testContext(t, 10*time.Second), opts, name)
	if err != nil {
		t.Fatalf("starting workflow %s: %v", name, err)
	}
	return run
}

// getResult waits for a run's string result.
func getResult(t *testing.T, run client.WorkflowRun) (string, error) {
	t.Helper()
	var result string
	err := run.Get(testContext(t, 60*time.Second), &result)
	return result, err
}

func TestWorkflowTaskFailureIsRetried(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	var executions atomic.Int32
	run := startWorkflow(t, c, "PanicsOnce", func(ctx workflow.Context) (string, error) {
		if executions.Add(1) == 1 {
			panic("first workflow task fails")
		}
		return "recovered", nil
	}, client.StartWorkflowOptions{})
	result, err := getResult(t, run)
	if err != nil || result != "recovered" {
		t.Fatalf("result = %q, %v; want %q", result, err, "recovered")
	}
	events := requireHistory(t, c, run.GetID(), run.GetRunID(),
		ev(evWorkflowStarted, evTaskScheduled, evTaskStarted, evTaskFailed, evTaskScheduled, evTaskStarted, evTaskCompleted, evWorkflowCompleted))
	if got := events[4].GetWorkflowTaskScheduledEventAttributes().GetAttempt(); got != 2 {
		t.Errorf("the retried WorkflowTaskScheduled has attempt %d, want 2", got)
	}
	if got := events[3].GetWorkflowTaskFailedEventAttributes().GetFailure().GetMessage(); got == "" {
		t.Errorf("WorkflowTaskFailed carries no failure message")
	}
}

func TestWorkflowTaskTimeoutIsRetried(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	var executions atomic.Int32
	run := startWorkflow(t, c, "SlowOnce", func(ctx workflow.Context) (string, error) {
		if executions.Add(1) == 1 {
			time.Sleep(1500 * time.Millisecond) // longer than the workflow task timeout
		}
		return "second task in time", nil
	}, client.StartWorkflowOptions{WorkflowTaskTimeout: time.Second},
		func(o *worker.Options) { o.DeadlockDetectionTimeout = time.Minute })
	result, err := getResult(t, run)
	if err != nil || result != "second task in time" {
		t.Fatalf("result = %q, %v; want %q", result, err, "second task in time")
	}
	events := requireHistory(t, c, run.GetID(), run.GetRunID(),
		ev(evWorkflowStarted, evTaskScheduled, evTaskStarted, evTaskTimedOut, evTaskScheduled, evTaskStarted, evTaskCompleted, evWorkflowCompleted))
	if got := events[3].GetWorkflowTaskTimedOutEventAttributes().GetTimeoutType(); got != enumspb.TIMEOUT_TYPE_START_TO_CLOSE {
		t.Errorf("WorkflowTaskTimedOut timeout_type = %v, want START_TO_CLOSE", got)
	}
}

// sleepForAnHour blocks on a durable timer, so only a workflow timeout ends it.
func sleepForAnHour(ctx workflow.Context) (string, error) {
	if err := workflow.Sleep(ctx, time.Hour); err != nil {
		return "", err
	}
	return "woke up", nil
}

func TestWorkflowTimeouts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		opts           client.StartWorkflowOptions
		wantRetryState enumspb.RetryState
	}{
		{name: "execution timeout", opts: client.StartWorkflowOptions{WorkflowExecutionTimeout: 2 * time.Second}, wantRetryState: enumspb.RETRY_STATE_TIMEOUT},
		{name: "run timeout", opts: client.StartWorkflowOptions{WorkflowRunTimeout: 2 * time.Second}, wantRetryState: enumspb.RETRY_STATE_RETRY_POLICY_NOT_SET},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, c := setup(t)
			run := startWorkflow(t, c, "SleepsForAnHour", sleepForAnHour, tt.opts)
			_, err := getResult(t, run)
			var execErr *temporal.WorkflowExecutionError
			if !errors.As(err, &execErr) {
				t.Fatalf("error = %v, want a *WorkflowExecutionError", err)
			}
			requireTimeout(t, err, enumspb.TIMEOUT_TYPE_START_TO_CLOSE)
			events := requireHistory(t, c, run.GetID(), run.GetRunID(), concat(startAndFirstTask, ev(evTimerStarted, evWorkflowTimedOut)))
			if got := events[len(events)-1].GetWorkflowExecutionTimedOutEventAttributes().GetRetryState(); got != tt.wantRetryState {
				t.Errorf("WorkflowExecutionTimedOut retry_state = %v, want %v", got, tt.wantRetryState)
			}
		})
	}
}

func TestWorkflowFailsWithApplicationError(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	run := startWorkflow(t, c, "Fails", func(ctx workflow.Context) (string, error) {
		return "", temporal.NewApplicationError("order rejected", "OrderRejected", "detail-1")
	}, client.StartWorkflowOptions{})
	_, err := getResult(t, run)
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		t.Fatalf("error = %v, want an *ApplicationError", err)
	}
	var detail string
	if appErr.Type() != "OrderRejected" || appErr.Message() != "order rejected" {
		t.Errorf("application error = type %q message %q, want OrderRejected / order rejected", appErr.Type(), appErr.Message())
	}
	if err := appErr.Details(&detail); err != nil || detail != "detail-1" {
		t.Errorf("application error details = %q (%v), want detail-1", detail, err)
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(), concat(startAndFirstTask, ev(evWorkflowFailed)))
}

func TestLocalActivityRecordsMarker(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	var calls atomic.Int32
	local := func(ctx context.Context, name string) (string, error) {
		calls.Add(1)
		return "local hello, " + name, nil
	}
	run := startWorkflow(t, c, "LocalActivity", func(ctx workflow.Context) (string, error) {
		ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second})
		var result string
		err := workflow.ExecuteLocalActivity(ctx, local, "Sundial").Get(ctx, &result)
		return result, err
	}, client.StartWorkflowOptions{})
	result, err := getResult(t, run)
	if err != nil || result != "local hello, Sundial" {
		t.Fatalf("result = %q, %v; want %q", result, err, "local hello, Sundial")
	}
	if calls.Load() != 1 {
		t.Errorf("local activity ran %d times, want 1", calls.Load())
	}
	events := requireHistory(t, c, run.GetID(), run.GetRunID(), concat(startAndFirstTask, ev(evMarkerRecorded, evWorkflowCompleted)))
	if got := eventsOfType(events, evMarkerRecorded)[0].GetMarkerRecordedEventAttributes().GetMarkerName(); got != "LocalActivity" {
		t.Errorf("marker name = %q, want LocalActivity", got)
	}
}

func TestTimerFires(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	run := startWorkflow(t, c, "Sleeps", func(ctx workflow.Context) (string, error) {
		if err := workflow.Sleep(ctx, 300*time.Millisecond); err != nil {
			return "", err
		}
		return "rested", nil
	}, client.StartWorkflowOptions{})
	result, err := getResult(t, run)
	if err != nil || result != "rested" {
		t.Fatalf("result = %q, %v; want rested", result, err)
	}
	events := requireHistory(t, c, run.GetID(), run.GetRunID(),
		concat(startAndFirstTask, ev(evTimerStarted, evTimerFired), workflowTask, ev(evWorkflowCompleted)))
	started, fired := eventsOfType(events, evTimerStarted)[0], eventsOfType(events, evTimerFired)[0]
	if waited := fired.GetEventTime().AsTime().Sub(started.GetEventTime().AsTime()); waited < 300*time.Millisecond {
		t.Errorf("timer fired after %v, want at least 300ms", waited)
	}
	if fired.GetTimerFiredEventAttributes().GetStartedEventId() != started.GetEventId() {
		t.Errorf("TimerFired.started_event_id = %d, want %d", fired.GetTimerFiredEventAttributes().GetStartedEventId(), started.GetEventId())
	}
}

func TestTimerCanceledThroughContext(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	run := startWorkflow(t, c, "CancelsTimer", func(ctx workflow.Context) (string, error) {
		timerCtx, cancelTimer := workflow.WithCancel(ctx)
		long := workflow.NewTimer(timerCtx, time.Hour)
		if err := workflow.Sleep(ctx, 100*time.Millisecond); err != nil {
			return "", err
		}
		cancelTimer()
		var canceled *temporal.CanceledError
		if err := long.Get(ctx, nil); !errors.As(err, &canceled) {
			return "", temporal.NewNonRetryableApplicationError("long timer did not end as canceled", "Unexpected", err)
		}
		return "timer canceled", nil
	}, client.StartWorkflowOptions{})
	result, err := getResult(t, run)
	if err != nil || result != "timer canceled" {
		t.Fatalf("result = %q, %v; want %q", result, err, "timer canceled")
	}
	events := requireHistory(t, c, run.GetID(), run.GetRunID(), concat(startAndFirstTask,
		ev(evTimerStarted, evTimerStarted, evTimerFired), workflowTask, ev(evTimerCanceled, evWorkflowCompleted)))
	longStarted := eventsOfType(events, evTimerStarted)[0]
	canceled := eventsOfType(events, evTimerCanceled)[0].GetTimerCanceledEventAttributes()
	if canceled.GetStartedEventId() != longStarted.GetEventId() || canceled.GetTimerId() != longStarted.GetTimerStartedEventAttributes().GetTimerId() {
		t.Errorf("TimerCanceled refers to timer %q / event %d, want the hour-long timer (event %d)",
			canceled.GetTimerId(), canceled.GetStartedEventId(), longStarted.GetEventId())
	}
}

// waitsForCancel blocks until the workflow is cancelled and then reports it.
func waitsForCancel(ctx workflow.Context) (string, error) {
	err := workflow.Await(ctx, func() bool { return false })
	return "", err
}

// cancelThenFinish notices the cancel request but stays open until a "finish"
// signal, then reports the cancellation.
func cancelThenFinish(ctx workflow.Context) (string, error) {
	_ = workflow.Await(ctx, func() bool { return false })
	disconnected, _ := workflow.NewDisconnectedContext(ctx)
	workflow.GetSignalChannel(ctx, "finish").Receive(disconnected, nil)
	return "", ctx.Err()
}

func TestCancelWorkflow(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	run := startWorkflow(t, c, "WaitsForCancel", waitsForCancel, client.StartWorkflowOptions{})
	waitForHistoryEvent(t, c, run.GetID(), run.GetRunID(), evTaskCompleted)
	ctx := testContext(t, 10*time.Second)
	if err := c.CancelWorkflow(ctx, run.GetID(), run.GetRunID()); err != nil {
		t.Fatalf("cancelling workflow: %v", err)
	}
	_, err := getResult(t, run)
	var canceled *temporal.CanceledError
	if !errors.As(err, &canceled) {
		t.Fatalf("error = %v, want a *CanceledError", err)
	}
	want := concat(startAndFirstTask, ev(evWorkflowCancelRequested), workflowTask, ev(evWorkflowCanceled))
	requireHistory(t, c, run.GetID(), run.GetRunID(), want)
	// Temporal (v1.32) treats cancelling a closed run as a successful no-op.
	if err := c.CancelWorkflow(ctx, run.GetID(), run.GetRunID()); err != nil {
		t.Errorf("cancelling a closed run: %v, want success without effect", err)
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(), want)
}

func TestCancelWorkflowRequestIsIdempotent(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	run := startWorkflow(t, c, "CancelThenFinish", cancelThenFinish, client.StartWorkflowOptions{})
	waitForHistoryEvent(t, c, run.GetID(), run.GetRunID(), evTaskCompleted)
	ctx := testContext(t, 20*time.Second)
	if err := c.CancelWorkflow(ctx, run.GetID(), run.GetRunID()); err != nil {
		t.Fatalf("cancelling workflow: %v", err)
	}
	waitForHistoryEventCount(t, c, run.GetID(), run.GetRunID(), evTaskCompleted, 2)
	// The workflow is still open, so a second request is accepted and adds nothing.
	if err := c.CancelWorkflow(ctx, run.GetID(), run.GetRunID()); err != nil {
		t.Errorf("repeating the cancel request: %v", err)
	}
	if err := c.SignalWorkflow(ctx, run.GetID(), run.GetRunID(), "finish", nil); err != nil {
		t.Fatalf("signalling workflow: %v", err)
	}
	_, err := getResult(t, run)
	var canceled *temporal.CanceledError
	if !errors.As(err, &canceled) {
		t.Fatalf("error = %v, want a *CanceledError", err)
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(), concat(startAndFirstTask, ev(evWorkflowCancelRequested), workflowTask,
		ev(evWorkflowSignaled), workflowTask, ev(evWorkflowCanceled)))
}

func TestTerminateWorkflow(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	run := startWorkflow(t, c, "WaitsForCancel", waitsForCancel, client.StartWorkflowOptions{})
	waitForHistoryEvent(t, c, run.GetID(), run.GetRunID(), evTaskCompleted)
	ctx := testContext(t, 10*time.Second)
	if err := c.TerminateWorkflow(ctx, run.GetID(), run.GetRunID(), "operator says stop", "detail"); err != nil {
		t.Fatalf("terminating workflow: %v", err)
	}
	_, err := getResult(t, run)
	var terminated *temporal.TerminatedError
	if !errors.As(err, &terminated) {
		t.Fatalf("error = %v, want a *TerminatedError", err)
	}
	events := requireHistory(t, c, run.GetID(), run.GetRunID(), concat(startAndFirstTask, ev(evWorkflowTerminated)))
	if got := events[len(events)-1].GetWorkflowExecutionTerminatedEventAttributes().GetReason(); got != "operator says stop" {
		t.Errorf("termination reason = %q, want %q", got, "operator says stop")
	}
	// The run is closed: terminating it again is refused.
	if err := c.TerminateWorkflow(ctx, run.GetID(), run.GetRunID(), "again"); err == nil {
		t.Errorf("terminating a closed run succeeded, want NotFound")
	}
}
