package engine_test

import (
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"
)

// edited by edit. It returns the run id.
func (e *env) scheduleWith(id string, edit func(*commandpb.ScheduleActivityTaskCommandAttributes)) string {
	e.t.Helper()
	runID := e.start(id, "tq")
	wft := e.pollWFT("tq")
	cmd := scheduleActivityCmd("a1", "tq")
	edit(cmd.GetScheduleActivityTaskCommandAttributes())
	e.completeWFT(wft.TaskToken, cmd)
	return runID
}

// only the final outcome.
func TestActivityRetryThroughEngine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.scheduleWith("retry", func(a *commandpb.ScheduleActivityTaskCommandAttributes) {
		a.RetryPolicy = &commonpb.RetryPolicy{InitialInterval: durationpb.New(200 * time.Millisecond), MaximumAttempts: 3}
	})
	act := e.pollActivity("tq")
	hb, err := e.c.RecordActivityTaskHeartbeat(e.ctx(), &workflowservice.RecordActivityTaskHeartbeatRequest{Namespace: ns, TaskToken: act.TaskToken, Details: payloads("page 3")})
	if err != nil || hb.CancelRequested {
		t.Fatalf("heartbeat = %v, %v", hb, err)
	}
	failedAt := time.Now()
	_, err = e.c.RespondActivityTaskFailed(e.ctx(), &workflowservice.RespondActivityTaskFailedRequest{
		Namespace: ns, TaskToken: act.TaskToken, Identity: "act-worker",
		Failure: &failurepb.Failure{Message: "flaky", FailureInfo: &failurepb.Failure_ApplicationFailureInfo{ApplicationFailureInfo: &failurepb.ApplicationFailureInfo{Type: "Flaky"}}},
	})
	if err != nil {
		t.Fatalf("RespondActivityTaskFailed: %v", err)
	}
	if n := len(e.history("retry", runID)); n != 5 {
		t.Fatalf("a retried failure changed history (%d events)", n)
	}
	retry := e.pollActivity("tq")
	if waited := time.Since(failedAt); waited < 150*time.Millisecond {
		t.Errorf("attempt 2 came %v after the failure; the backoff is 200ms", waited)
	}
	if retry.Attempt != 2 || payloadString(retry.HeartbeatDetails) != "page 3" {
		t.Errorf("attempt 2: attempt %d heartbeat details %q, want 2 and page 3", retry.Attempt, payloadString(retry.HeartbeatDetails))
	}
	if !retry.ScheduledTime.AsTime().Equal(act.ScheduledTime.AsTime()) || !retry.CurrentAttemptScheduledTime.AsTime().After(act.CurrentAttemptScheduledTime.AsTime()) {
		t.Errorf("attempt 2 scheduled_time %v (first %v), current attempt %v (first %v)",
			retry.ScheduledTime.AsTime(), act.ScheduledTime.AsTime(), retry.CurrentAttemptScheduledTime.AsTime(), act.CurrentAttemptScheduledTime.AsTime())
	}
	_, err = e.c.RespondActivityTaskCompleted(e.ctx(), &workflowservice.RespondActivityTaskCompletedRequest{Namespace: ns, TaskToken: act.TaskToken})
	wantCode(t, "completing attempt 1 after attempt 2 started", err, codes.NotFound)
	e.completeActivity(retry.TaskToken, "ok")

	h := e.history("retry", runID)
	wantTypes(t, h[5:], enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	if a := h[5].GetActivityTaskStartedEventAttributes(); a.Attempt != 2 || a.GetLastFailure().GetMessage() != "flaky" {
		t.Errorf("ActivityTaskStarted = %v", a)
	}
}

// running attempt and the workflow gets a task.
func TestActivityStartToCloseTimeoutThroughEngine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.scheduleWith("slow", func(a *commandpb.ScheduleActivityTaskCommandAttributes) {
		a.StartToCloseTimeout = durationpb.New(300 * time.Millisecond)
		a.RetryPolicy = &commonpb.RetryPolicy{MaximumAttempts: 1}
	})
	act := e.pollActivity("tq")
	wft := e.pollWFT("tq")
	h := wft.GetHistory().GetEvents()
	wantTypes(t, h[5:], enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED)
	to := h[6].GetActivityTaskTimedOutEventAttributes()
	if to.GetFailure().GetTimeoutFailureInfo().GetTimeoutType() != enumspb.TIMEOUT_TYPE_START_TO_CLOSE || to.StartedEventId != 6 ||
		to.RetryState != enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED {
		t.Errorf("ActivityTaskTimedOut = %v", to)
	}
	_, err := e.c.RespondActivityTaskCompleted(e.ctx(), &workflowservice.RespondActivityTaskCompletedRequest{Namespace: ns, TaskToken: act.TaskToken})
	wantCode(t, "completing a timed-out activity", err, codes.NotFound)
	e.completeWFT(wft.TaskToken, completeWorkflowCmd("gave up"))
	if n := len(e.history("slow", runID)); n != 11 {
		t.Errorf("history has %d events, want 11", n)
	}
}

// activity through its heartbeat; RespondActivityTaskCanceled closes it.
func TestActivityCancellationThroughEngine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.scheduleWith("cancel", func(*commandpb.ScheduleActivityTaskCommandAttributes) {})
	act := e.pollActivity("tq")
	_, err := e.c.RespondActivityTaskCanceled(e.ctx(), &workflowservice.RespondActivityTaskCanceledRequest{Namespace: ns, TaskToken: act.TaskToken})
	wantCode(t, "canceling an activity nobody asked to cancel", err, codes.InvalidArgument)

	e.signal("cancel", "stop")
	wft := e.pollWFT("tq")
	e.completeWFT(wft.TaskToken, &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK,
		Attributes: &commandpb.Command_RequestCancelActivityTaskCommandAttributes{RequestCancelActivityTaskCommandAttributes: &commandpb.RequestCancelActivityTaskCommandAttributes{
			ScheduledEventId: 5,
		}},
	})
	hb, err := e.c.RecordActivityTaskHeartbeatById(e.ctx(), &workflowservice.RecordActivityTaskHeartbeatByIdRequest{
		Namespace: ns, WorkflowId: "cancel", ActivityId: "a1", Details: payloads("half"),
	})
	if err != nil || !hb.CancelRequested {
		t.Fatalf("heartbeat by id after the cancel request = %v, %v; want cancel_requested", hb, err)
	}
	_, err = e.c.RespondActivityTaskCanceled(e.ctx(), &workflowservice.RespondActivityTaskCanceledRequest{Namespace: ns, TaskToken: act.TaskToken, Details: payloads("stopped")})
	if err != nil {
		t.Fatalf("RespondActivityTaskCanceled: %v", err)
	}
	h := e.history("cancel", runID)
	wantTypes(t, h[8:], enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	if c := h[11].GetActivityTaskCanceledEventAttributes(); c.StartedEventId != 11 || c.LatestCancelRequestedEventId != 10 || payloadString(c.Details) != "stopped" {
		t.Errorf("ActivityTaskCanceled = %v", c)
	}
}
