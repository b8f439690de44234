package compat

import (
	"context"
	"errors"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// pendingActivity returns an activity that hands its info to the test and leaves
// its result pending for a client to supply.
func pendingActivity(infos chan<- activity.Info) func(ctx context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		infos <- activity.GetInfo(ctx)
		return "", activity.ErrResultPending
	}
}

// completeAsync runs a one-activity workflow whose activity goes async, hands the
// activity's info to complete, and returns the workflow's run, result and error.
func completeAsync(t *testing.T, c client.Client, complete func(ctx context.Context, info activity.Info) error) (client.WorkflowRun, string, error) {
	t.Helper()
	infos := make(chan activity.Info, 1)
	completed := make(chan error, 1)
	go func() {
		select {
		case info := <-infos:
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			completed <- complete(ctx, info)
		case <-time.After(30 * time.Second):
			completed <- errors.New("activity never started")
		}
	}()
	run, result, err := runOneActivity(t, c, workflow.ActivityOptions{
		ActivityID:          "async-act",
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	}, pendingActivity(infos))
	if completeErr := <-completed; completeErr != nil {
		t.Fatalf("completing the activity asynchronously: %v", completeErr)
	}
	return run, result, err
}

func TestAsyncCompletionByTaskToken(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	var token []byte
	run, result, err := completeAsync(t, c, func(ctx context.Context, info activity.Info) error {
		token = info.TaskToken
		return c.CompleteActivity(ctx, info.TaskToken, "finished by token", nil)
	})
	if err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	if result != "finished by token" {
		t.Errorf("result = %q, want %q", result, "finished by token")
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(), oneActivityCompleted)

	// The token is spent: using it again is refused as NotFound.
	ctx := testContext(t, 10*time.Second)
	err = c.CompleteActivity(ctx, token, "again", nil)
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		t.Errorf("second completion with the same token: error = %v, want NotFound", err)
	}
}

func TestAsyncCompletionByID(t *testing.T) {
	t.Parallel()
	tg, c := setup(t)
	run, result, err := completeAsync(t, c, func(ctx context.Context, info activity.Info) error {
		wf := info.WorkflowExecution
		if err := c.RecordActivityHeartbeatByID(ctx, tg.Namespace, wf.ID, wf.RunID, info.ActivityID, "still going"); err != nil {
			return err
		}
		return c.CompleteActivityByID(ctx, tg.Namespace, wf.ID, wf.RunID, info.ActivityID, "finished by id", nil)
	})
	if err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	if result != "finished by id" {
		t.Errorf("result = %q, want %q", result, "finished by id")
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(), oneActivityCompleted)
}

func TestAsyncFailureByID(t *testing.T) {
	t.Parallel()
	tg, c := setup(t)
	run, _, err := completeAsync(t, c, func(ctx context.Context, info activity.Info) error {
		wf := info.WorkflowExecution
		// An empty run id means the workflow's current run.
		return c.CompleteActivityByID(ctx, tg.Namespace, wf.ID, "", info.ActivityID, nil,
			temporal.NewApplicationError("failed from outside", "External"))
	})
	activityErr := requireActivityError(t, err, enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED)
	var appErr *temporal.ApplicationError
	if !errors.As(activityErr, &appErr) || appErr.Type() != "External" {
		t.Errorf("activity error cause = %v, want the ApplicationError of type External", activityErr.Unwrap())
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(), oneActivityFailed)
}
