package machine_test

import (
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// failAttempt starts the current attempt of the activity at 5 at now and fails
// it one second later, returning the events written.
func failAttempt(r *run, now time.Time, f *failurepb.Failure) []*historypb.HistoryEvent {
	r.t.Helper()
	act := r.startActivity(now, 5)
	return r.do(now.Add(time.Second), func(tx *machine.Tx) { tx.FailActivity(act, f, nil, "act-worker") })
}

// TestActivityRetriesWriteNoEventsUntilTheFinalFailure: attempts that will be
// retried leave history alone; the final failure writes ActivityTaskStarted with
// the last attempt number and the previous attempt's failure, then
// ActivityTaskFailed (§2.3 "Retries: each attempt is not an event").
func TestActivityRetriesWriteNoEventsUntilTheFinalFailure(t *testing.T) {
	policy := &commonpb.RetryPolicy{InitialInterval: durationpb.New(time.Second), BackoffCoefficient: 2, MaximumAttempts: 3}
	r := toScheduledActivity(t, defaultStart(), activityAttrs(10*time.Second, policy))

	// Attempt 1 fails at 4s: backoff 1s.
	if evs := failAttempt(r, at(3*time.Second), appFailure("boom 1", "Flaky")); len(evs) != 0 {
		t.Fatalf("a retried failure wrote %s", types(evs))
	}
	act := r.activity(5)
	if act.State != machine.ActivityBackoff || act.Attempt != 2 || !act.AttemptScheduledTime.Equal(at(5*time.Second)) {
		t.Fatalf("after attempt 1: state %v attempt %d next at %v", act.State, act.Attempt, fmtTime(act.AttemptScheduledTime))
	}
	if !act.ScheduledTime.Equal(at(2 * time.Second)) {
		t.Errorf("ScheduledTime moved to %v; it is the first attempt's", fmtTime(act.ScheduledTime))
	}
	if r.s.WorkflowTask != nil {
		t.Errorf("a retried failure scheduled a workflow task")
	}
	r.wantNextDeadline(at(5 * time.Second))

	// Before the backoff ends nothing happens; the old attempt is stale.
	if evs, changed := r.fire(at(4500 * time.Millisecond)); changed || len(evs) != 0 {
		t.Fatalf("FireDeadlines before the backoff ended: changed=%v events %s", changed, types(evs))
	}
	tx := machine.Begin(r.s.Clone(), at(4500*time.Millisecond))
	if _, err := tx.StartActivity(5, 2, "w", "r"); err != machine.ErrStale {
		t.Errorf("starting attempt 2 during its backoff: %v, want ErrStale", err)
	}
	if evs, changed := r.fire(at(5 * time.Second)); !changed || len(evs) != 0 {
		t.Fatalf("backoff end: changed=%v events %s, want a silent change", changed, types(evs))
	}
	if act := r.activity(5); act.State != machine.ActivityScheduled {
		t.Fatalf("after the backoff: state %v, want scheduled", act.State)
	}
	tx = machine.Begin(r.s.Clone(), at(5*time.Second))
	if _, err := tx.StartActivity(5, 1, "w", "r"); err != machine.ErrStale {
		t.Errorf("starting attempt 1 again: %v, want ErrStale", err)
	}
	if _, err := r.s.StartedActivity(5, 1); err != machine.ErrStale {
		t.Errorf("StartedActivity for the old attempt: %v, want ErrStale", err)
	}

	// Attempt 2 fails at 7s: backoff 2s.
	if evs := failAttempt(r, at(6*time.Second), appFailure("boom 2", "Flaky")); len(evs) != 0 {
		t.Fatalf("a retried failure wrote %s", types(evs))
	}
	r.wantNextDeadline(at(9 * time.Second))
	r.fire(at(9 * time.Second))

	// Attempt 3 is the last.
	evs := failAttempt(r, at(10*time.Second), appFailure("boom 3", "Flaky"))
	wantTypes(t, evs, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	st := evs[0].GetActivityTaskStartedEventAttributes()
	if st.Attempt != 3 || st.RequestId != "act-req-3" || st.GetLastFailure().GetMessage() != "boom 2" {
		t.Errorf("ActivityTaskStarted attempt %d request %q last_failure %q; want 3, act-req-3, boom 2", st.Attempt, st.RequestId, st.GetLastFailure().GetMessage())
	}
	if !evs[0].EventTime.AsTime().Equal(at(10 * time.Second)) {
		t.Errorf("ActivityTaskStarted time %v, want the last attempt's start t0+10s", fmtTime(evs[0].EventTime.AsTime()))
	}
	f := evs[1].GetActivityTaskFailedEventAttributes()
	wantInt(t, "ActivityTaskFailed.started_event_id", f.StartedEventId, evs[0].EventId)
	wantInt(t, "ActivityTaskFailed.scheduled_event_id", f.ScheduledEventId, 5)
	if f.RetryState != enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED || f.GetFailure().GetMessage() != "boom 3" || f.Identity != "act-worker" {
		t.Errorf("ActivityTaskFailed = %v", f)
	}
	if len(r.s.Activities) != 0 {
		t.Errorf("activity still open")
	}
}

// TestActivitySucceedsOnRetry: a success after a failed attempt writes Started
// with attempt 2 and the first failure as last_failure.
func TestActivitySucceedsOnRetry(t *testing.T) {
	r := toScheduledActivity(t, defaultStart(), activityAttrs(10*time.Second, nil))
	failAttempt(r, at(3*time.Second), appFailure("boom 1", "Flaky"))
	r.fire(at(5 * time.Second))
	act := r.startActivity(at(6*time.Second), 5)
	evs := r.do(at(7*time.Second), func(tx *machine.Tx) { tx.CompleteActivity(act, payloads("ok"), "act-worker") })
	wantTypes(t, evs, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	st := evs[0].GetActivityTaskStartedEventAttributes()
	if st.Attempt != 2 || st.GetLastFailure().GetMessage() != "boom 1" {
		t.Errorf("ActivityTaskStarted attempt %d last_failure %q, want 2 and boom 1", st.Attempt, st.GetLastFailure().GetMessage())
	}
	wantInt(t, "ActivityTaskCompleted.started_event_id", evs[1].GetActivityTaskCompletedEventAttributes().StartedEventId, 6)
}

// TestRetryBackoff checks the delay before each next attempt: initial ×
// coefficient^(attempt-1), capped by the maximum interval, overridden by
// next_retry_delay; and the failures that end retrying.
func TestRetryBackoff(t *testing.T) {
	type step struct {
		failure   *failurepb.Failure
		wantDelay time.Duration // when wantState is IN_PROGRESS
		wantState enumspb.RetryState
	}
	retryable := appFailure("try again", "Flaky")
	nonRetryableFlag := appFailure("give up", "Flaky")
	nonRetryableFlag.GetApplicationFailureInfo().NonRetryable = true
	withDelay := appFailure("later", "Flaky")
	withDelay.GetApplicationFailureInfo().NextRetryDelay = durationpb.New(7 * time.Second)
	plain := &failurepb.Failure{Message: "no failure info"}
	inProgress := enumspb.RETRY_STATE_IN_PROGRESS
	cases := []struct {
		name   string
		policy *commonpb.RetryPolicy
		steps  []step
	}{
		{"defaults: 1s doubling", nil, []step{
			{retryable, time.Second, inProgress}, {retryable, 2 * time.Second, inProgress},
			{retryable, 4 * time.Second, inProgress}, {retryable, 8 * time.Second, inProgress},
		}},
		{"coefficient 3 capped at 20s",
			&commonpb.RetryPolicy{InitialInterval: durationpb.New(2 * time.Second), BackoffCoefficient: 3, MaximumInterval: durationpb.New(20 * time.Second)},
			[]step{{retryable, 2 * time.Second, inProgress}, {retryable, 6 * time.Second, inProgress}, {retryable, 18 * time.Second, inProgress}, {retryable, 20 * time.Second, inProgress}, {retryable, 20 * time.Second, inProgress}}},
		{"maximum interval defaults to 100 x initial",
			&commonpb.RetryPolicy{InitialInterval: durationpb.New(time.Second), BackoffCoefficient: 10},
			[]step{{retryable, time.Second, inProgress}, {retryable, 10 * time.Second, inProgress}, {retryable, 100 * time.Second, inProgress}, {retryable, 100 * time.Second, inProgress}}},
		{"maximum attempts 2",
			&commonpb.RetryPolicy{MaximumAttempts: 2},
			[]step{{retryable, time.Second, inProgress}, {retryable, 0, enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED}}},
		{"maximum attempts 1 never retries",
			&commonpb.RetryPolicy{MaximumAttempts: 1},
			[]step{{retryable, 0, enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED}}},
		{"non-retryable error type",
			&commonpb.RetryPolicy{NonRetryableErrorTypes: []string{"Fatal"}},
			[]step{{retryable, time.Second, inProgress}, {appFailure("bad card", "Fatal"), 0, enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE}}},
		{"ApplicationFailureInfo.non_retryable", nil,
			[]step{{nonRetryableFlag, 0, enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE}}},
		{"non_retryable wins over remaining attempts", &commonpb.RetryPolicy{MaximumAttempts: 5},
			[]step{{nonRetryableFlag, 0, enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE}}},
		{"next_retry_delay overrides the backoff", nil,
			[]step{{withDelay, 7 * time.Second, inProgress}, {retryable, 2 * time.Second, inProgress}}},
		{"failure without application info retries", nil,
			[]step{{plain, time.Second, inProgress}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := toScheduledActivity(t, defaultStart(), activityAttrs(time.Minute, c.policy))
			now := at(10 * time.Second)
			for i, s := range c.steps {
				attempt := int32(i + 1)
				evs := failAttempt(r, now, s.failure)
				failedAt := now.Add(time.Second)
				if s.wantState == inProgress {
					if len(evs) != 0 {
						t.Fatalf("attempt %d: retried failure wrote %s", attempt, types(evs))
					}
					act := r.activity(5)
					if act.Attempt != attempt+1 || act.State != machine.ActivityBackoff {
						t.Fatalf("attempt %d: next attempt %d state %v", attempt, act.Attempt, act.State)
					}
					if got := act.AttemptScheduledTime.Sub(failedAt); got != s.wantDelay {
						t.Fatalf("attempt %d: backoff %v, want %v", attempt, got, s.wantDelay)
					}
					r.wantNextDeadline(failedAt.Add(s.wantDelay))
					now = failedAt.Add(s.wantDelay)
					r.fire(now)
					continue
				}
				wantTypes(t, evs, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
				if got := evs[1].GetActivityTaskFailedEventAttributes().RetryState; got != s.wantState {
					t.Fatalf("attempt %d: retry_state %v, want %v", attempt, got, s.wantState)
				}
				if got := evs[0].GetActivityTaskStartedEventAttributes().Attempt; got != attempt {
					t.Errorf("ActivityTaskStarted.attempt = %d, want %d", got, attempt)
				}
				return
			}
		})
	}
}

// TestRetryThatWouldOutliveScheduleToCloseEndsWithTimeout: a failure whose next
// attempt would start after scheduled_time + schedule_to_close is final, with
// RETRY_STATE_TIMEOUT.
func TestRetryThatWouldOutliveScheduleToCloseEndsWithTimeout(t *testing.T) {
	attrs := activityAttrs(0, nil)
	attrs.ScheduleToCloseTimeout = durationpb.New(10 * time.Second) // scheduled at 2s: deadline 12s
	r := toScheduledActivity(t, defaultStart(), attrs)

	// Fails at 4s: next attempt at 5s, inside the limit.
	if evs := failAttempt(r, at(3*time.Second), appFailure("boom 1", "Flaky")); len(evs) != 0 {
		t.Fatalf("retryable failure wrote %s", types(evs))
	}
	r.fire(at(5 * time.Second))
	// Fails at 11.5s: the next attempt (backoff 2s) would start at 13.5s > 12s.
	act := r.startActivity(at(10500*time.Millisecond), 5)
	evs := r.do(at(11500*time.Millisecond), func(tx *machine.Tx) { tx.FailActivity(act, appFailure("boom 2", "Flaky"), nil, "act-worker") })
	wantTypes(t, evs, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	if got := evs[1].GetActivityTaskFailedEventAttributes().RetryState; got != enumspb.RETRY_STATE_TIMEOUT {
		t.Errorf("retry_state = %v, want TIMEOUT", got)
	}
}

// TestNormalizeRetryPolicy checks the defaults filled into a retry policy.
func TestNormalizeRetryPolicy(t *testing.T) {
	cases := []struct {
		name string
		in   *commonpb.RetryPolicy
		want machine.RetryPolicy
	}{
		{"nil", nil, machine.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 100 * time.Second}},
		{"initial only", &commonpb.RetryPolicy{InitialInterval: durationpb.New(3 * time.Second)},
			machine.RetryPolicy{InitialInterval: 3 * time.Second, BackoffCoefficient: 2, MaximumInterval: 300 * time.Second}},
		{"all set", &commonpb.RetryPolicy{InitialInterval: durationpb.New(time.Second), BackoffCoefficient: 1.5, MaximumInterval: durationpb.New(9 * time.Second), MaximumAttempts: 4, NonRetryableErrorTypes: []string{"X"}},
			machine.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 1.5, MaximumInterval: 9 * time.Second, MaximumAttempts: 4, NonRetryableErrorTypes: []string{"X"}}},
		{"maximum below initial is raised", &commonpb.RetryPolicy{InitialInterval: durationpb.New(5 * time.Second), MaximumInterval: durationpb.New(time.Second)},
			machine.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Second}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := machine.NormalizeRetryPolicy(c.in)
			if got.InitialInterval != c.want.InitialInterval || got.BackoffCoefficient != c.want.BackoffCoefficient ||
				got.MaximumInterval != c.want.MaximumInterval || got.MaximumAttempts != c.want.MaximumAttempts ||
				len(got.NonRetryableErrorTypes) != len(c.want.NonRetryableErrorTypes) {
				t.Fatalf("NormalizeRetryPolicy = %+v, want %+v", got, c.want)
			}
			p := got.Proto()
			if p.InitialInterval.AsDuration() != c.want.InitialInterval || p.MaximumInterval.AsDuration() != c.want.MaximumInterval || p.BackoffCoefficient != c.want.BackoffCoefficient {
				t.Errorf("Proto() = %v", p)
			}
		})
	}
	huge := machine.NormalizeRetryPolicy(&commonpb.RetryPolicy{MaximumInterval: durationpb.New(time.Hour)})
	if got := huge.Backoff(5000); got != time.Hour {
		t.Errorf("Backoff after 5000 attempts = %v, want the maximum interval (no overflow)", got)
	}
}
