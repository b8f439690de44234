package machine

import (
	"cmp"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"
)

// Rebuild replays a prefix of a run's history, from its first event, into the
// state the machine held right after it wrote the prefix's last event. A reset
// starts the new run from it.
//
// History does not hold everything a State does, so Rebuild leaves out:
//   - the start's request id (StartRequest) and the parent's close policy
//     (Parent.ClosePolicy), which only the run's own state records;
//   - sticky routing: a task pending on a sticky queue keeps that queue, but
//     the sticky schedule-to-start timeout is unknown (zero);
//   - events buffered while a workflow task ran, and whether another workflow
//     task is needed once it closes;
//   - an activity attempt's progress, which Temporal keeps out of history too:
//     every open activity comes back scheduled, at attempt 1, as of its
//     ActivityTaskScheduled event.
func Rebuild(events []*historypb.HistoryEvent, namespaceID, namespace string) (*State, error) {
	if len(events) == 0 || events[0].EventType != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED {
		return nil, fmt.Errorf("rebuilding run state: history must begin with WorkflowExecutionStarted")
	}
	b := &rebuilder{
		s: &State{
			NamespaceID: namespaceID,
			Namespace:   namespace,
			NextEventID: 1,
			Activities:  map[int64]*Activity{},
			Timers:      map[string]*Timer{},
		},
		updateByAccepted: map[int64]string{},
	}
	for _, ev := range events {
		if ev.EventId != b.s.NextEventID {
			return nil, fmt.Errorf("rebuilding run state: event %d follows event %d", ev.EventId, b.s.NextEventID-1)
		}
		if !b.s.Open() && ev.EventId > 1 {
			return nil, fmt.Errorf("rebuilding run state: event %d (%s) follows the close event", ev.EventId, ev.EventType)
		}
		if err := b.apply(ev); err != nil {
			return nil, fmt.Errorf("rebuilding run state at event %d (%s): %w", ev.EventId, ev.EventType, err)
		}
		b.s.NextEventID++
	}
	return b.s, nil
}

// rebuilder applies history events to a state, one at a time.
type rebuilder struct {
	s *State
	// updateByAccepted finds an update's id from its accepted event id.
	updateByAccepted map[int64]string
}

