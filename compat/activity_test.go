package compat

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// oneActivityWorkflow is the name of the workflow runOneActivity registers: it calls
// the activity "act" once and returns its string result or its error.
const oneActivityWorkflow = "OneActivity"

// runOneActivity runs a workflow that calls activityFn (registered as "act") once
// with opts and waits for it. It returns the run, the activity's result and the
// workflow's error as the client sees it.
func runOneActivity(t *testing.T, c client.Client, opts workflow.ActivityOptions, activityFn any) (client.WorkflowRun, string, error) {
	t.Helper()
	ctx := testContext(t, 60*time.Second)
	taskQueue := uniqueName(t, "tq")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(func(ctx workflow.Context) (string, error) {
			ctx = workflow.WithActivityOptions(ctx, opts)
			var result string
			err := workflow.ExecuteActivity(ctx, "act").Get(ctx, &result)
			return result, err
		}, workflow.RegisterOptions{Name: oneActivityWorkflow})
		r.RegisterActivityWithOptions(activityFn, activity.RegisterOptions{Name: "act"})
	})
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "wf"), TaskQueue: taskQueue}, oneActivityWorkflow)
	if err != nil {
		t.Fatalf("starting workflow: %v", err)
	}
	var result string
	err = run.Get(ctx, &result)
	return run, result, err
}

// attemptLog records when each attempt of an activity started.
type attemptLog struct {
	mu     sync.Mutex
	starts []time.Time
}

func (l *attemptLog) record() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.starts = append(l.starts, time.Now())
	return len(l.starts)
}

func (l *attemptLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.starts)
}

// gaps returns the time between consecutive attempts.
func (l *attemptLog) gaps() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(l.starts); i++ {
		out = append(out, l.starts[i].Sub(l.starts[i-1]))
	}
	return out
}

// requireActivityError unwraps err (as the client sees it) to the activity's error
// and checks its retry state.
func requireActivityError(t *testing.T, err error, wantRetryState enumspb.RetryState) *temporal.ActivityError {
	t.Helper()
	var activityErr *temporal.ActivityError
	if !errors.As(err, &activityErr) {
		t.Fatalf("workflow error = %v, want it to wrap an *ActivityError", err)
	}
	if activityErr.RetryState() != wantRetryState {
		t.Errorf("activity retry state = %v, want %v (error: %v)", activityErr.RetryState(), wantRetryState, err)
	}
	return activityErr
}

// requireTimeout checks that err wraps a *TimeoutError of the wanted type.
func requireTimeout(t *testing.T, err error, want enumspb.TimeoutType) *temporal.TimeoutError {
	t.Helper()
	var timeoutErr *temporal.TimeoutError
	if !errors.As(err, &timeoutErr) {
		t.Fatalf("error = %v, want it to wrap a *TimeoutError", err)
	}
	if timeoutErr.TimeoutType() != want {
		t.Errorf("timeout type = %v, want %v (error: %v)", timeoutErr.TimeoutType(), want, err)
	}
	return timeoutErr
}

// Expected histories of a workflow that calls one activity and then returns.
var (
	oneActivityCompleted = concat(startAndFirstTask, ev(evActivityScheduled, evActivityStarted, evActivityCompleted), workflowTask, ev(evWorkflowCompleted))
	oneActivityFailed    = concat(startAndFirstTask, ev(evActivityScheduled, evActivityStarted, evActivityFailed), workflowTask, ev(evWorkflowFailed))
	oneActivityTimedOut  = concat(startAndFirstTask, ev(evActivityScheduled, evActivityStarted, evActivityTimedOut), workflowTask, ev(evWorkflowFailed))
)

