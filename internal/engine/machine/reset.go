package machine

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"
)

// ResetIdentity is the identity on the events a reset writes into the run it
// terminates, as Temporal names its resetter.
const ResetIdentity = "history-resetter"

// ResetParams describe a reset of a run to one of its workflow tasks.
type ResetParams struct {
	// Base is the state of the run being reset. It supplies what history does
	// not record (the parent's close policy).
	Base     *State
	NewRunID string
	// RequestID is the reset request's id; the new run keeps it as its start
	// request so that a retried reset finds the run it created.
	RequestID string
	Reason    string
	// Reapply holds the base run's events after the reset point, in order
	// (with those its termination by the reset wrote). Signals among them are
	// delivered again unless ExcludeSignals is set; outcomes of children that
	// are still pending at the reset point are always recorded again.
	Reapply []*historypb.HistoryEvent
	// ReapplyContinued holds the events of the runs that continued the base
	// run as new; only their signals are delivered again.
	ReapplyContinued []*historypb.HistoryEvent
	ExcludeSignals   bool
}

// ResetRun creates the run that replaces p.Base. prefix is the base run's
// history up to the reset point: it ends with the WorkflowTaskStarted (or,
// for a task that never started, WorkflowTaskScheduled) of the task the reset
// goes back to. The new run's history is a copy of prefix, then that task
// failed with cause RESET_WORKFLOW, then the reapplied events, then a new
// workflow task. Activities open at the reset point are scheduled again at
// attempt 1; timers keep their fire times; the run's timeouts start over at
// now.
//
// The returned transition's Events are the new run's whole history. A reset
// point without a pending workflow task is a *RequestError.
func ResetRun(prefix []*historypb.HistoryEvent, p ResetParams, now time.Time) (*Tx, error) {
	s, err := Rebuild(prefix, p.Base.NamespaceID, p.Base.Namespace)
	if err != nil {
		return nil, err
	}
	if !s.Open() || s.WorkflowTask == nil {
		return nil, &RequestError{Message: fmt.Sprintf(
			"a reset must go back to a workflow task: WorkflowTaskFinishEventId must be in [WorkflowTaskScheduled + 1, WorkflowTaskStarted + 1], and event %d is not",
			int64(len(prefix))+1)}
	}
	s.RunID = p.NewRunID
	s.StartRequest = p.RequestID
	if p.Base.Parent != nil {
		parent := *p.Base.Parent
		s.Parent = &parent
	}
	s.restartTimeouts(now)

	tx := Begin(s, now)
	tx.Events = make([]*historypb.HistoryEvent, len(prefix))
	for i, ev := range prefix {
		tx.Events[i] = proto.Clone(ev).(*historypb.HistoryEvent)
	}
	if !s.WorkflowTaskStarted() {
		tx.startWorkflowTask(serverIdentity, "")
	}
	wt := s.WorkflowTask
	tx.add(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED,
		Attributes: &historypb.HistoryEvent_WorkflowTaskFailedEventAttributes{WorkflowTaskFailedEventAttributes: &historypb.WorkflowTaskFailedEventAttributes{
			ScheduledEventId: wt.ScheduledEventID,
			StartedEventId:   wt.StartedEventID,
			Cause:            enumspb.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW,
			Failure: &failurepb.Failure{
				Message:     p.Reason,
				FailureInfo: &failurepb.Failure_ResetWorkflowFailureInfo{ResetWorkflowFailureInfo: &failurepb.ResetWorkflowFailureInfo{}},
			},
			Identity:  serverIdentity,
			BaseRunId: p.Base.RunID,
			NewRunId:  p.NewRunID,
		}},
	})
	s.WorkflowTask = nil
	s.WorkflowTaskNeeded = false
	s.StickyQueue, s.StickyTimeout = "", 0
	for _, a := range s.Activities {
		a.rescheduleAfterReset(now)
	}
	for _, ev := range p.Reapply {
		tx.reapply(ev, !p.ExcludeSignals)
	}
	for _, ev := range p.ReapplyContinued {
		// Another run's events: its event ids do not name this run's children.
		if ev.EventType == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED {
			tx.reapply(ev, !p.ExcludeSignals)
		}
	}
	tx.scheduleWorkflowTaskAttempt(1)
	return tx, nil
}