func (b *rebuilder) apply(ev *historypb.HistoryEvent) error {
	s := b.s
	when := ev.GetEventTime().AsTime()
	s.HistorySize += int64(proto.Size(ev))
	switch ev.EventType {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
		return b.started(ev.GetWorkflowExecutionStartedEventAttributes(), when)

	case enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
		a := ev.GetWorkflowTaskScheduledEventAttributes()
		wt := &WorkflowTask{
			ScheduledEventID: ev.EventId,
			Attempt:          a.GetAttempt(),
			TaskQueue:        a.GetTaskQueue().GetName(),
			ScheduledTime:    when,
			Timeout:          a.GetStartToCloseTimeout().AsDuration(),
		}
		s.StickyQueue, s.StickyTimeout = "", 0
		if a.GetTaskQueue().GetKind() == enumspb.TASK_QUEUE_KIND_STICKY {
			wt.Sticky = true
			s.StickyQueue = wt.TaskQueue
		}
		s.WorkflowTask = wt
		s.WorkflowTaskNeeded = false
		s.DelayedStart = false
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
		a := ev.GetWorkflowTaskStartedEventAttributes()
		wt := s.WorkflowTask
		if wt == nil || wt.ScheduledEventID != a.GetScheduledEventId() || wt.StartedEventID != 0 {
			return fmt.Errorf("no workflow task scheduled at %d is waiting to start", a.GetScheduledEventId())
		}
		wt.StartedEventID = ev.EventId
		wt.StartedTime = when
		wt.Identity = a.GetIdentity()
		wt.RequestID = a.GetRequestId()
		if a.GetHistorySizeBytes() > 0 {
			// The event records the size the machine counted before writing it,
			// which is exact where summing stored events is not.
			s.HistorySize = a.GetHistorySizeBytes() + int64(proto.Size(ev))
		}
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
		a := ev.GetWorkflowTaskCompletedEventAttributes()
		if err := b.closeWorkflowTask(a.GetScheduledEventId()); err != nil {
			return err
		}
		s.LastCompletedStartedID = a.GetStartedEventId()
		(&Tx{S: s, Now: ev.GetEventTime().AsTime()}).noteResetPoint(a.GetBinaryChecksum(), ev.EventId)
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED:
		if err := b.closeWorkflowTask(ev.GetWorkflowTaskFailedEventAttributes().GetScheduledEventId()); err != nil {
			return err
		}
		s.StickyQueue, s.StickyTimeout = "", 0
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
		if err := b.closeWorkflowTask(ev.GetWorkflowTaskTimedOutEventAttributes().GetScheduledEventId()); err != nil {
			return err
		}
		s.StickyQueue, s.StickyTimeout = "", 0

	case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
		b.activityScheduled(ev, when)
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
		a := ev.GetActivityTaskStartedEventAttributes()
		act, err := b.activity(a.GetScheduledEventId())
		if err != nil {
			return err
		}
		act.State = ActivityStarted
		act.Attempt = a.GetAttempt()
		act.StartedTime = when
		act.StartedIdentity = a.GetIdentity()
		act.StartedRequestID = a.GetRequestId()
		if a.GetLastFailure() != nil {
			act.LastFailure, _ = proto.Marshal(a.GetLastFailure())
		}
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED:
		act, err := b.activity(ev.GetActivityTaskCancelRequestedEventAttributes().GetScheduledEventId())
		if err != nil {
			return err
		}
		act.CancelRequested = true
		act.CancelRequestedEventID = ev.EventId
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
		return b.closeActivity(ev.GetActivityTaskCompletedEventAttributes().GetScheduledEventId())
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
		return b.closeActivity(ev.GetActivityTaskFailedEventAttributes().GetScheduledEventId())
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
		return b.closeActivity(ev.GetActivityTaskTimedOutEventAttributes().GetScheduledEventId())
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
		return b.closeActivity(ev.GetActivityTaskCanceledEventAttributes().GetScheduledEventId())

	case enumspb.EVENT_TYPE_TIMER_STARTED:
		a := ev.GetTimerStartedEventAttributes()
		s.Timers[a.GetTimerId()] = &Timer{TimerID: a.GetTimerId(), StartedEventID: ev.EventId, FireTime: when.Add(a.GetStartToFireTimeout().AsDuration())}
	case enumspb.EVENT_TYPE_TIMER_FIRED:
		return b.closeTimer(ev.GetTimerFiredEventAttributes().GetTimerId())
	case enumspb.EVENT_TYPE_TIMER_CANCELED:
		return b.closeTimer(ev.GetTimerCanceledEventAttributes().GetTimerId())

	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
		rememberSignal(s, ev.GetWorkflowExecutionSignaledEventAttributes().GetRequestId())
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
		s.CancelRequested = true
	case enumspb.EVENT_TYPE_MARKER_RECORDED:
		// Markers are read by the workflow's code on replay; they change no state.
	case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
		merged, err := mergeSearchAttributes(s.SearchAttributes, ev.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes())
		if err != nil {
			return err
		}
		s.SearchAttributes = merged
	case enumspb.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
		merged, err := mergeMemo(s.Memo, ev.GetWorkflowPropertiesModifiedEventAttributes().GetUpsertedMemo())
		if err != nil {
			return err
		}
		s.Memo = merged

	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
		id := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetProtocolInstanceId()
		if s.Updates == nil {
			s.Updates = map[string]*UpdateRecord{}
		}
		s.Updates[id] = &UpdateRecord{AcceptedEventID: ev.EventId}
		b.updateByAccepted[ev.EventId] = id
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
		accepted := ev.GetWorkflowExecutionUpdateCompletedEventAttributes().GetAcceptedEventId()
		rec := s.Updates[b.updateByAccepted[accepted]]
		if rec == nil {
			return fmt.Errorf("no update was accepted at event %d", accepted)
		}
		rec.CompletedEventID = ev.EventId

	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_PAUSED:
		a := ev.GetWorkflowExecutionPausedEventAttributes()
		s.Status = enumspb.WORKFLOW_EXECUTION_STATUS_PAUSED
		s.Pause = &RunPause{Time: when, Identity: a.GetIdentity(), Reason: a.GetReason(), RequestID: a.GetRequestId()}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UNPAUSED:
		s.Status = enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
		s.Pause = nil
	default:
		if b.applyCrossRun(ev) {
			return nil
		}
		if status, closes := closeStatus(ev.EventType); closes {
			b.closeRun(status, ev.EventId, when)
			return nil
		}
		return fmt.Errorf("event type %s is not one this server writes", ev.EventType)
	}
	return nil
}

