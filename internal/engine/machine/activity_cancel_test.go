package machine_test

import (
	"errors"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// wakeAndCancel signals the run so a workflow task is scheduled, starts it, and
// completes it with RequestCancelActivityTask for the activity at 5.
func wakeAndCancel(r *run, now time.Time) []*historypb.HistoryEvent {
	r.t.Helper()
	r.do(now, func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "stop"}) })
	r.startWFT(now.Add(time.Second))
	return r.complete(now.Add(2*time.Second), machine.CompletionOptions{Identity: "wf-worker"}, cancelActivity(5))
}

// TestCancelActivityNotStarted: an activity no worker has taken is canceled at
// once, and the workflow gets a new task to see it.
func TestCancelActivityNotStarted(t *testing.T) {
	for _, backoff := range []bool{false, true} {
		name := "scheduled"
		if backoff {
			name = "waiting for a retry"
		}
		t.Run(name, func(t *testing.T) {
			r := toScheduledActivity(t, defaultStart(), activityAttrs(10*time.Second, nil))
			if backoff {
				failAttempt(r, at(3*time.Second), appFailure("boom", "Flaky"))
				if r.activity(5).State != machine.ActivityBackoff {
					t.Fatal("activity is not in backoff")
				}
			}
			evs := wakeAndCancel(r, at(5*time.Second))
			wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
				enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
			req := evs[1].GetActivityTaskCancelRequestedEventAttributes()
			wantInt(t, "CancelRequested.scheduled_event_id", req.ScheduledEventId, 5)
			wantInt(t, "CancelRequested.workflow_task_completed_event_id", req.WorkflowTaskCompletedEventId, evs[0].EventId)
			c := evs[2].GetActivityTaskCanceledEventAttributes()
			wantInt(t, "Canceled.scheduled_event_id", c.ScheduledEventId, 5)
			wantInt(t, "Canceled.started_event_id", c.StartedEventId, 0)
			wantInt(t, "Canceled.latest_cancel_requested_event_id", c.LatestCancelRequestedEventId, evs[1].EventId)
			if len(r.s.Activities) != 0 {
				t.Errorf("canceled activity still open")
			}
			r.wantNextDeadline(time.Time{})
		})
	}
}

// TestCancelActivityStarted: a running activity only gets CancelRequested; the
// worker learns of it by heartbeat and reports Canceled.
func TestCancelActivityStarted(t *testing.T) {
	r := toScheduledActivity(t, defaultStart(), activityAttrs(time.Minute, nil))
	r.startActivity(at(3*time.Second), 5)

	// Before a cancel request, reporting Canceled is refused.
	tx := machine.Begin(r.s.Clone(), at(4*time.Second))
	var reqErr *machine.RequestError
	if err := tx.CancelActivity(tx.S.Activities[5], nil, "act-worker"); !errors.As(err, &reqErr) {
		t.Fatalf("CancelActivity without a request: %v, want *machine.RequestError", err)
	}
	if len(tx.Events) != 0 {
		t.Fatalf("refused cancel wrote %s", types(tx.Events))
	}

	evs := wakeAndCancel(r, at(5*time.Second))
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED)
	requestedID := evs[1].EventId
	if r.s.WorkflowTask != nil {
		t.Errorf("a cancel request of a running activity scheduled a workflow task")
	}
	act := r.activity(5)
	if !act.CancelRequested || act.CancelRequestedEventID != requestedID {
		t.Fatalf("activity CancelRequested=%v id %d", act.CancelRequested, act.CancelRequestedEventID)
	}
	var cancel bool
	r.do(at(8*time.Second), func(tx *machine.Tx) { cancel = tx.HeartbeatActivity(act, nil) })
	if !cancel {
		t.Errorf("heartbeat after the cancel request did not report cancel_requested")
	}

	evs = r.do(at(9*time.Second), func(tx *machine.Tx) {
		if err := tx.CancelActivity(r.activity(5), payloads("partial"), "act-worker"); err != nil {
			t.Fatalf("CancelActivity: %v", err)
		}
	})
	wantTypes(t, evs, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	c := evs[1].GetActivityTaskCanceledEventAttributes()
	wantInt(t, "Canceled.started_event_id", c.StartedEventId, evs[0].EventId)
	wantInt(t, "Canceled.latest_cancel_requested_event_id", c.LatestCancelRequestedEventId, requestedID)
	if payloadString(c.Details) != "partial" || c.Identity != "act-worker" {
		t.Errorf("Canceled = %v", c)
	}
}

// TestCancelRequestedActivityOutcomes: a cancel-requested activity may still
// complete; if it fails or times out it is not retried.
func TestCancelRequestedActivityOutcomes(t *testing.T) {
	setup := func(t *testing.T, policy *commonpb.RetryPolicy) *run {
		r := toScheduledActivity(t, defaultStart(), activityAttrs(10*time.Second, policy))
		r.startActivity(at(3*time.Second), 5)
		wakeAndCancel(r, at(4*time.Second))
		return r
	}
	t.Run("completes", func(t *testing.T) {
		r := setup(t, nil)
		evs := r.do(at(8*time.Second), func(tx *machine.Tx) { tx.CompleteActivity(r.activity(5), payloads("done anyway"), "act-worker") })
		wantTypes(t, evs, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	})
	t.Run("fails", func(t *testing.T) {
		r := setup(t, nil)
		evs := r.do(at(8*time.Second), func(tx *machine.Tx) { tx.FailActivity(r.activity(5), appFailure("boom", "Flaky"), nil, "act-worker") })
		wantTypes(t, evs, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
		if got := evs[1].GetActivityTaskFailedEventAttributes().RetryState; got != enumspb.RETRY_STATE_CANCEL_REQUESTED {
			t.Errorf("retry_state = %v, want CANCEL_REQUESTED", got)
		}
	})
	t.Run("times out", func(t *testing.T) {
		r := setup(t, nil)
		// Start-to-close 10s from the 3s start.
		evs, _ := r.fire(at(13 * time.Second))
		wantTypes(t, evs, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
		got := evs[1].GetActivityTaskTimedOutEventAttributes().RetryState
		if got != enumspb.RETRY_STATE_CANCEL_REQUESTED {
			t.Errorf("retry_state = %v, want CANCEL_REQUESTED (the activity is not retried; IN_PROGRESS would tell the SDK a retry is coming)", got)
		}
	})
}

// TestCancelUnknownActivity: RequestCancelActivityTask for an id that is not an
// open activity fails the workflow task.
func TestCancelUnknownActivity(t *testing.T) {
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	cmdErr, evs := r.completeExpectingError(at(2*time.Second), cancelActivity(42))
	if cmdErr.Cause != enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES {
		t.Errorf("cause = %v", cmdErr.Cause)
	}
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
}