func TestHelloWorldActivity(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	run, result, err := runOneActivity(t, c, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second},
		func(ctx context.Context) (string, error) { return "Hello, World!", nil })
	if err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	if result != "Hello, World!" {
		t.Errorf("result = %q, want %q", result, "Hello, World!")
	}
	events := requireHistory(t, c, run.GetID(), run.GetRunID(), oneActivityCompleted)
	started := eventsOfType(events, evActivityStarted)[0].GetActivityTaskStartedEventAttributes()
	if started.GetAttempt() != 1 {
		t.Errorf("ActivityTaskStarted attempt = %d, want 1", started.GetAttempt())
	}
	completed := eventsOfType(events, evActivityCompleted)[0].GetActivityTaskCompletedEventAttributes()
	scheduledID := eventsOfType(events, evActivityScheduled)[0].GetEventId()
	if completed.GetScheduledEventId() != scheduledID || completed.GetStartedEventId() != scheduledID+1 {
		t.Errorf("ActivityTaskCompleted refers to scheduled %d / started %d, want %d / %d",
			completed.GetScheduledEventId(), completed.GetStartedEventId(), scheduledID, scheduledID+1)
	}
}

func TestActivityRetryExponentialBackoff(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	var attempts attemptLog
	run, result, err := runOneActivity(t, c, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second},
	}, func(ctx context.Context) (string, error) {
		n := attempts.record()
		if got := activity.GetInfo(ctx).Attempt; int(got) != n {
			return "", temporal.NewNonRetryableApplicationError(fmt.Sprintf("info says attempt %d, this is call %d", got, n), "WrongAttempt", nil)
		}
		if n < 4 {
			return "", fmt.Errorf("transient failure %d", n)
		}
		return fmt.Sprintf("succeeded on attempt %d", n), nil
	})
	if err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	if result != "succeeded on attempt 4" {
		t.Errorf("result = %q, want %q", result, "succeeded on attempt 4")
	}
	// Backoffs 100ms, 200ms, 400ms: each gap is at least that, and well under the
	// next power so the coefficient is really applied.
	for i, gap := range attempts.gaps() {
		want := 100 * time.Millisecond << i
		if gap < want-20*time.Millisecond || gap > want+2*time.Second {
			t.Errorf("gap before attempt %d = %v, want about %v", i+2, gap, want)
		}
	}
	events := requireHistory(t, c, run.GetID(), run.GetRunID(), oneActivityCompleted)
	started := eventsOfType(events, evActivityStarted)[0].GetActivityTaskStartedEventAttributes()
	if started.GetAttempt() != 4 {
		t.Errorf("the single ActivityTaskStarted has attempt %d, want 4", started.GetAttempt())
	}
	if started.GetLastFailure().GetMessage() != "transient failure 3" {
		t.Errorf("ActivityTaskStarted last_failure = %q, want the third attempt's failure", started.GetLastFailure().GetMessage())
	}
}

func TestActivityRetryMaximumInterval(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	var attempts attemptLog
	run, _, err := runOneActivity(t, c, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, BackoffCoefficient: 10, MaximumInterval: 300 * time.Millisecond},
	}, func(ctx context.Context) (string, error) {
		if n := attempts.record(); n < 4 {
			return "", fmt.Errorf("transient failure %d", n)
		}
		return "done", nil
	})
	if err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	// Uncapped, the backoffs would be 100ms, 1s, 10s; capped at 300ms they are
	// 100ms, 300ms, 300ms.
	gaps := attempts.gaps()
	if len(gaps) != 3 {
		t.Fatalf("got %d attempts, want 4", len(gaps)+1)
	}
	for i, want := range []time.Duration{100 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond} {
		if gaps[i] < want-20*time.Millisecond || gaps[i] > want+2*time.Second {
			t.Errorf("gap before attempt %d = %v, want about %v", i+2, gaps[i], want)
		}
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(), oneActivityCompleted)
}

