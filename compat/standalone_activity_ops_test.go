package compat

import (
	"errors"
	"testing"
	"time"

	activitypb "go.temporal.io/api/activity/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/sundialdev/sundial/server"
)

// TestStandaloneActivityOperatorCommands: PauseActivityExecution,
// UpdateActivityExecutionOptions, ResetActivityExecution and
// UnpauseActivityExecution act on a standalone activity when they name no
// workflow, and on a workflow's activity when they do. Sundial serves them;
// Temporal's servers leave them off by default, so this runs on Sundial.
func TestStandaloneActivityOperatorCommands(t *testing.T) {
	tg := startSundial(t, server.Options{})
	c := dial(t, tg)
	raw := dialRaw(t, tg)
	ctx := testContext(t, time.Minute)
	queue := uniqueName(t, "ops")
	acts := newStandaloneActivities()
	standaloneWorker(t, c, queue, acts)
	id := uniqueName(t, "block")
	h, err := c.ExecuteActivity(ctx, client.StartActivityOptions{ID: id, TaskQueue: queue, StartToCloseTimeout: time.Minute, HeartbeatTimeout: 10 * time.Second}, "Block")
	if err != nil {
		t.Fatal(err)
	}
	<-acts.started

	// Pause: the running attempt learns of it through its heartbeat and
	// stops; the activity waits, paused.
	if _, err := raw.PauseActivityExecution(ctx, &workflowservice.PauseActivityExecutionRequest{Namespace: tg.Namespace, ActivityId: id, Reason: "look first", RequestId: "pause-1"}); err != nil {
		t.Fatalf("PauseActivityExecution: %v", err)
	}
	eventually(t, 20*time.Second, "the activity paused", func() bool {
		return describeActivity(t, ctx, c, id, "").RunState == enumspb.PENDING_ACTIVITY_STATE_PAUSED
	})
	t.Log("paused")
	if _, err := raw.PauseActivityExecution(ctx, &workflowservice.PauseActivityExecutionRequest{Namespace: tg.Namespace, ActivityId: id, RequestId: "pause-1"}); err != nil {
		t.Errorf("the same pause request again = %v, want success", err)
	}
	_, err = raw.PauseActivityExecution(ctx, &workflowservice.PauseActivityExecutionRequest{Namespace: tg.Namespace, ActivityId: id, RequestId: "pause-2"})
	var pre *serviceerror.FailedPrecondition
	if !errors.As(rawError(err), &pre) {
		t.Errorf("another pause request = %v, want FailedPrecondition", err)
	}

	// Update the options the mask names.
	upd, err := raw.UpdateActivityExecutionOptions(ctx, &workflowservice.UpdateActivityExecutionOptionsRequest{
		Namespace: tg.Namespace, ActivityId: id,
		ActivityOptions: &activitypb.ActivityOptions{StartToCloseTimeout: durationpb.New(42 * time.Second), ScheduleToCloseTimeout: durationpb.New(time.Hour)},
		UpdateMask:      &fieldmaskpb.FieldMask{Paths: []string{"start_to_close_timeout"}},
	})
	if err != nil {
		t.Fatalf("UpdateActivityExecutionOptions: %v", err)
	}
	if got := upd.GetActivityOptions().GetStartToCloseTimeout().AsDuration(); got != 42*time.Second {
		t.Errorf("start-to-close after the update %v, want 42s", got)
	}
	if got := upd.GetActivityOptions().GetScheduleToCloseTimeout().AsDuration(); got == time.Hour {
		t.Errorf("schedule-to-close changed to %v though the mask leaves it", got)
	}

	// Reset, not keeping it paused: attempt 1 runs again.
	if _, err := raw.ResetActivityExecution(ctx, &workflowservice.ResetActivityExecutionRequest{Namespace: tg.Namespace, ActivityId: id, ResetHeartbeat: true}); err != nil {
		t.Fatalf("ResetActivityExecution: %v", err)
	}
	select {
	case <-acts.started:
	case <-ctx.Done():
		t.Fatal("the reset activity did not run again")
	}
	t.Log("reset attempt running")
	if d := describeActivity(t, ctx, c, id, ""); d.Attempt != 1 || d.RunState == enumspb.PENDING_ACTIVITY_STATE_PAUSED {
		t.Errorf("after reset: attempt %d, state %v; want attempt 1, not paused", d.Attempt, d.RunState)
	}

	// Pause and unpause again: it runs once more.
	if _, err := raw.PauseActivityExecution(ctx, &workflowservice.PauseActivityExecutionRequest{Namespace: tg.Namespace, ActivityId: id}); err != nil {
		t.Fatalf("PauseActivityExecution: %v", err)
	}
	eventually(t, 20*time.Second, "the activity paused again", func() bool {
		return describeActivity(t, ctx, c, id, "").RunState == enumspb.PENDING_ACTIVITY_STATE_PAUSED
	})
	if _, err := raw.UnpauseActivityExecution(ctx, &workflowservice.UnpauseActivityExecutionRequest{Namespace: tg.Namespace, ActivityId: id}); err != nil {
		t.Fatalf("UnpauseActivityExecution: %v", err)
	}
	t.Log("paused again")
	select {
	case <-acts.started:
	case <-ctx.Done():
		t.Fatal("the unpaused activity did not run again")
	}
	t.Log("unpaused attempt running")
	if err := h.Terminate(ctx, client.TerminateActivityOptions{Reason: "done"}); err != nil {
		t.Fatal(err)
	}

	_, err = raw.PauseActivityExecution(ctx, &workflowservice.PauseActivityExecutionRequest{Namespace: tg.Namespace, ActivityId: uniqueName(t, "none")})
	if !isNotFound(err) {
		t.Errorf("pausing an unknown activity = %v, want NotFound", err)
	}

	// With a workflow id, the same RPC pauses that workflow's activity.
	act := newOpsActivity(func(_, call int32) bool { return call > 1 })
	wc, run := startOps(t, tg, act, 100*time.Millisecond)
	waitPending(t, wc, run, "workflow activity running", func(p *workflowpb.PendingActivityInfo) bool {
		return p.State == enumspb.PENDING_ACTIVITY_STATE_STARTED
	})
	if _, err := raw.PauseActivityExecution(ctx, &workflowservice.PauseActivityExecutionRequest{
		Namespace: tg.Namespace, WorkflowId: run.GetID(), ActivityId: "op-1",
	}); err != nil {
		t.Fatalf("PauseActivityExecution of a workflow activity: %v", err)
	}
	waitPending(t, wc, run, "workflow activity paused", func(p *workflowpb.PendingActivityInfo) bool {
		return p.State == enumspb.PENDING_ACTIVITY_STATE_PAUSED
	})
}
