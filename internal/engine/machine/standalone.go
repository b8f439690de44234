package machine

import (
	"encoding/json"
	"fmt"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

// A standalone activity (StartActivityExecution) is kept as a run of its own
// with no workflow: its State carries Standalone, its one Activity is
// scheduled by the run's first event, and the activity's close ends the run.
// Retries, timeouts, heartbeats, pause and cancellation are those of an
// activity a workflow scheduled; the history of such a run holds the
// activity's events only (scheduled, started, and its outcome).

// Standalone is what a standalone activity's run keeps besides its activity.
type Standalone struct {
	ActivityID   string    `json:",omitzero"`
	ActivityType string    `json:",omitzero"`
	ScheduleTime time.Time `json:",omitzero"` // when StartActivityExecution was accepted
	StartDelay   time.Duration
	// ScheduledEventID is the ActivityTaskScheduled event of the activity.
	ScheduledEventID int64 `json:",omitzero"`
	// The last attempt's facts, kept after the activity closed for Describe.
	Attempt            int32     `json:",omitzero"`
	LastStartedTime    time.Time `json:",omitzero"`
	LastHeartbeatTime  time.Time `json:",omitzero"`
	LastWorkerIdentity string    `json:",omitzero"`
	HeartbeatCount     int64     `json:",omitzero"`
	// LastAttemptCompleteTime is when the last attempt ended, once closed.
	LastAttemptCompleteTime time.Time `json:",omitzero"`
	Options                 ActivityOptions
	Retry                   RetryPolicy `json:",omitzero"`
	// Cancellation and termination requests, deduplicated by request id.
	CancelRequestID    string `json:",omitzero"`
	CancelReason       string `json:",omitzero"`
	TerminateRequestID string `json:",omitzero"`
	Transitions        int64  `json:",omitzero"`
}

// PreconditionError is a request a standalone activity's state does not
// allow now (it closed, or was already canceled); callers answer it with
// FailedPrecondition.
type PreconditionError struct{ Message string }

func (e *PreconditionError) Error() string { return e.Message }

// StandaloneParams describe a new standalone activity.
type StandaloneParams struct {
	NamespaceID, Namespace string
	ActivityID, RunID      string
	ActivityType           string
	TaskQueue              string
	Input                  *commonpb.Payloads
	Header                 *commonpb.Header
	ScheduleToClose        time.Duration
	ScheduleToStart        time.Duration
	StartToClose           time.Duration
	Heartbeat              time.Duration
	StartDelay             time.Duration
	RetryPolicy            *commonpb.RetryPolicy
	Priority               *commonpb.Priority
	SearchAttributes       *commonpb.SearchAttributes
	Identity, RequestID    string
}

// NewStandaloneActivity creates the run of a standalone activity. It fails
// when neither a schedule-to-close nor a start-to-close timeout is set.
func NewStandaloneActivity(p StandaloneParams, now time.Time) (*Tx, error) {
	timeouts, ok := NormalizeActivityTimeouts(p.ScheduleToClose, p.ScheduleToStart, p.StartToClose, p.Heartbeat, 0)
	if !ok {
		return nil, &RequestError{Message: fmt.Sprintf(
			"a valid StartToCloseTimeout or ScheduleToCloseTimeout must be set on the activity. ActivityId=%s ActivityType=%s", p.ActivityID, p.ActivityType)}
	}
	retry := NormalizeRetryPolicy(p.RetryPolicy)
	s := &State{
		NamespaceID:   p.NamespaceID,
		Namespace:     p.Namespace,
		WorkflowID:    p.ActivityID,
		RunID:         p.RunID,
		FirstRunID:    p.RunID,
		WorkflowType:  p.ActivityType,
		TaskQueue:     p.TaskQueue,
		Status:        enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
		StartRequest:  p.RequestID,
		Identity:      p.Identity,
		Attempt:       1,
		StartTime:     now,
		ExecutionTime: now.Add(p.StartDelay),
		NextEventID:   1,
		Activities:    map[int64]*Activity{},
		Timers:        map[string]*Timer{},
		Standalone: &Standalone{
			ActivityID: p.ActivityID, ActivityType: p.ActivityType, ScheduleTime: now, StartDelay: p.StartDelay,
			Attempt: 1, Options: timeouts, Retry: retry, Transitions: 1,
		},
	}
	if p.SearchAttributes != nil && len(p.SearchAttributes.IndexedFields) > 0 {
		s.SearchAttributes, _ = proto.Marshal(p.SearchAttributes)
	}
	if p.Priority != nil {
		s.Priority, _ = proto.Marshal(p.Priority)
	}
	tx := Begin(s, now)
	ev := tx.add(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
		Attributes: &historypb.HistoryEvent_ActivityTaskScheduledEventAttributes{ActivityTaskScheduledEventAttributes: &historypb.ActivityTaskScheduledEventAttributes{
			ActivityId:             p.ActivityID,
			ActivityType:           &commonpb.ActivityType{Name: p.ActivityType},
			TaskQueue:              &taskqueuepb.TaskQueue{Name: p.TaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
			Header:                 p.Header,
			Input:                  p.Input,
			ScheduleToCloseTimeout: durationpb.New(timeouts.ScheduleToClose),
			ScheduleToStartTimeout: durationpb.New(timeouts.ScheduleToStart),
			StartToCloseTimeout:    durationpb.New(timeouts.StartToClose),
			HeartbeatTimeout:       durationpb.New(timeouts.Heartbeat),
			RetryPolicy:            retry.Proto(),
			Priority:               p.Priority,
		}},
	})
	s.Standalone.ScheduledEventID = ev.EventId
	act := &Activity{
		ScheduledEventID: ev.EventId,
		ActivityID:       p.ActivityID,
		ActivityType:     p.ActivityType,
		TaskQueue:        p.TaskQueue,
		State:            ActivityScheduled,
		Attempt:          1,
		// A start delay postpones the first attempt and, as in Temporal, the
		// schedule-to-close deadline with it.
		ScheduledTime:        now.Add(p.StartDelay),
		AttemptScheduledTime: now.Add(p.StartDelay),
		ScheduleToClose:      timeouts.ScheduleToClose,
		ScheduleToStart:      timeouts.ScheduleToStart,
		StartToClose:         timeouts.StartToClose,
		Heartbeat:            timeouts.Heartbeat,
		Retry:                retry,
		Priority:             s.Priority,
	}
	if p.StartDelay > 0 {
		act.State = ActivityBackoff
	}
	s.Activities[act.ScheduledEventID] = act
	return tx, nil
}

// StandaloneActivity returns the open activity of a standalone run, nil once
// it closed.
func (s *State) StandaloneActivity() *Activity {
	if s.Standalone == nil {
		return nil
	}
	return s.Activities[s.Standalone.ScheduledEventID]
}

// noteStandalone copies an attempt's facts into the run's Standalone record,
// so Describe still shows them once the activity closed.
func (s *State) noteStandalone(act *Activity) {
	sa := s.Standalone
	sa.Attempt = act.Attempt
	if !act.StartedTime.IsZero() {
		sa.LastStartedTime = act.StartedTime
	}
	if !act.LastHeartbeat.IsZero() {
		sa.LastHeartbeatTime = act.LastHeartbeat
	}
	if act.StartedIdentity != "" {
		sa.LastWorkerIdentity = act.StartedIdentity
	}
	sa.Options = act.Options()
	sa.Retry = act.Retry
	sa.Transitions++
}

// NoteStandaloneProgress records an attempt's start or heartbeat on a
// standalone run; it does nothing on a workflow's run.
func (tx *Tx) NoteStandaloneProgress(act *Activity, heartbeat bool) {
	if tx.S.Standalone == nil {
		return
	}
	if heartbeat {
		tx.S.Standalone.HeartbeatCount++
	}
	tx.S.noteStandalone(act)
}

// closeStandalone ends a standalone run with its activity's outcome: the
// lazily written ActivityTaskStarted (if an attempt ran) and closeEvent.
func (tx *Tx) closeStandalone(act *Activity, started, closeEvent *historypb.HistoryEvent, setStarted func(int64)) {
	s := tx.S
	s.noteStandalone(act)
	if started != nil {
		s.Standalone.LastAttemptCompleteTime = tx.Now
		ev := tx.add(started)
		ev.EventTime = tsOf(act.StartedTime)
		setStarted(ev.EventId)
	}
	closed := tx.add(closeEvent)
	status := enumspb.WORKFLOW_EXECUTION_STATUS_FAILED
	switch closeEvent.EventType {
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
		status = enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
		status = enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
		status = enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT
	}
	tx.endStandalone(status, closed.EventId)
}

func (tx *Tx) endStandalone(status enumspb.WorkflowExecutionStatus, closeEventID int64) {
	s := tx.S
	s.Status = status
	s.CloseTime = tx.Now
	s.CloseEventID = closeEventID
	s.Activities = map[int64]*Activity{}
	s.Timers = map[string]*Timer{}
}

// RequestCancelStandalone asks a standalone activity to stop: one waiting
// for a worker (or for its next attempt) is canceled at once; a running
// attempt learns of the request through its heartbeat. A repeated request id
// changes nothing.
func (tx *Tx) RequestCancelStandalone(reason, identity, requestID string) error {
	s := tx.S
	sa := s.Standalone
	if requestID != "" && sa.CancelRequestID == requestID {
		return nil
	}
	act := s.StandaloneActivity()
	if !s.Open() || act == nil {
		return &PreconditionError{Message: fmt.Sprintf("activity is in terminal state %v", StandaloneStatus(s))}
	}
	if act.CancelRequested {
		return &PreconditionError{Message: fmt.Sprintf("cancellation already requested with request ID %s", sa.CancelRequestID)}
	}
	sa.CancelRequestID, sa.CancelReason = requestID, reason
	act.CancelRequested = true
	sa.Transitions++
	if act.State == ActivityStarted {
		return nil
	}
	// As in Temporal, the canceled outcome's details are the reason.
	data, _ := json.Marshal(reason)
	details := &commonpb.Payloads{Payloads: []*commonpb.Payload{{
		Metadata: map[string][]byte{"encoding": []byte("json/plain")},
		Data:     data,
	}}}
	tx.closeActivity(act, identity, &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
		Attributes: &historypb.HistoryEvent_ActivityTaskCanceledEventAttributes{ActivityTaskCanceledEventAttributes: &historypb.ActivityTaskCanceledEventAttributes{
			Details: details, ScheduledEventId: act.ScheduledEventID, Identity: identity,
		}},
	})
	return nil
}

