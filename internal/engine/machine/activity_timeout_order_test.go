package machine_test

import (
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// timedOutEvent returns the ActivityTaskTimedOut among evs, failing if none.
func timedOutEvent(t *testing.T, evs []*historypb.HistoryEvent) *historypb.ActivityTaskTimedOutEventAttributes {
	t.Helper()
	for _, ev := range evs {
		if a := ev.GetActivityTaskTimedOutEventAttributes(); a != nil {
			return a
		}
	}
	t.Fatalf("no ActivityTaskTimedOut in %s", types(evs))
	return nil
}

// TestHardening14SimultaneousActivityTimeouts: deadlines of one activity that
// fall due at the same instant fire in Temporal's order (start-to-close,
// schedule-to-start, schedule-to-close, heartbeat), each with Temporal's retry
// state. The activity is scheduled at 2s.
func TestHardening14SimultaneousActivityTimeouts(t *testing.T) {
	cases := []struct {
		name  string
		attrs *commandpb.ScheduleActivityTaskCommandAttributes
		// startAt, if set, is when a worker starts the first attempt.
		startAt time.Duration
		// cancel asks for the activity's cancellation (at 3s..5s) before the deadline.
		cancel    bool
		fireAt    time.Duration
		wantType  enumspb.TimeoutType
		wantState enumspb.RetryState
		// wantCause is the timeout type of the failure's cause, if it has one.
		wantCause enumspb.TimeoutType
		// wantRetry: no event, the activity goes into backoff instead.
		wantRetry bool
	}{
		{
			// Only schedule-to-close is set, so schedule-to-start equals it; no
			// worker polls. Both fall due at 5s: schedule-to-start wins.
			name:     "schedule-to-close only, never started",
			attrs:    withTimeouts(3*time.Second, 0, 0, 0, nil),
			fireAt:   5 * time.Second,
			wantType: enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START, wantState: enumspb.RETRY_STATE_TIMEOUT,
		},
		{
			name:     "schedule-to-start and schedule-to-close set equal",
			attrs:    withTimeouts(3*time.Second, 3*time.Second, 0, 0, nil),
			fireAt:   5 * time.Second,
			wantType: enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START, wantState: enumspb.RETRY_STATE_TIMEOUT,
		},
		{
			// Started the instant it was scheduled: start-to-close (derived from
			// schedule-to-close) and schedule-to-close both fall due at 5s.
			// Start-to-close goes first; no time is left for a retry, so it is
			// reported as schedule-to-close caused by start-to-close.
			name:     "start-to-close and schedule-to-close together",
			attrs:    withTimeouts(3*time.Second, 0, 0, 0, nil),
			startAt:  2 * time.Second,
			fireAt:   5 * time.Second,
			wantType: enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE, wantState: enumspb.RETRY_STATE_TIMEOUT,
			wantCause: enumspb.TIMEOUT_TYPE_START_TO_CLOSE,
		},
		{
			name:      "start-to-close and heartbeat together, retried",
			attrs:     withTimeouts(0, 0, 4*time.Second, 4*time.Second, nil),
			startAt:   3 * time.Second,
			fireAt:    7 * time.Second,
			wantRetry: true,
		},
		{
			name:     "start-to-close and heartbeat together, no retries left",
			attrs:    withTimeouts(0, 0, 4*time.Second, 4*time.Second, noRetry),
			startAt:  3 * time.Second,
			fireAt:   7 * time.Second,
			wantType: enumspb.TIMEOUT_TYPE_START_TO_CLOSE, wantState: enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED,
		},
		{
			name: "start-to-close listed as non-retryable",
			attrs: withTimeouts(0, 0, 4*time.Second, 0, &commonpb.RetryPolicy{
				NonRetryableErrorTypes: []string{"TemporalTimeout:StartToClose"},
			}),
			startAt:  3 * time.Second,
			fireAt:   7 * time.Second,
			wantType: enumspb.TIMEOUT_TYPE_START_TO_CLOSE, wantState: enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE,
		},
		{
			name:     "schedule-to-close of an activity asked to cancel",
			attrs:    withTimeouts(20*time.Second, 0, 0, 0, nil),
			startAt:  3 * time.Second,
			cancel:   true,
			fireAt:   22 * time.Second,
			wantType: enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE, wantState: enumspb.RETRY_STATE_CANCEL_REQUESTED,
		},
		{
			// Fired late: schedule-to-close (due 5s) came before start-to-close
			// (due 6s), so it is the one reported.
			name:     "the earlier deadline wins when fired late",
			attrs:    withTimeouts(3*time.Second, 0, 3*time.Second, 0, nil),
			startAt:  3 * time.Second,
			fireAt:   10 * time.Second,
			wantType: enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE, wantState: enumspb.RETRY_STATE_TIMEOUT,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := toScheduledActivity(t, defaultStart(), c.attrs)
			if c.startAt > 0 {
				r.startActivity(at(c.startAt), 5)
			}
			if c.cancel {
				wakeAndCancel(r, at(c.startAt+time.Second))
			}
			evs, changed := r.fire(at(c.fireAt))
			if !changed {
				t.Fatal("FireDeadlines changed nothing")
			}
			if c.wantRetry {
				if len(evs) != 0 {
					t.Fatalf("a retried timeout wrote %s", types(evs))
				}
				if act := r.activity(5); act.State != machine.ActivityBackoff || act.Attempt != 2 {
					t.Fatalf("after the timeout: state %v attempt %d, want backoff before attempt 2", act.State, act.Attempt)
				}
				return
			}
			a := timedOutEvent(t, evs)
			if got := a.GetFailure().GetTimeoutFailureInfo().GetTimeoutType(); got != c.wantType {
				t.Errorf("timeout type = %v, want %v", got, c.wantType)
			}
			if a.RetryState != c.wantState {
				t.Errorf("retry state = %v, want %v", a.RetryState, c.wantState)
			}
			const gaveUp = "Not enough time to schedule next retry before activity ScheduleToClose timeout, giving up retrying"
			if c.wantType == enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE && c.wantState == enumspb.RETRY_STATE_TIMEOUT && a.GetFailure().GetMessage() != gaveUp {
				t.Errorf("message = %q, want Temporal's %q", a.GetFailure().GetMessage(), gaveUp)
			}
			if got := a.GetFailure().GetCause().GetTimeoutFailureInfo().GetTimeoutType(); got != c.wantCause {
				t.Errorf("cause timeout type = %v, want %v", got, c.wantCause)
			}
		})
	}
}

// TestActivityTimeoutsAcrossActivitiesInDeadlineOrder: timeouts of several
// activities handled together are written in deadline order, then by activity.
func TestActivityTimeoutsAcrossActivitiesInDeadlineOrder(t *testing.T) {
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	first := withTimeouts(0, 9*time.Second, 10*time.Second, 0, nil) // due 11s
	first.ActivityId = "late"
	second := withTimeouts(0, 5*time.Second, 10*time.Second, 0, nil) // due 7s
	second.ActivityId = "early"
	evs := r.complete(at(2*time.Second), machine.CompletionOptions{Identity: "wf-worker"}, scheduleActivity(first), scheduleActivity(second))
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
	lateID, earlyID := evs[1].EventId, evs[2].EventId
	evs, _ = r.fire(at(20 * time.Second))
	var order []int64
	for _, ev := range evs {
		if a := ev.GetActivityTaskTimedOutEventAttributes(); a != nil {
			order = append(order, a.ScheduledEventId)
		}
	}
	if len(order) != 2 || order[0] != earlyID || order[1] != lateID {
		t.Fatalf("timeouts written for activities %v, want [%d %d] (the one due first first)", order, earlyID, lateID)
	}
}