// started restores what the run's first event records.
func (b *rebuilder) started(a *historypb.WorkflowExecutionStartedEventAttributes, when time.Time) error {
	s := b.s
	if a == nil {
		return fmt.Errorf("WorkflowExecutionStarted has no attributes")
	}
	s.WorkflowID = a.GetWorkflowId()
	s.RunID = a.GetOriginalExecutionRunId()
	s.FirstRunID = cmp.Or(a.GetFirstExecutionRunId(), s.RunID)
	s.WorkflowType = a.GetWorkflowType().GetName()
	s.TaskQueue = a.GetTaskQueue().GetName()
	s.Status = enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	s.Identity = a.GetIdentity()
	s.Attempt = max(a.GetAttempt(), 1)
	s.CronSchedule = a.GetCronSchedule()
	s.StartTime = when
	backoff := a.GetFirstWorkflowTaskBackoff().AsDuration()
	s.ExecutionTime = when.Add(backoff)
	s.DelayedStart = backoff > 0
	s.ExecutionTimeout = a.GetWorkflowExecutionTimeout().AsDuration()
	s.RunTimeout = a.GetWorkflowRunTimeout().AsDuration()
	s.WorkflowTaskTimeout = a.GetWorkflowTaskTimeout().AsDuration()
	if s.RunTimeout > 0 {
		s.RunDeadline = s.ExecutionTime.Add(s.RunTimeout)
	}
	if a.GetWorkflowExecutionExpirationTime() != nil {
		s.ExecutionDeadline = a.GetWorkflowExecutionExpirationTime().AsTime()
	}
	if pe := a.GetParentWorkflowExecution(); pe != nil {
		s.Parent = &ParentInfo{
			NamespaceID:      a.GetParentWorkflowNamespaceId(),
			Namespace:        a.GetParentWorkflowNamespace(),
			WorkflowID:       pe.GetWorkflowId(),
			RunID:            pe.GetRunId(),
			InitiatedEventID: a.GetParentInitiatedEventId(),
			RootWorkflowID:   a.GetRootWorkflowExecution().GetWorkflowId(),
			RootRunID:        a.GetRootWorkflowExecution().GetRunId(),
		}
	}
	if a.GetRetryPolicy() != nil {
		s.RetryPolicy, _ = proto.Marshal(a.GetRetryPolicy())
	}
	if a.GetRetryPolicy() != nil || s.CronSchedule != "" {
		if a.GetInput() != nil {
			s.Input, _ = proto.Marshal(a.GetInput())
		}
		if a.GetHeader() != nil {
			s.Header, _ = proto.Marshal(a.GetHeader())
		}
	}
	if len(a.GetMemo().GetFields()) > 0 {
		s.Memo, _ = proto.Marshal(a.GetMemo())
	}
	if len(a.GetSearchAttributes().GetIndexedFields()) > 0 {
		s.SearchAttributes, _ = proto.Marshal(a.GetSearchAttributes())
	}
	return nil
}

