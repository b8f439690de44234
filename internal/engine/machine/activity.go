package machine

import (
	"fmt"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

// scheduleActivity applies a ScheduleActivityTask command.
func (tx *Tx) scheduleActivity(i int, a *commandpb.ScheduleActivityTaskCommandAttributes, completedID int64, cmd *commandpb.Command) error {
	s := tx.S
	bad := func(cause enumspb.WorkflowTaskFailedCause, format string, args ...any) error {
		return &CommandError{Index: i, Cause: cause, Message: fmt.Sprintf(format, args...)}
	}
	if a.ActivityId == "" {
		return bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES, "ActivityId is not set on ScheduleActivityTask command")
	}
	if a.GetActivityType().GetName() == "" {
		return bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES, "ActivityType is not set on ScheduleActivityTask command")
	}
	if s.ActivityByID(a.ActivityId) != nil {
		return bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID, "activity id %q is already in use by an open activity", a.ActivityId)
	}
	if err := checkPending(i, len(s.Activities), tx.Limits.Activities, enumspb.WORKFLOW_TASK_FAILED_CAUSE_PENDING_ACTIVITIES_LIMIT_EXCEEDED, "pending activities"); err != nil {
		return err
	}
	taskQueue := a.GetTaskQueue().GetName()
	if taskQueue == "" {
		taskQueue = s.TaskQueue
	}
	s2c := a.GetScheduleToCloseTimeout().AsDuration()
	s2s := a.GetScheduleToStartTimeout().AsDuration()
	st2c := a.GetStartToCloseTimeout().AsDuration()
	hb := a.GetHeartbeatTimeout().AsDuration()
	if s2c < 0 || s2s < 0 || st2c < 0 || hb < 0 {
		return bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES, "activity timeouts must not be negative")
	}
	timeouts, ok := NormalizeActivityTimeouts(s2c, s2s, st2c, hb, s.RunTimeout)
	if !ok {
		return bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
			"a valid StartToCloseTimeout or ScheduleToCloseTimeout is not set on ScheduleActivityTask command")
	}
	s2c, s2s, st2c, hb = timeouts.ScheduleToClose, timeouts.ScheduleToStart, timeouts.StartToClose, timeouts.Heartbeat
	retry := NormalizeRetryPolicy(a.RetryPolicy)
	ev := tx.add(&historypb.HistoryEvent{
		EventType:    enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
		UserMetadata: cmd.UserMetadata,
		Attributes: &historypb.HistoryEvent_ActivityTaskScheduledEventAttributes{ActivityTaskScheduledEventAttributes: &historypb.ActivityTaskScheduledEventAttributes{
			ActivityId:                   a.ActivityId,
			ActivityType:                 a.ActivityType,
			TaskQueue:                    &taskqueuepb.TaskQueue{Name: taskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
			Header:                       a.Header,
			Input:                        a.Input,
			ScheduleToCloseTimeout:       durationpb.New(s2c),
			ScheduleToStartTimeout:       durationpb.New(s2s),
			StartToCloseTimeout:          durationpb.New(st2c),
			HeartbeatTimeout:             durationpb.New(hb),
			WorkflowTaskCompletedEventId: completedID,
			RetryPolicy:                  retry.Proto(),
			Priority:                     a.Priority,
		}},
	})
	act := &Activity{
		ScheduledEventID:     ev.EventId,
		ActivityID:           a.ActivityId,
		ActivityType:         a.ActivityType.Name,
		TaskQueue:            taskQueue,
		State:                ActivityScheduled,
		Attempt:              1,
		ScheduledTime:        tx.Now,
		AttemptScheduledTime: tx.Now,
		ScheduleToClose:      s2c,
		ScheduleToStart:      s2s,
		StartToClose:         st2c,
		Heartbeat:            hb,
		Retry:                retry,
	}
	if a.Priority != nil {
		act.Priority, _ = proto.Marshal(a.Priority)
	}
	s.Activities[act.ScheduledEventID] = act
	return nil
}

func capAt(d, limit time.Duration) time.Duration {
	if d == 0 || d > limit {
		return limit
	}
	return d
}

// requestCancelActivity applies a RequestCancelActivityTask command. An activity
// that has not started is canceled at once; a running one learns of the request
// through its heartbeat.
func (tx *Tx) requestCancelActivity(i int, scheduledID, completedID int64) (bool, error) {
	act := tx.S.Activities[scheduledID]
	if act == nil {
		return false, &CommandError{Index: i, Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
			Message: fmt.Sprintf("no open activity was scheduled by event %d", scheduledID)}
	}
	ev := tx.add(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
		Attributes: &historypb.HistoryEvent_ActivityTaskCancelRequestedEventAttributes{ActivityTaskCancelRequestedEventAttributes: &historypb.ActivityTaskCancelRequestedEventAttributes{
			ScheduledEventId: scheduledID, WorkflowTaskCompletedEventId: completedID,
		}},
	})
	if act.State == ActivityStarted {
		act.CancelRequested = true
		act.CancelRequestedEventID = ev.EventId
		return false, nil
	}
	delete(tx.S.Activities, scheduledID)
	tx.add(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
		Attributes: &historypb.HistoryEvent_ActivityTaskCanceledEventAttributes{ActivityTaskCanceledEventAttributes: &historypb.ActivityTaskCanceledEventAttributes{
			ScheduledEventId: scheduledID, LatestCancelRequestedEventId: ev.EventId,
		}},
	})
	return true, nil
}