// restartTimeouts gives a reset run fresh run and execution deadlines, as if
// it started now.
func (s *State) restartTimeouts(now time.Time) {
	s.ExecutionDeadline = time.Time{}
	if s.ExecutionTimeout > 0 {
		s.ExecutionDeadline = now.Add(s.ExecutionTimeout)
	}
	s.RunDeadline = time.Time{}
	if s.RunTimeout > 0 {
		s.RunDeadline = now.Add(s.RunTimeout)
		if !s.ExecutionDeadline.IsZero() && s.RunDeadline.After(s.ExecutionDeadline) {
			s.RunDeadline = s.ExecutionDeadline
		}
	}
}

// rescheduleAfterReset makes an activity open at the reset point wait for a
// worker again, from its first attempt.
func (a *Activity) rescheduleAfterReset(now time.Time) {
	a.State = ActivityScheduled
	a.Attempt = 1
	a.ScheduledTime = now
	a.AttemptScheduledTime = now
	a.StartedTime = time.Time{}
	a.StartedIdentity = ""
	a.StartedRequestID = ""
	a.LastHeartbeat = time.Time{}
	a.HeartbeatDetails = nil
	a.LastFailure = nil
	a.LastIdentity = ""
}

// reapply writes one event of the base run's later history into the reset run,
// if it is one a reset carries over. Events get their ids in the new run; the
// workflow task that will see them is scheduled by the caller.
func (tx *Tx) reapply(ev *historypb.HistoryEvent, signals bool) {
	s := tx.S
	switch ev.EventType {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
		if !signals {
			return
		}
		a := ev.GetWorkflowExecutionSignaledEventAttributes()
		rememberSignal(s, a.GetRequestId())
		// Delivered again as a plain signal: who sent it the first time is not
		// carried over.
		c := proto.Clone(a).(*historypb.WorkflowExecutionSignaledEventAttributes)
		tx.add(signalEvent(&Signal{Name: c.SignalName, Input: c.Input, Header: c.Header, Identity: c.Identity, RequestID: c.RequestId}))
	case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
		a := ev.GetChildWorkflowExecutionStartedEventAttributes()
		c := s.Children[a.GetInitiatedEventId()]
		if c == nil || c.RunID != "" {
			return
		}
		added := tx.add(cloneAttributes(ev))
		c.RunID = a.GetWorkflowExecution().GetRunId()
		c.StartedEventID = added.EventId
	case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED:
		id := ev.GetStartChildWorkflowExecutionFailedEventAttributes().GetInitiatedEventId()
		c := s.Children[id]
		if c == nil || c.RunID != "" {
			return
		}
		delete(s.Children, id)
		tx.add(cloneAttributes(ev))
	case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED:
		id := childInitiatedID(ev)
		c := s.Children[id]
		if c == nil || c.RunID == "" {
			return
		}
		delete(s.Children, id)
		out := cloneAttributes(ev)
		setChildStartedID(out, c.StartedEventID)
		tx.add(out)
	}
}

// cloneAttributes returns a new event, without id or time, carrying a copy of
// ev's type and attributes.
func cloneAttributes(ev *historypb.HistoryEvent) *historypb.HistoryEvent {
	c := proto.Clone(ev).(*historypb.HistoryEvent)
	return &historypb.HistoryEvent{EventType: c.EventType, Attributes: c.Attributes, UserMetadata: c.UserMetadata}
}

// setChildStartedID points a child's close event at its started event.
func setChildStartedID(ev *historypb.HistoryEvent, startedID int64) {
	switch a := ev.Attributes.(type) {
	case *historypb.HistoryEvent_ChildWorkflowExecutionCompletedEventAttributes:
		a.ChildWorkflowExecutionCompletedEventAttributes.StartedEventId = startedID
	case *historypb.HistoryEvent_ChildWorkflowExecutionFailedEventAttributes:
		a.ChildWorkflowExecutionFailedEventAttributes.StartedEventId = startedID
	case *historypb.HistoryEvent_ChildWorkflowExecutionCanceledEventAttributes:
		a.ChildWorkflowExecutionCanceledEventAttributes.StartedEventId = startedID
	case *historypb.HistoryEvent_ChildWorkflowExecutionTimedOutEventAttributes:
		a.ChildWorkflowExecutionTimedOutEventAttributes.StartedEventId = startedID
	case *historypb.HistoryEvent_ChildWorkflowExecutionTerminatedEventAttributes:
		a.ChildWorkflowExecutionTerminatedEventAttributes.StartedEventId = startedID
	}
}
