package machine_test

import (
	"slices"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// wantTimeout checks an ActivityTaskTimedOut event.
func wantTimeout(t *testing.T, ev *historypb.HistoryEvent, kind enumspb.TimeoutType, state enumspb.RetryState, startedID int64) *historypb.ActivityTaskTimedOutEventAttributes {
	t.Helper()
	return wantTimeoutIn(t, ev, kind, []enumspb.RetryState{state}, startedID)
}

// finalTimeoutStates are the retry states Temporal reports for a timeout that
// is never retried (schedule-to-start, schedule-to-close): TIMEOUT, as its
// v1.32 server does (compat's TestHardening14ScheduleToCloseOnlyNeverPolled
// checks it against that server).
var finalTimeoutStates = []enumspb.RetryState{enumspb.RETRY_STATE_TIMEOUT}

// wantTimeoutIn checks an ActivityTaskTimedOut event whose retry state may be
// any of states.
func wantTimeoutIn(t *testing.T, ev *historypb.HistoryEvent, kind enumspb.TimeoutType, states []enumspb.RetryState, startedID int64) *historypb.ActivityTaskTimedOutEventAttributes {
	t.Helper()
	a := ev.GetActivityTaskTimedOutEventAttributes()
	if a == nil {
		t.Fatalf("event %d is %s, not ActivityTaskTimedOut", ev.EventId, ev.EventType)
	}
	info := a.GetFailure().GetTimeoutFailureInfo()
	if info == nil {
		t.Fatalf("timeout failure has no timeout_failure_info: %v", a.GetFailure())
	}
	if info.TimeoutType != kind {
		t.Errorf("timeout_type = %v, want %v", info.TimeoutType, kind)
	}
	if !slices.Contains(states, a.RetryState) {
		t.Errorf("retry_state = %v, want one of %v", a.RetryState, states)
	}
	wantInt(t, "ActivityTaskTimedOut.scheduled_event_id", a.ScheduledEventId, 5)
	wantInt(t, "ActivityTaskTimedOut.started_event_id", a.StartedEventId, startedID)
	return a
}

func withTimeouts(scheduleToClose, scheduleToStart, startToClose, heartbeat time.Duration, retry *commonpb.RetryPolicy) *commandpb.ScheduleActivityTaskCommandAttributes {
	a := activityAttrs(0, retry)
	set := func(d time.Duration) *durationpb.Duration {
		if d == 0 {
			return nil
		}
		return durationpb.New(d)
	}
	a.ScheduleToCloseTimeout = set(scheduleToClose)
	a.ScheduleToStartTimeout = set(scheduleToStart)
	a.StartToCloseTimeout = set(startToClose)
	a.HeartbeatTimeout = set(heartbeat)
	return a
}

var noRetry = &commonpb.RetryPolicy{MaximumAttempts: 1}

// TestActivityScheduleToStartTimeout: no worker took the activity in time. The
// timeout is final and no ActivityTaskStarted is written.
func TestActivityScheduleToStartTimeout(t *testing.T) {
	r := toScheduledActivity(t, defaultStart(), withTimeouts(0, 5*time.Second, 10*time.Second, 0, nil))
	r.wantNextDeadline(at(7 * time.Second)) // scheduled at 2s
	if evs, changed := r.fire(at(6 * time.Second)); changed || len(evs) != 0 {
		t.Fatalf("early FireDeadlines: changed=%v %s", changed, types(evs))
	}
	evs, _ := r.fire(at(7 * time.Second))
	wantTypes(t, evs, enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	wantTimeoutIn(t, evs[0], enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START, finalTimeoutStates, 0)
	if len(r.s.Activities) != 0 {
		t.Errorf("activity still open")
	}
}

// TestActivityScheduleToCloseTimeout: the whole activity ran out of time while an
// attempt was running.
func TestActivityScheduleToCloseTimeout(t *testing.T) {
	r := toScheduledActivity(t, defaultStart(), withTimeouts(10*time.Second, 0, 0, 0, nil))
	r.startActivity(at(3*time.Second), 5)
	// Start-to-close defaults to schedule-to-close (10s from 3s = 13s); the
	// activity as a whole ends at 2s + 10s.
	r.wantNextDeadline(at(12 * time.Second))
	evs, _ := r.fire(at(12 * time.Second))
	wantTypes(t, evs, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	wantTimeoutIn(t, evs[1], enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE, finalTimeoutStates, evs[0].EventId)
}

// TestActivityStartToCloseTimeoutWithoutRetries: a final start-to-close timeout.
func TestActivityStartToCloseTimeoutWithoutRetries(t *testing.T) {
	r := toScheduledActivity(t, defaultStart(), withTimeouts(0, 0, 3*time.Second, 0, noRetry))
	r.startActivity(at(3*time.Second), 5)
	r.wantNextDeadline(at(6 * time.Second))
	evs, _ := r.fire(at(6 * time.Second))
	wantTypes(t, evs, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	wantTimeout(t, evs[1], enumspb.TIMEOUT_TYPE_START_TO_CLOSE, enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED, evs[0].EventId)
}

// TestActivityStartToCloseTimeoutIsRetried: a retryable timeout writes nothing and
// becomes the next attempt's last_failure.
func TestActivityStartToCloseTimeoutIsRetried(t *testing.T) {
	r := toScheduledActivity(t, defaultStart(), withTimeouts(0, 0, 3*time.Second, 0, nil))
	r.startActivity(at(3*time.Second), 5)
	if evs, changed := r.fire(at(6 * time.Second)); !changed || len(evs) != 0 {
		t.Fatalf("retryable timeout: changed=%v events %s", changed, types(evs))
	}
	act := r.activity(5)
	if act.State != machine.ActivityBackoff || act.Attempt != 2 {
		t.Fatalf("after timeout: state %v attempt %d", act.State, act.Attempt)
	}
	r.wantNextDeadline(at(7 * time.Second))
	r.fire(at(7 * time.Second))
	act = r.startActivity(at(8*time.Second), 5)
	evs := r.do(at(9*time.Second), func(tx *machine.Tx) { tx.CompleteActivity(act, payloads("ok"), "act-worker") })
	wantTypes(t, evs, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	last := evs[0].GetActivityTaskStartedEventAttributes().GetLastFailure()
	if last.GetTimeoutFailureInfo().GetTimeoutType() != enumspb.TIMEOUT_TYPE_START_TO_CLOSE {
		t.Errorf("last_failure = %v, want the start-to-close timeout", last)
	}
}

// TestActivityHeartbeatTimeout: heartbeats push the heartbeat deadline; when it
// passes, the timeout failure carries the last heartbeat details.
func TestActivityHeartbeatTimeout(t *testing.T) {
	r := toScheduledActivity(t, defaultStart(), withTimeouts(0, 0, time.Minute, 2*time.Second, noRetry))
	act := r.startActivity(at(3*time.Second), 5)
	r.wantNextDeadline(at(5 * time.Second))

	var cancel bool
	r.do(at(4*time.Second), func(tx *machine.Tx) { cancel = tx.HeartbeatActivity(act, payloads("p1")) })
	if cancel {
		t.Errorf("heartbeat reported a cancel request nobody made")
	}
	r.wantNextDeadline(at(6 * time.Second))
	if evs, changed := r.fire(at(5 * time.Second)); changed || len(evs) != 0 {
		t.Fatalf("the original heartbeat deadline fired after a heartbeat: %s", types(evs))
	}
	// A heartbeat without details keeps the last ones.
	r.do(at(5500*time.Millisecond), func(tx *machine.Tx) { tx.HeartbeatActivity(r.activity(5), nil) })
	r.wantNextDeadline(at(7500 * time.Millisecond))

	evs, _ := r.fire(at(7500 * time.Millisecond))
	wantTypes(t, evs, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	a := wantTimeout(t, evs[1], enumspb.TIMEOUT_TYPE_HEARTBEAT, enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED, evs[0].EventId)
	if got := payloadString(a.GetFailure().GetTimeoutFailureInfo().GetLastHeartbeatDetails()); got != "p1" {
		t.Errorf("last_heartbeat_details = %q, want p1", got)
	}
}

// TestHeartbeatDetailsSurviveRetry: a retried heartbeat timeout hands the details
// to the next attempt, and RespondActivityTaskFailed's last_heartbeat_details
// replaces them.
func TestHeartbeatDetailsSurviveRetry(t *testing.T) {
	r := toScheduledActivity(t, defaultStart(), withTimeouts(0, 0, time.Minute, 2*time.Second, nil))
	act := r.startActivity(at(3*time.Second), 5)
	r.do(at(4*time.Second), func(tx *machine.Tx) { tx.HeartbeatActivity(act, payloads("p1")) })
	if evs, changed := r.fire(at(6 * time.Second)); !changed || len(evs) != 0 {
		t.Fatalf("retryable heartbeat timeout: changed=%v %s", changed, types(evs))
	}
	act = r.activity(5)
	if got := payloadString(act.DecodedHeartbeatDetails()); got != "p1" || act.Attempt != 2 {
		t.Fatalf("attempt %d has heartbeat details %q, want attempt 2 with p1", act.Attempt, got)
	}
	r.fire(at(7 * time.Second))
	act = r.startActivity(at(8*time.Second), 5)
	r.wantNextDeadline(at(10 * time.Second)) // the heartbeat clock restarts with the attempt
	r.do(at(9*time.Second), func(tx *machine.Tx) { tx.FailActivity(act, appFailure("x", "Flaky"), payloads("p2"), "act-worker") })
	if got := payloadString(r.activity(5).DecodedHeartbeatDetails()); got != "p2" {
		t.Errorf("heartbeat details after a failure with last_heartbeat_details = %q, want p2", got)
	}
}

// TestRetryableTimeoutRunningIntoScheduleToClose: a start-to-close timeout whose
// retry would start past the schedule-to-close limit is reported as a
// schedule-to-close timeout caused by the start-to-close one (§2.3 Timeouts).
func TestRetryableTimeoutRunningIntoScheduleToClose(t *testing.T) {
	policy := &commonpb.RetryPolicy{InitialInterval: durationpb.New(7 * time.Second)}
	r := toScheduledActivity(t, defaultStart(), withTimeouts(10*time.Second, 0, 4*time.Second, 0, policy))
	r.startActivity(at(2*time.Second), 5)
	r.wantNextDeadline(at(6 * time.Second))
	// At 6s the retry would start at 13s, after the 12s limit.
	evs, _ := r.fire(at(6 * time.Second))
	wantTypes(t, evs, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	a := wantTimeout(t, evs[1], enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE, enumspb.RETRY_STATE_TIMEOUT, evs[0].EventId)
	if got := a.GetFailure().GetCause().GetTimeoutFailureInfo().GetTimeoutType(); got != enumspb.TIMEOUT_TYPE_START_TO_CLOSE {
		t.Errorf("cause timeout_type = %v, want START_TO_CLOSE", got)
	}
}

// TestActivityTimeoutNormalization checks the timeouts written in
// ActivityTaskScheduled against §2.3 "Scheduling".
func TestActivityTimeoutNormalization(t *testing.T) {
	const s = time.Second
	cases := []struct {
		name               string
		runTimeout         time.Duration
		s2c, s2s, st2c, hb time.Duration
		wantS2C, wantS2S   time.Duration
		wantST2C, wantHB   time.Duration
	}{
		{"schedule-to-close fills the others", 0, 10 * s, 0, 0, 0, 10 * s, 10 * s, 10 * s, 0},
		{"others capped at schedule-to-close", 0, 10 * s, 20 * s, 30 * s, 0, 10 * s, 10 * s, 10 * s, 0},
		{"smaller values kept", 0, 10 * s, 3 * s, 4 * s, 1 * s, 10 * s, 3 * s, 4 * s, 1 * s},
		{"start-to-close only, no run timeout", 0, 0, 0, 5 * s, 0, 0, 0, 5 * s, 0},
		{"start-to-close only, run timeout fills", 60 * s, 0, 0, 5 * s, 0, 60 * s, 60 * s, 5 * s, 0},
		{"schedule-to-close capped at run timeout", 60 * s, 100 * s, 0, 0, 0, 60 * s, 60 * s, 60 * s, 0},
		{"start-to-close capped at run timeout", 60 * s, 0, 0, 100 * s, 0, 60 * s, 60 * s, 60 * s, 0},
		{"heartbeat capped at schedule-to-close", 0, 10 * s, 0, 0, 30 * s, 10 * s, 10 * s, 10 * s, 10 * s},
		{"heartbeat kept without schedule-to-close", 0, 0, 0, 5 * s, 30 * s, 0, 0, 5 * s, 30 * s},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := defaultStart()
			p.RunTimeout = c.runTimeout
			r := toScheduledActivity(t, p, withTimeouts(c.s2c, c.s2s, c.st2c, c.hb, nil))
			a := r.history[4].GetActivityTaskScheduledEventAttributes()
			wantDuration(t, "schedule_to_close", a.ScheduleToCloseTimeout, c.wantS2C)
			wantDuration(t, "schedule_to_start", a.ScheduleToStartTimeout, c.wantS2S)
			wantDuration(t, "start_to_close", a.StartToCloseTimeout, c.wantST2C)
			wantDuration(t, "heartbeat", a.HeartbeatTimeout, c.wantHB)
			act := r.activity(5)
			if act.ScheduleToClose != c.wantS2C || act.ScheduleToStart != c.wantS2S || act.StartToClose != c.wantST2C || act.Heartbeat != c.wantHB {
				t.Errorf("state timeouts %v/%v/%v/%v differ from the event", act.ScheduleToClose, act.ScheduleToStart, act.StartToClose, act.Heartbeat)
			}
			rp := a.GetRetryPolicy()
			if rp.GetInitialInterval().AsDuration() != time.Second || rp.GetBackoffCoefficient() != 2 || rp.GetMaximumInterval().AsDuration() != 100*time.Second {
				t.Errorf("retry policy defaults not filled: %v", rp)
			}
		})
	}
}

// TestBadScheduleActivityCommands: invalid ScheduleActivityTask commands fail the
// workflow task with the right cause and write no activity.
func TestBadScheduleActivityCommands(t *testing.T) {
	noID := activityAttrs(5*time.Second, nil)
	noID.ActivityId = ""
	noType := activityAttrs(5*time.Second, nil)
	noType.ActivityType = nil
	negative := activityAttrs(5*time.Second, nil)
	negative.HeartbeatTimeout = durationpb.New(-time.Second)
	bad := enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES
	cases := []struct {
		name  string
		cmds  []*commandpb.Command
		cause enumspb.WorkflowTaskFailedCause
		// alsoOK is a second acceptable cause where Temporal's choice is not
		// pinned down by the protocol reference.
		alsoOK enumspb.WorkflowTaskFailedCause
		index  int
	}{
		{"no timeouts", []*commandpb.Command{scheduleActivity(withTimeouts(0, 0, 0, 0, nil))}, bad, bad, 0},
		{"only schedule-to-start", []*commandpb.Command{scheduleActivity(withTimeouts(0, 5*time.Second, 0, 0, nil))}, bad, bad, 0},
		{"only heartbeat", []*commandpb.Command{scheduleActivity(withTimeouts(0, 0, 0, 5*time.Second, nil))}, bad, bad, 0},
		{"negative timeout", []*commandpb.Command{scheduleActivity(negative)}, bad, bad, 0},
		{"no activity id", []*commandpb.Command{scheduleActivity(noID)}, bad, bad, 0},
		{"no activity type", []*commandpb.Command{scheduleActivity(noType)}, bad, bad, 0},
		{"missing attributes", []*commandpb.Command{{CommandType: enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK}}, bad, bad, 0},
		{"duplicate activity id", []*commandpb.Command{
			scheduleActivity(activityAttrs(5*time.Second, nil)), scheduleActivity(activityAttrs(5*time.Second, nil)),
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID, bad, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := startRun(t, defaultStart())
			r.startWFT(at(time.Second))
			cmdErr, evs := r.completeExpectingError(at(2*time.Second), c.cmds...)
			if (cmdErr.Cause != c.cause && cmdErr.Cause != c.alsoOK) || cmdErr.Index != c.index {
				t.Fatalf("CommandError cause %v index %d (%s), want %v index %d", cmdErr.Cause, cmdErr.Index, cmdErr.Message, c.cause, c.index)
			}
			wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
			if len(r.s.Activities) != 0 {
				t.Errorf("a rejected completion left %d activities", len(r.s.Activities))
			}
		})
	}
}