func TestActivityRetryMaximumAttempts(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	var attempts attemptLog
	run, _, err := runOneActivity(t, c, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 50 * time.Millisecond, MaximumAttempts: 3},
	}, func(ctx context.Context) (string, error) {
		return "", temporal.NewApplicationError(fmt.Sprintf("failure %d", attempts.record()), "Flaky")
	})
	activityErr := requireActivityError(t, err, enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED)
	var appErr *temporal.ApplicationError
	if !errors.As(activityErr, &appErr) || appErr.Type() != "Flaky" || appErr.Message() != "failure 3" {
		t.Errorf("activity error cause = %v, want the third attempt's ApplicationError of type Flaky", activityErr.Unwrap())
	}
	if attempts.count() != 3 {
		t.Errorf("activity ran %d times, want 3", attempts.count())
	}
	events := requireHistory(t, c, run.GetID(), run.GetRunID(), oneActivityFailed)
	if got := eventsOfType(events, evActivityStarted)[0].GetActivityTaskStartedEventAttributes().GetAttempt(); got != 3 {
		t.Errorf("ActivityTaskStarted attempt = %d, want 3", got)
	}
	if got := eventsOfType(events, evActivityFailed)[0].GetActivityTaskFailedEventAttributes().GetRetryState(); got != enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED {
		t.Errorf("ActivityTaskFailed retry_state = %v, want MAXIMUM_ATTEMPTS_REACHED", got)
	}
}

func TestActivityNonRetryableErrorTypes(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	var attempts attemptLog
	run, _, err := runOneActivity(t, c, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 50 * time.Millisecond, MaximumAttempts: 5, NonRetryableErrorTypes: []string{"BadInput"}},
	}, func(ctx context.Context) (string, error) {
		attempts.record()
		return "", temporal.NewApplicationError("input was bad", "BadInput")
	})
	requireActivityError(t, err, enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE)
	if attempts.count() != 1 {
		t.Errorf("activity ran %d times, want 1", attempts.count())
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(), oneActivityFailed)
}

func TestActivityNonRetryableApplicationError(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	var attempts attemptLog
	run, _, err := runOneActivity(t, c, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 50 * time.Millisecond, MaximumAttempts: 5},
	}, func(ctx context.Context) (string, error) {
		attempts.record()
		return "", temporal.NewNonRetryableApplicationError("give up", "Fatal", nil)
	})
	activityErr := requireActivityError(t, err, enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE)
	var appErr *temporal.ApplicationError
	if !errors.As(activityErr, &appErr) || !appErr.NonRetryable() || appErr.Type() != "Fatal" {
		t.Errorf("activity error cause = %v, want a non-retryable ApplicationError of type Fatal", activityErr.Unwrap())
	}
	if attempts.count() != 1 {
		t.Errorf("activity ran %d times, want 1", attempts.count())
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(), oneActivityFailed)
}

func TestActivityNextRetryDelay(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	var attempts attemptLog
	run, result, err := runOneActivity(t, c, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		// Without next_retry_delay the second attempt would wait a minute.
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Minute},
	}, func(ctx context.Context) (string, error) {
		if attempts.record() == 1 {
			return "", temporal.NewApplicationErrorWithOptions("come back soon", "Busy", temporal.ApplicationErrorOptions{NextRetryDelay: 300 * time.Millisecond})
		}
		return "second time lucky", nil
	})
	if err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	if result != "second time lucky" {
		t.Errorf("result = %q", result)
	}
	if gaps := attempts.gaps(); len(gaps) != 1 || gaps[0] < 280*time.Millisecond || gaps[0] > 5*time.Second {
		t.Errorf("gaps between attempts = %v, want one of about 300ms", gaps)
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(), oneActivityCompleted)
}

func TestActivityScheduleToCloseTimeout(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	run, _, err := runOneActivity(t, c, workflow.ActivityOptions{ScheduleToCloseTimeout: time.Second},
		func(ctx context.Context) (string, error) {
			<-ctx.Done()
			return "", ctx.Err()
		})
	requireActivityError(t, err, enumspb.RETRY_STATE_TIMEOUT)
	requireTimeout(t, err, enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE)
	requireHistory(t, c, run.GetID(), run.GetRunID(), oneActivityTimedOut)
}

