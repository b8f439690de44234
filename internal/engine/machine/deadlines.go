package machine

import (
	"fmt"
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
	return next
}

type activityDeadline struct {
	at   time.Time
	kind enumspb.TimeoutType // UNSPECIFIED: the retry backoff ends
}

// deadlines lists what can fall due for an activity in its current state.
func (a *Activity) deadlines() []activityDeadline {
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
// whether anything changed.
func (tx *Tx) FireDeadlines() bool {
	s := tx.S
	if !s.Open() {
		return false
	}
	now := tx.Now
	due := func(t time.Time) bool { return !t.IsZero() && !now.Before(t) }
	if due(s.ExecutionDeadline) {
		tx.timeoutRun(enumspb.RETRY_STATE_TIMEOUT)
		return true
	}
	if due(s.RunDeadline) {
		tx.timeoutRun(enumspb.RETRY_STATE_RETRY_POLICY_NOT_SET)
		return true
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
	for _, a := range sortedActivities(s.Activities) {
		for _, d := range a.deadlines() {
			if !due(d.at) {
				continue
			}
			if d.kind == enumspb.TIMEOUT_TYPE_UNSPECIFIED {
				a.State = ActivityScheduled
			} else {
				tx.timeoutActivity(a, d.kind)
			}
			changed = true
			break
		}
	}
	return changed
}

// timeoutActivity handles an expired activity timeout. Start-to-close and
// heartbeat timeouts are retried when the policy allows; the others end the
// activity.
func (tx *Tx) timeoutActivity(a *Activity, kind enumspb.TimeoutType) {
	details := a.DecodedHeartbeatDetails()
	failure := timeoutFailure(kind, details)
	// Schedule-to-start and schedule-to-close timeouts are never retried.
	retryState := enumspb.RETRY_STATE_TIMEOUT
	if kind == enumspb.TIMEOUT_TYPE_START_TO_CLOSE || kind == enumspb.TIMEOUT_TYPE_HEARTBEAT {
		state, retried := tx.retryOrEnd(a, failure)
		if retried {
			return
		}
		retryState = state
		if state == enumspb.RETRY_STATE_TIMEOUT {
			// The next attempt would run past schedule-to-close: report that, caused by
			// this attempt's timeout.
			failure = timeoutFailure(enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE, details)
			failure.Cause = timeoutFailure(kind, details)
		}
	}
	tx.closeActivity(a, a.StartedIdentity, &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
		Attributes: &historypb.HistoryEvent_ActivityTaskTimedOutEventAttributes{ActivityTaskTimedOutEventAttributes: &historypb.ActivityTaskTimedOutEventAttributes{
			Failure: failure, ScheduledEventId: a.ScheduledEventID, RetryState: retryState,
		}},
	})
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