func (b *rebuilder) closeWorkflowTask(scheduledID int64) error {
	wt := b.s.WorkflowTask
	if wt == nil || wt.ScheduledEventID != scheduledID {
		return fmt.Errorf("no workflow task scheduled at %d is open", scheduledID)
	}
	b.s.WorkflowTask = nil
	b.s.WorkflowTaskNeeded = false
	return nil
}

func (b *rebuilder) activityScheduled(ev *historypb.HistoryEvent, when time.Time) {
	a := ev.GetActivityTaskScheduledEventAttributes()
	act := &Activity{
		ScheduledEventID:     ev.EventId,
		ActivityID:           a.GetActivityId(),
		ActivityType:         a.GetActivityType().GetName(),
		TaskQueue:            a.GetTaskQueue().GetName(),
		State:                ActivityScheduled,
		Attempt:              1,
		ScheduledTime:        when,
		AttemptScheduledTime: when,
		ScheduleToClose:      a.GetScheduleToCloseTimeout().AsDuration(),
		ScheduleToStart:      a.GetScheduleToStartTimeout().AsDuration(),
		StartToClose:         a.GetStartToCloseTimeout().AsDuration(),
		Heartbeat:            a.GetHeartbeatTimeout().AsDuration(),
		Retry:                NormalizeRetryPolicy(a.GetRetryPolicy()),
	}
	if a.GetPriority() != nil {
		act.Priority, _ = proto.Marshal(a.GetPriority())
	}
	b.s.Activities[ev.EventId] = act
}

func (b *rebuilder) activity(scheduledID int64) (*Activity, error) {
	act := b.s.Activities[scheduledID]
	if act == nil {
		return nil, fmt.Errorf("no open activity was scheduled at %d", scheduledID)
	}
	return act, nil
}

func (b *rebuilder) closeActivity(scheduledID int64) error {
	if _, err := b.activity(scheduledID); err != nil {
		return err
	}
	delete(b.s.Activities, scheduledID)
	return nil
}

func (b *rebuilder) closeTimer(id string) error {
	if _, ok := b.s.Timers[id]; !ok {
		return fmt.Errorf("no started timer has id %q", id)
	}
	delete(b.s.Timers, id)
	return nil
}

// applyCrossRun applies the events of children and of requests sent to other
// workflows. It reports whether ev was one of them.
func (b *rebuilder) applyCrossRun(ev *historypb.HistoryEvent) bool {
	s := b.s
	switch ev.EventType {
	case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
		a := ev.GetStartChildWorkflowExecutionInitiatedEventAttributes()
		if s.Children == nil {
			s.Children = map[int64]*Child{}
		}
		s.Children[ev.EventId] = &Child{
			InitiatedEventID:  ev.EventId,
			NamespaceID:       a.GetNamespaceId(),
			Namespace:         a.GetNamespace(),
			WorkflowID:        a.GetWorkflowId(),
			WorkflowType:      a.GetWorkflowType().GetName(),
			ParentClosePolicy: a.GetParentClosePolicy(),
		}
	case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
		a := ev.GetChildWorkflowExecutionStartedEventAttributes()
		if c := s.Children[a.GetInitiatedEventId()]; c != nil {
			c.RunID = a.GetWorkflowExecution().GetRunId()
			c.StartedEventID = ev.EventId
		}
	case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED:
		delete(s.Children, ev.GetStartChildWorkflowExecutionFailedEventAttributes().GetInitiatedEventId())
	case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED:
		delete(s.Children, childInitiatedID(ev))

	case enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
		a := ev.GetSignalExternalWorkflowExecutionInitiatedEventAttributes()
		if s.ExternalSignals == nil {
			s.ExternalSignals = map[int64]*ExternalRequest{}
		}
		s.ExternalSignals[ev.EventId] = &ExternalRequest{
			InitiatedEventID: ev.EventId, NamespaceID: a.GetNamespaceId(), Namespace: a.GetNamespace(),
			WorkflowID: a.GetWorkflowExecution().GetWorkflowId(), RunID: a.GetWorkflowExecution().GetRunId(),
			Control: a.GetControl(), ChildOnly: a.GetChildWorkflowOnly(),
		}
	case enumspb.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED:
		delete(s.ExternalSignals, ev.GetExternalWorkflowExecutionSignaledEventAttributes().GetInitiatedEventId())
	case enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED:
		delete(s.ExternalSignals, ev.GetSignalExternalWorkflowExecutionFailedEventAttributes().GetInitiatedEventId())

	case enumspb.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
		a := ev.GetRequestCancelExternalWorkflowExecutionInitiatedEventAttributes()
		if s.ExternalCancels == nil {
			s.ExternalCancels = map[int64]*ExternalRequest{}
		}
		s.ExternalCancels[ev.EventId] = &ExternalRequest{
			InitiatedEventID: ev.EventId, NamespaceID: a.GetNamespaceId(), Namespace: a.GetNamespace(),
			WorkflowID: a.GetWorkflowExecution().GetWorkflowId(), RunID: a.GetWorkflowExecution().GetRunId(),
			Control: a.GetControl(), ChildOnly: a.GetChildWorkflowOnly(),
		}
	case enumspb.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
		delete(s.ExternalCancels, ev.GetExternalWorkflowExecutionCancelRequestedEventAttributes().GetInitiatedEventId())
	case enumspb.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED:
		delete(s.ExternalCancels, ev.GetRequestCancelExternalWorkflowExecutionFailedEventAttributes().GetInitiatedEventId())
	default:
		return false
	}
	return true
}