// StartActivity records that a worker took attempt of the activity scheduled at
// scheduledID. Temporal writes no event for this: ActivityTaskStarted is written
// only with the activity's final outcome.
func (tx *Tx) StartActivity(scheduledID int64, attempt int32, identity, requestID string) (*Activity, error) {
	act := tx.S.Activities[scheduledID]
	if !tx.S.Open() || act == nil || act.State != ActivityScheduled || act.Attempt != attempt || act.Paused || tx.S.Paused() {
		return nil, ErrStale
	}
	act.State = ActivityStarted
	act.StartedTime = tx.Now
	act.StartedIdentity = identity
	act.StartedRequestID = requestID
	act.LastHeartbeat = time.Time{}
	tx.NoteStandaloneProgress(act, false)
	return act, nil
}

// StartedActivity returns the running activity a task token names, or ErrStale.
func (s *State) StartedActivity(scheduledID int64, attempt int32) (*Activity, error) {
	act := s.Activities[scheduledID]
	if !s.Open() || act == nil || act.State != ActivityStarted || act.Attempt != attempt {
		return nil, ErrStale
	}
	return act, nil
}

// HeartbeatActivity stores an activity's progress details and reports whether
// the workflow asked to cancel it.
func (tx *Tx) HeartbeatActivity(act *Activity, details *commonpb.Payloads) bool {
	act.LastHeartbeat = tx.Now
	if details != nil {
		act.HeartbeatDetails, _ = proto.Marshal(details)
	}
	tx.NoteStandaloneProgress(act, true)
	return act.CancelRequested
}

// CompleteActivity records an activity's result.
func (tx *Tx) CompleteActivity(act *Activity, result *commonpb.Payloads, identity string) {
	tx.closeActivity(act, identity, &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
		Attributes: &historypb.HistoryEvent_ActivityTaskCompletedEventAttributes{ActivityTaskCompletedEventAttributes: &historypb.ActivityTaskCompletedEventAttributes{
			Result: result, ScheduledEventId: act.ScheduledEventID, Identity: identity,
		}},
	})
}

// FailActivity records a failed attempt: it schedules a retry when the policy
// allows one, otherwise it writes the activity's failure. lastDetails, when set,
// replaces the stored heartbeat details.
func (tx *Tx) FailActivity(act *Activity, failure *failurepb.Failure, lastDetails *commonpb.Payloads, identity string) {
	if lastDetails != nil {
		act.HeartbeatDetails, _ = proto.Marshal(lastDetails)
	}
	act.LastIdentity = identity
	state, retried := tx.retryOrEnd(act, failure)
	if retried {
		return
	}
	tx.closeActivity(act, identity, &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED,
		Attributes: &historypb.HistoryEvent_ActivityTaskFailedEventAttributes{ActivityTaskFailedEventAttributes: &historypb.ActivityTaskFailedEventAttributes{
			Failure: failure, ScheduledEventId: act.ScheduledEventID, Identity: identity, RetryState: state,
		}},
	})
}

// CancelActivity records that a worker stopped an activity whose cancellation the
// workflow requested.
func (tx *Tx) CancelActivity(act *Activity, details *commonpb.Payloads, identity string) error {
	if !act.CancelRequested {
		return &RequestError{Message: "activity cancellation was not requested; it cannot be reported as canceled"}
	}
	tx.closeActivity(act, identity, &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
		Attributes: &historypb.HistoryEvent_ActivityTaskCanceledEventAttributes{ActivityTaskCanceledEventAttributes: &historypb.ActivityTaskCanceledEventAttributes{
			Details: details, ScheduledEventId: act.ScheduledEventID, Identity: identity,
			LatestCancelRequestedEventId: act.CancelRequestedEventID,
		}},
	})
	return nil
}

