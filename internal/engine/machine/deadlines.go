package machine

import (
	"fmt"
	"slices"
	"sort"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
)

// NextDeadline is the earliest time at which something in the run falls due: a
// timeout, a timer, a retry, a delayed first workflow task. Zero when nothing is.
func (s *State) NextDeadline() time.Time {
	if !s.Open() {
		return time.Time{}
	}
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	consider(s.RunDeadline)
	consider(s.ExecutionDeadline)
	if s.DelayedStart {
		consider(s.ExecutionTime)
	}
	if wt := s.WorkflowTask; wt != nil {
		if wt.StartedEventID != 0 {
			consider(wt.StartedTime.Add(wt.Timeout))
		} else {
			consider(wt.ScheduleToStartDeadline)
		}
	}
	for _, t := range s.Timers {
		consider(t.FireTime)
	}
	for _, a := range s.Activities {
		for _, d := range a.deadlines() {
			consider(d.at)
		}
	}
	if len(s.NexusOperations) > 0 {
		s.nextNexusDeadline(consider)
	}
	return next
}

type activityDeadline struct {
	at   time.Time
	kind enumspb.TimeoutType // UNSPECIFIED: the retry backoff ends
}

// rank orders deadlines of one activity that fall due at the same instant, as
// Temporal's timer sequence does: by timeout type in the enum's order
// (start-to-close, schedule-to-start, schedule-to-close, heartbeat). So an
// activity whose schedule-to-start and schedule-to-close deadlines coincide
// (Temporal derives the first from the second when only schedule-to-close is
// set) times out as SCHEDULE_TO_START. The end of a retry backoff is not a
// timeout and comes after them all.
func (d activityDeadline) rank() int {
	if d.kind == enumspb.TIMEOUT_TYPE_UNSPECIFIED {
		return int(enumspb.TIMEOUT_TYPE_HEARTBEAT) + 1
	}
	return int(d.kind)
}

// before orders deadlines by time, then by rank.
func (d activityDeadline) before(o activityDeadline) bool {
	if !d.at.Equal(o.at) {
		return d.at.Before(o.at)
	}
	return d.rank() < o.rank()
}

// firstDue is the activity's deadline that falls due first among those due
// at now, if any.
func (a *Activity) firstDue(now time.Time) (activityDeadline, bool) {
	var first activityDeadline
	found := false
	for _, d := range a.deadlines() {
		if d.at.IsZero() || now.Before(d.at) {
			continue
		}
		if !found || d.before(first) {
			first, found = d, true
		}
	}
	return first, found
}

// dueActivityDeadline is one activity's first due deadline.
type dueActivityDeadline struct {
	act *Activity
	activityDeadline
}

// dueActivityDeadlines lists each activity's first due deadline in the order
// Temporal handles them: by time, then by activity (scheduled event id), then
// by rank. Only the first counts for an activity: whatever it does (close the
// activity, or start another attempt) makes its other deadlines moot.
func (s *State) dueActivityDeadlines(now time.Time) []dueActivityDeadline {
	var due []dueActivityDeadline
	for _, a := range s.Activities {
		if d, ok := a.firstDue(now); ok {
			due = append(due, dueActivityDeadline{a, d})
		}
	}
	sort.Slice(due, func(i, j int) bool {
		x, y := due[i], due[j]
		if !x.at.Equal(y.at) {
			return x.at.Before(y.at)
		}
		if x.act.ScheduledEventID != y.act.ScheduledEventID {
			return x.act.ScheduledEventID < y.act.ScheduledEventID
		}
		return x.rank() < y.rank()
	})
	return due
}

// deadlines lists what can fall due for an activity in its current state.
func (a *Activity) deadlines() []activityDeadline {
	if a.Paused {
		return nil // a paused activity does not time out or retry (as in Temporal)
	}
	var ds []activityDeadline
	if d := a.scheduleToCloseDeadline(); !d.IsZero() {
		ds = append(ds, activityDeadline{d, enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE})
	}
	switch a.State {
	case ActivityBackoff:
		ds = append(ds, activityDeadline{a.AttemptScheduledTime, enumspb.TIMEOUT_TYPE_UNSPECIFIED})
	case ActivityScheduled:
		if a.ScheduleToStart > 0 {
			ds = append(ds, activityDeadline{a.AttemptScheduledTime.Add(a.ScheduleToStart), enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START})
		}
	case ActivityStarted:
		if a.StartToClose > 0 {
			ds = append(ds, activityDeadline{a.StartedTime.Add(a.StartToClose), enumspb.TIMEOUT_TYPE_START_TO_CLOSE})
		}
		if a.Heartbeat > 0 {
			last := a.StartedTime
			if a.LastHeartbeat.After(last) {
				last = a.LastHeartbeat
			}
			ds = append(ds, activityDeadline{last.Add(a.Heartbeat), enumspb.TIMEOUT_TYPE_HEARTBEAT})
		}
	}
	return ds
}