func TestActivityScheduleToCloseAfterRetries(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	var attempts attemptLog
	run, _, err := runOneActivity(t, c, workflow.ActivityOptions{
		ScheduleToCloseTimeout: 3 * time.Second,
		StartToCloseTimeout:    300 * time.Millisecond,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, BackoffCoefficient: 1},
	}, func(ctx context.Context) (string, error) {
		attempts.record()
		<-ctx.Done()
		return "", ctx.Err()
	})
	requireActivityError(t, err, enumspb.RETRY_STATE_TIMEOUT)
	requireTimeout(t, err, enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE)
	if attempts.count() < 2 {
		t.Errorf("activity ran %d times, want several start-to-close attempts before the schedule-to-close deadline", attempts.count())
	}
	t.Logf("%d attempts before the schedule-to-close deadline", attempts.count())
	// Whether the deadline finds an attempt running (Started is written) or waiting
	// for its retry (no Started) depends on timing.
	requireHistoryOneOf(t, c, run.GetID(), run.GetRunID(), oneActivityTimedOut,
		concat(startAndFirstTask, ev(evActivityScheduled, evActivityTimedOut), workflowTask, ev(evWorkflowFailed)))
}

func TestActivityScheduleToStartTimeout(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	// No worker polls this queue, so the activity is never started.
	run, _, err := runOneActivity(t, c, workflow.ActivityOptions{
		TaskQueue:              uniqueName(t, "nobody"),
		ScheduleToStartTimeout: 500 * time.Millisecond,
		StartToCloseTimeout:    10 * time.Second,
	}, func(ctx context.Context) (string, error) { return "never runs", nil })
	requireActivityError(t, err, enumspb.RETRY_STATE_TIMEOUT)
	requireTimeout(t, err, enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START)
	requireHistory(t, c, run.GetID(), run.GetRunID(),
		concat(startAndFirstTask, ev(evActivityScheduled, evActivityTimedOut), workflowTask, ev(evWorkflowFailed)))
}

func TestActivityStartToCloseTimeout(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	run, _, err := runOneActivity(t, c, workflow.ActivityOptions{
		StartToCloseTimeout: 300 * time.Millisecond,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	}, func(ctx context.Context) (string, error) {
		<-ctx.Done()
		return "", ctx.Err()
	})
	requireActivityError(t, err, enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED)
	requireTimeout(t, err, enumspb.TIMEOUT_TYPE_START_TO_CLOSE)
	requireHistory(t, c, run.GetID(), run.GetRunID(), oneActivityTimedOut)
}

func TestActivityHeartbeatTimeout(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	run, _, err := runOneActivity(t, c, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		HeartbeatTimeout:    time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	}, func(ctx context.Context) (string, error) {
		activity.RecordHeartbeat(ctx, "last words")
		<-ctx.Done() // no more heartbeats: the server times the attempt out
		return "", ctx.Err()
	})
	requireActivityError(t, err, enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED)
	timeoutErr := requireTimeout(t, err, enumspb.TIMEOUT_TYPE_HEARTBEAT)
	var details string
	if !timeoutErr.HasLastHeartbeatDetails() {
		t.Errorf("heartbeat timeout carries no heartbeat details")
	} else if err := timeoutErr.LastHeartbeatDetails(&details); err != nil || details != "last words" {
		t.Errorf("last heartbeat details = %q (%v), want %q", details, err, "last words")
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(), oneActivityTimedOut)
}

func TestActivityHeartbeatDetailsReachNextAttempt(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	run, result, err := runOneActivity(t, c, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		HeartbeatTimeout:    5 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 50 * time.Millisecond, MaximumAttempts: 3},
	}, func(ctx context.Context) (string, error) {
		if activity.GetInfo(ctx).Attempt == 1 {
			if activity.HasHeartbeatDetails(ctx) {
				return "", temporal.NewNonRetryableApplicationError("first attempt already has heartbeat details", "Unexpected", nil)
			}
			activity.RecordHeartbeat(ctx, 41)
			activity.RecordHeartbeat(ctx, 42)
			return "", errors.New("crash after making progress")
		}
		var progress int
		if err := activity.GetHeartbeatDetails(ctx, &progress); err != nil {
			return "", temporal.NewNonRetryableApplicationError("no heartbeat details on retry: "+err.Error(), "Unexpected", nil)
		}
		return fmt.Sprintf("resumed at %d", progress), nil
	})
	if err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	if result != "resumed at 42" {
		t.Errorf("result = %q, want %q", result, "resumed at 42")
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(), oneActivityCompleted)
}

// workflowActivityOptions10s is the plainest activity configuration.
var workflowActivityOptions10s = workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second}