// retryOrEnd schedules the next attempt of an activity whose attempt failed,
// when its retry policy allows one and the workflow has not asked to cancel it.
// Otherwise it returns the retry state that ends the activity.
func (tx *Tx) retryOrEnd(act *Activity, failure *failurepb.Failure) (enumspb.RetryState, bool) {
	policy, attempt := act.Retry, act.Attempt
	if act.ResetAttempts {
		// The next attempt is number 1: no attempt limit is reached yet, and
		// the wait is the first interval.
		policy.MaximumAttempts, attempt = 0, 1
	}
	delay, state := policy.nextAttempt(attempt, failure, tx.Now, act.scheduleToCloseDeadline())
	if act.CancelRequested {
		return enumspb.RETRY_STATE_CANCEL_REQUESTED, false
	}
	if act.Paused && state != enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE {
		tx.holdPausedAttempt(act, failure)
		return enumspb.RETRY_STATE_IN_PROGRESS, true
	}
	if state == enumspb.RETRY_STATE_IN_PROGRESS {
		tx.retryActivity(act, failure, delay)
		return state, true
	}
	return state, false
}

// retryActivity puts an activity into backoff before its next attempt. Nothing
// is written to history.
func (tx *Tx) retryActivity(act *Activity, failure *failurepb.Failure, delay time.Duration) {
	act.LastFailure, _ = proto.Marshal(failure)
	act.State = ActivityBackoff
	act.LastAttemptCompleteTime = tx.Now
	act.startNextAttempt()
	act.AttemptScheduledTime = tx.Now.Add(delay)
	act.StartedTime = time.Time{}
}

// closeActivity writes an activity's final outcome, preceded by its lazily
// written ActivityTaskStarted when an attempt was running.
func (tx *Tx) closeActivity(act *Activity, identity string, closeEvent *historypb.HistoryEvent) {
	delete(tx.S.Activities, act.ScheduledEventID)
	var started *historypb.HistoryEvent
	if act.State == ActivityStarted {
		attrs := &historypb.ActivityTaskStartedEventAttributes{
			ScheduledEventId: act.ScheduledEventID,
			Identity:         act.StartedIdentity,
			RequestId:        act.StartedRequestID,
			Attempt:          act.Attempt,
		}
		if len(act.LastFailure) > 0 {
			f := &failurepb.Failure{}
			if proto.Unmarshal(act.LastFailure, f) == nil {
				attrs.LastFailure = f
			}
		}
		started = &historypb.HistoryEvent{
			EventType:  enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED,
			Attributes: &historypb.HistoryEvent_ActivityTaskStartedEventAttributes{ActivityTaskStartedEventAttributes: attrs},
		}
	}
	setStarted := func(id int64) {
		switch a := closeEvent.Attributes.(type) {
		case *historypb.HistoryEvent_ActivityTaskCompletedEventAttributes:
			a.ActivityTaskCompletedEventAttributes.StartedEventId = id
		case *historypb.HistoryEvent_ActivityTaskFailedEventAttributes:
			a.ActivityTaskFailedEventAttributes.StartedEventId = id
		case *historypb.HistoryEvent_ActivityTaskTimedOutEventAttributes:
			a.ActivityTaskTimedOutEventAttributes.StartedEventId = id
		case *historypb.HistoryEvent_ActivityTaskCanceledEventAttributes:
			a.ActivityTaskCanceledEventAttributes.StartedEventId = id
		}
	}
	if tx.S.Standalone != nil {
		tx.closeStandalone(act, started, closeEvent, setStarted)
		return
	}
	if tx.S.WorkflowTaskStarted() {
		if started != nil {
			started.EventTime = tsOf(act.StartedTime)
			tx.S.Buffered = append(tx.S.Buffered, started)
			setStarted(pendingStartedID)
		}
		closeEvent.EventTime = tsOf(tx.Now)
		tx.S.Buffered = append(tx.S.Buffered, closeEvent)
		tx.S.WorkflowTaskNeeded = true
		return
	}
	if started != nil {
		ev := tx.add(started)
		ev.EventTime = tsOf(act.StartedTime)
		setStarted(ev.EventId)
	}
	tx.add(closeEvent)
	tx.scheduleWorkflowTask()
}

// scheduleToCloseDeadline is when the activity as a whole times out (zero: never).
func (a *Activity) scheduleToCloseDeadline() time.Time {
	if a.ScheduleToClose <= 0 {
		return time.Time{}
	}
	return a.ScheduledTime.Add(a.ScheduleToClose)
}

// DecodedHeartbeatDetails returns the last recorded heartbeat details.
func (a *Activity) DecodedHeartbeatDetails() *commonpb.Payloads {
	if len(a.HeartbeatDetails) == 0 {
		return nil
	}
	p := &commonpb.Payloads{}
	if proto.Unmarshal(a.HeartbeatDetails, p) != nil {
		return nil
	}
	return p
}

// DecodedPriority returns the activity's priority, nil if none was set.
func (a *Activity) DecodedPriority() *commonpb.Priority {
	if len(a.Priority) == 0 {
		return nil
	}
	p := &commonpb.Priority{}
	if proto.Unmarshal(a.Priority, p) != nil {
		return nil
	}
	return p
}