// FireDeadlines handles everything in the run that is due at tx.Now. It reports
// whether anything changed, or an error (the transition must then be dropped)
// when the run's persisted state needed to handle a deadline does not decode.
func (tx *Tx) FireDeadlines() (bool, error) {
	s := tx.S
	if !s.Open() {
		return false, nil
	}
	now := tx.Now
	due := func(t time.Time) bool { return !t.IsZero() && !now.Before(t) }
	if due(s.ExecutionDeadline) {
		return true, tx.timeoutRun(enumspb.RETRY_STATE_TIMEOUT)
	}
	if due(s.RunDeadline) {
		return true, tx.timeoutRun(enumspb.RETRY_STATE_RETRY_POLICY_NOT_SET)
	}
	changed := false
	if s.DelayedStart && due(s.ExecutionTime) {
		s.DelayedStart = false
		tx.scheduleWorkflowTask()
		changed = true
	}
	if wt := s.WorkflowTask; wt != nil {
		if wt.StartedEventID != 0 && due(wt.StartedTime.Add(wt.Timeout)) {
			tx.timeoutWorkflowTask(enumspb.TIMEOUT_TYPE_START_TO_CLOSE)
			changed = true
		} else if wt.StartedEventID == 0 && due(wt.ScheduleToStartDeadline) {
			tx.timeoutWorkflowTask(enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START)
			changed = true
		}
	}
	for _, t := range sortedTimers(s.Timers) {
		if due(t.FireTime) {
			tx.fireTimer(t)
			changed = true
		}
	}
	for _, d := range s.dueActivityDeadlines(now) {
		if d.kind == enumspb.TIMEOUT_TYPE_UNSPECIFIED {
			d.act.State = ActivityScheduled
		} else {
			tx.timeoutActivity(d.act, d.kind)
		}
		changed = true
	}
	if len(s.NexusOperations) > 0 && tx.fireNexusDeadlines() {
		changed = true
	}
	return changed, nil
}

// timeoutActivity handles an expired activity timeout, with Temporal's retry
// state for each kind: an activity the workflow asked to cancel ends with
// CANCEL_REQUESTED; schedule-to-start and schedule-to-close timeouts are never
// retried (TIMEOUT); start-to-close and heartbeat timeouts are retried when
// the policy allows, unless the policy lists them as non-retryable
// ("TemporalTimeout:StartToClose", "TemporalTimeout:Heartbeat", as the Go
// SDK's sessions list them).
func (tx *Tx) timeoutActivity(a *Activity, kind enumspb.TimeoutType) {
	details := a.DecodedHeartbeatDetails()
	failure := timeoutFailure(kind, details)
	retryState, retried := tx.activityTimeoutRetry(a, kind, failure)
	if retried {
		return
	}
	if retryState == enumspb.RETRY_STATE_TIMEOUT && kind != enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START {
		// Schedule-to-close has passed, or the next attempt would run past it:
		// report it as Temporal does, with the attempt's own timeout as the cause.
		giveUp := timeoutFailure(enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE, details)
		giveUp.Message = activityGaveUpMessage
		if kind != enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE {
			giveUp.Cause = failure
		}
		failure = giveUp
	}
	tx.closeActivity(a, a.StartedIdentity, &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
		Attributes: &historypb.HistoryEvent_ActivityTaskTimedOutEventAttributes{ActivityTaskTimedOutEventAttributes: &historypb.ActivityTaskTimedOutEventAttributes{
			Failure: failure, ScheduledEventId: a.ScheduledEventID, RetryState: retryState,
		}},
	})
}

// activityGaveUpMessage is Temporal's message for an activity that ran out of
// schedule-to-close time.
const activityGaveUpMessage = "Not enough time to schedule next retry before activity ScheduleToClose timeout, giving up retrying"

// timeoutRetryTypePrefix prefixes a timeout type in a retry policy's
// non-retryable error types.
const timeoutRetryTypePrefix = "TemporalTimeout:"

// activityTimeoutRetry starts the activity's next attempt if its timeout of
// kind allows one, and otherwise returns the retry state that ends it.
func (tx *Tx) activityTimeoutRetry(a *Activity, kind enumspb.TimeoutType, failure *failurepb.Failure) (enumspb.RetryState, bool) {
	switch {
	case a.CancelRequested:
		return enumspb.RETRY_STATE_CANCEL_REQUESTED, false
	case kind == enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START || kind == enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE:
		return enumspb.RETRY_STATE_TIMEOUT, false
	case slices.Contains(a.Retry.NonRetryableErrorTypes, timeoutRetryTypePrefix+kind.String()):
		return enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE, false
	}
	return tx.retryOrEnd(a, failure)
}

func timeoutFailure(kind enumspb.TimeoutType, details *commonpb.Payloads) *failurepb.Failure {
	return &failurepb.Failure{
		Message: fmt.Sprintf("activity %s timeout", timeoutName(kind)),
		Source:  "Server",
		FailureInfo: &failurepb.Failure_TimeoutFailureInfo{TimeoutFailureInfo: &failurepb.TimeoutFailureInfo{
			TimeoutType: kind, LastHeartbeatDetails: details,
		}},
	}
}

func timeoutName(kind enumspb.TimeoutType) string {
	switch kind {
	case enumspb.TIMEOUT_TYPE_START_TO_CLOSE:
		return "StartToClose"
	case enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START:
		return "ScheduleToStart"
	case enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE:
		return "ScheduleToClose"
	case enumspb.TIMEOUT_TYPE_HEARTBEAT:
		return "Heartbeat"
	}
	return kind.String()
}