// TerminateStandalone ends a standalone activity at once, whatever its
// attempt is doing; the running attempt's token goes stale.
func (tx *Tx) TerminateStandalone(reason, identity, requestID string) error {
	s := tx.S
	sa := s.Standalone
	if s.Status == enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED {
		if sa.TerminateRequestID != requestID {
			return &PreconditionError{Message: fmt.Sprintf("already terminated with request ID %s", sa.TerminateRequestID)}
		}
		return nil
	}
	act := s.StandaloneActivity()
	if !s.Open() || act == nil {
		return &PreconditionError{Message: fmt.Sprintf("activity is in terminal state %v", StandaloneStatus(s))}
	}
	sa.TerminateRequestID = requestID
	s.noteStandalone(act)
	ev := tx.add(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED,
		Attributes: &historypb.HistoryEvent_ActivityTaskFailedEventAttributes{ActivityTaskFailedEventAttributes: &historypb.ActivityTaskFailedEventAttributes{
			Failure: &failurepb.Failure{
				Message: reason, Source: "Server",
				FailureInfo: &failurepb.Failure_TerminatedFailureInfo{TerminatedFailureInfo: &failurepb.TerminatedFailureInfo{}},
			},
			ScheduledEventId: act.ScheduledEventID, Identity: identity, RetryState: enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE,
		}},
	})
	tx.endStandalone(enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED, ev.EventId)
	return nil
}

// StandaloneStatus is a standalone run's status in the ActivityExecution
// vocabulary.
func StandaloneStatus(s *State) enumspb.ActivityExecutionStatus {
	return ActivityStatusOf(s.Status)
}

// ActivityStatusOf maps the status column of a standalone run to the
// activity execution status it stands for.
func ActivityStatusOf(st enumspb.WorkflowExecutionStatus) enumspb.ActivityExecutionStatus {
	switch st {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, enumspb.WORKFLOW_EXECUTION_STATUS_PAUSED:
		return enumspb.ACTIVITY_EXECUTION_STATUS_RUNNING
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return enumspb.ACTIVITY_EXECUTION_STATUS_COMPLETED
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		return enumspb.ACTIVITY_EXECUTION_STATUS_FAILED
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return enumspb.ACTIVITY_EXECUTION_STATUS_CANCELED
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		return enumspb.ACTIVITY_EXECUTION_STATUS_TERMINATED
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		return enumspb.ACTIVITY_EXECUTION_STATUS_TIMED_OUT
	}
	return enumspb.ACTIVITY_EXECUTION_STATUS_UNSPECIFIED
}
