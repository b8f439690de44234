package engine_test

import (
	"context"
	"testing"
	"time"

	activitypb "go.temporal.io/api/activity/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// pollActivityNone polls tq briefly and fails if a task comes.
func (e *env) pollActivityNone(tq string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 1300*time.Millisecond)
	defer cancel()
	resp, err := e.c.PollActivityTaskQueue(ctx, &workflowservice.PollActivityTaskQueueRequest{
		Namespace: ns, TaskQueue: &taskqueuepb.TaskQueue{Name: tq}, Identity: "act-worker",
	})
	if err != nil {
		e.t.Fatalf("PollActivityTaskQueue(%s): %v", tq, err)
	}
	if len(resp.TaskToken) != 0 {
		e.t.Fatalf("PollActivityTaskQueue(%s) handed out %q attempt %d while it should wait", tq, resp.ActivityId, resp.Attempt)
	}
}

// TestPausedActivityAndRunSurviveRestart: a paused activity of a paused run
// stays paused and undispatched across a restart on the same file; unpausing
// both (workflow first) hands the activity out, with its pause info gone.
func TestPausedActivityAndRunSurviveRestart(t *testing.T) {
	t.Parallel()
	first := newEnv(t)
	runID := first.start("paused", "tq")
	wft := first.pollWFT("tq")
	first.completeWFT(wft.TaskToken, scheduleActivityCmd("a1", "act-tq"))
	ex := &commonpb.WorkflowExecution{WorkflowId: "paused", RunId: runID}
	if _, err := first.c.PauseActivity(first.ctx(), &workflowservice.PauseActivityRequest{
		Namespace: ns, Execution: ex, Identity: "ops", Reason: "hold", Activity: &workflowservice.PauseActivityRequest_Id{Id: "a1"},
	}); err != nil {
		t.Fatalf("PauseActivity: %v", err)
	}
	if _, err := first.c.PauseWorkflowExecution(first.ctx(), &workflowservice.PauseWorkflowExecutionRequest{
		Namespace: ns, WorkflowId: "paused", Reason: "hold"}); err != nil {
		t.Fatalf("PauseWorkflowExecution: %v", err)
	}
	first.stop()

	second := openEnv(t, first.dbPath)
	second.pollActivityNone("act-tq")
	d, err := second.c.DescribeWorkflowExecution(second.ctx(), &workflowservice.DescribeWorkflowExecutionRequest{Namespace: ns, Execution: ex})
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	if d.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_PAUSED || len(d.PendingActivities) != 1 ||
		d.PendingActivities[0].State != enumspb.PENDING_ACTIVITY_STATE_PAUSED || d.PendingActivities[0].GetPauseInfo().GetManual().GetReason() != "hold" {
		t.Fatalf("after restart: status %v activities %v", d.WorkflowExecutionInfo.Status, d.PendingActivities)
	}
	// Unpausing the activity is not enough while the run is paused.
	if _, err := second.c.UnpauseActivity(second.ctx(), &workflowservice.UnpauseActivityRequest{
		Namespace: ns, Execution: ex, Activity: &workflowservice.UnpauseActivityRequest_Type{Type: "Charge"}}); err != nil {
		t.Fatalf("UnpauseActivity: %v", err)
	}
	second.pollActivityNone("act-tq")
	if _, err := second.c.UnpauseWorkflowExecution(second.ctx(), &workflowservice.UnpauseWorkflowExecutionRequest{
		Namespace: ns, WorkflowId: "paused"}); err != nil {
		t.Fatalf("UnpauseWorkflowExecution: %v", err)
	}
	act := second.pollActivity("act-tq")
	if act.ActivityId != "a1" || act.Attempt != 1 {
		t.Fatalf("activity after unpause: %q attempt %d", act.ActivityId, act.Attempt)
	}
	hb, err := second.c.RecordActivityTaskHeartbeat(second.ctx(), &workflowservice.RecordActivityTaskHeartbeatRequest{Namespace: ns, TaskToken: act.TaskToken})
	if err != nil || hb.ActivityPaused || hb.ActivityReset || hb.CancelRequested {
		t.Fatalf("heartbeat after unpause: %v %v", hb, err)
	}
	if _, err := second.c.ResetActivity(second.ctx(), &workflowservice.ResetActivityRequest{
		Namespace: ns, Execution: ex, Activity: &workflowservice.ResetActivityRequest_Id{Id: "a1"}}); err != nil {
		t.Fatalf("ResetActivity: %v", err)
	}
	hbID, err := second.c.RecordActivityTaskHeartbeatById(second.ctx(), &workflowservice.RecordActivityTaskHeartbeatByIdRequest{
		Namespace: ns, WorkflowId: "paused", ActivityId: "a1"})
	if err != nil || !hbID.ActivityReset || hbID.ActivityPaused {
		t.Fatalf("heartbeat by id after reset: %v %v", hbID, err)
	}
	second.completeActivity(act.TaskToken, "done")
}