// childInitiatedID returns the initiated event id a child's close event names.
func childInitiatedID(ev *historypb.HistoryEvent) int64 {
	switch a := ev.Attributes.(type) {
	case *historypb.HistoryEvent_ChildWorkflowExecutionCompletedEventAttributes:
		return a.ChildWorkflowExecutionCompletedEventAttributes.GetInitiatedEventId()
	case *historypb.HistoryEvent_ChildWorkflowExecutionFailedEventAttributes:
		return a.ChildWorkflowExecutionFailedEventAttributes.GetInitiatedEventId()
	case *historypb.HistoryEvent_ChildWorkflowExecutionCanceledEventAttributes:
		return a.ChildWorkflowExecutionCanceledEventAttributes.GetInitiatedEventId()
	case *historypb.HistoryEvent_ChildWorkflowExecutionTimedOutEventAttributes:
		return a.ChildWorkflowExecutionTimedOutEventAttributes.GetInitiatedEventId()
	case *historypb.HistoryEvent_ChildWorkflowExecutionTerminatedEventAttributes:
		return a.ChildWorkflowExecutionTerminatedEventAttributes.GetInitiatedEventId()
	}
	return 0
}

// closeStatus maps a close event to the status it gives the run.
func closeStatus(t enumspb.EventType) (enumspb.WorkflowExecutionStatus, bool) {
	switch t {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
		return enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, true
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
		return enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, true
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
		return enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT, true
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
		return enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED, true
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
		return enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED, true
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
		return enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW, true
	}
	return enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED, false
}

// closeRun does what Tx.closeRun does to the state.
func (b *rebuilder) closeRun(status enumspb.WorkflowExecutionStatus, eventID int64, when time.Time) {
	s := b.s
	s.Status = status
	s.CloseTime = when
	s.CloseEventID = eventID
	s.WorkflowTask = nil
	s.WorkflowTaskNeeded = false
	s.StickyQueue, s.StickyTimeout = "", 0
	s.Activities = map[int64]*Activity{}
	s.Timers = map[string]*Timer{}
	s.Children = nil
	s.ExternalSignals = nil
	s.ExternalCancels = nil
}

// rememberSignal records a delivered signal's request id, as SignalRun does.
func rememberSignal(s *State, requestID string) {
	if requestID == "" {
		return
	}
	s.SignalRequestIDs = append(s.SignalRequestIDs, requestID)
	if n := len(s.SignalRequestIDs); n > signalMemory {
		s.SignalRequestIDs = s.SignalRequestIDs[n-signalMemory:]
	}
}