// TestActivityOptionsRestoreOriginal: UpdateActivityOptions changes a waiting
// activity's options, and restore_original (and ResetActivity's
// restore_original_options) brings back those it was scheduled with; the
// activity is then handed out on its original queue with them.
func TestActivityOptionsRestoreOriginal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.start("restore", "tq")
	wft := e.pollWFT("tq")
	e.completeWFT(wft.TaskToken, scheduleActivityCmd("a1", "act-tq"))
	ex := &commonpb.WorkflowExecution{WorkflowId: "restore", RunId: runID}
	resp, err := e.c.UpdateActivityOptions(e.ctx(), &workflowservice.UpdateActivityOptionsRequest{
		Namespace: ns, Execution: ex, Activity: &workflowservice.UpdateActivityOptionsRequest_Id{Id: "a1"},
		ActivityOptions: &activitypb.ActivityOptions{
			TaskQueue: &taskqueuepb.TaskQueue{Name: "elsewhere"}, StartToCloseTimeout: durationpb.New(5 * time.Second),
			RetryPolicy: &commonpb.RetryPolicy{MaximumAttempts: 2},
		},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"taskQueue.name", "start_to_close_timeout", "retry_policy.maximum_attempts"}},
	})
	if err != nil {
		t.Fatalf("UpdateActivityOptions: %v", err)
	}
	if o := resp.ActivityOptions; o.GetTaskQueue().GetName() != "elsewhere" || o.GetStartToCloseTimeout().AsDuration() != 5*time.Second ||
		o.GetRetryPolicy().GetMaximumAttempts() != 2 || o.GetRetryPolicy().GetInitialInterval().AsDuration() != time.Second {
		t.Fatalf("options after the update: %v", o)
	}
	e.pollActivityNone("act-tq")
	resp, err = e.c.UpdateActivityOptions(e.ctx(), &workflowservice.UpdateActivityOptionsRequest{
		Namespace: ns, Execution: ex, Activity: &workflowservice.UpdateActivityOptionsRequest_MatchAll{MatchAll: true}, RestoreOriginal: true,
	})
	if err != nil {
		t.Fatalf("restoring: %v", err)
	}
	if o := resp.ActivityOptions; o.GetTaskQueue().GetName() != "act-tq" || o.GetStartToCloseTimeout().AsDuration() != 30*time.Second || o.GetRetryPolicy().GetMaximumAttempts() != 0 {
		t.Fatalf("options after restore: %v", o)
	}
	act := e.pollActivity("act-tq")
	if act.StartToCloseTimeout.AsDuration() != 30*time.Second {
		t.Errorf("task start-to-close %v, want 30s", act.StartToCloseTimeout.AsDuration())
	}
	// An activity task taken from the old queue would be stale: nothing waits there.
	e.pollActivityNone("elsewhere")
	// A bad combination of merged options is refused.
	_, err = e.c.UpdateActivityOptions(e.ctx(), &workflowservice.UpdateActivityOptionsRequest{
		Namespace: ns, Execution: ex, Activity: &workflowservice.UpdateActivityOptionsRequest_Id{Id: "a1"},
		ActivityOptions: &activitypb.ActivityOptions{}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"start_to_close_timeout"}},
	})
	wantCode(t, "clearing the only timeout", err, codes.InvalidArgument)
	if _, err := e.c.ResetActivity(e.ctx(), &workflowservice.ResetActivityRequest{
		Namespace: ns, Execution: ex, Activity: &workflowservice.ResetActivityRequest_Id{Id: "a1"}, RestoreOriginalOptions: true,
	}); err != nil {
		t.Fatalf("ResetActivity restoring options: %v", err)
	}
	e.completeActivity(act.TaskToken, "done")
}
