package machine

import (
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Tx is one transition of a run in progress: the state it changes, the time it
// happens at, and the history events it has written so far.
type Tx struct {
	S   *State
	Now time.Time
	// Events are the new history events, in order, with ids assigned.
	Events []*historypb.HistoryEvent
	// Next is the transition that creates the run following this one
	// (continue-as-new, retry, cron). It must be committed with this one.
	Next *Tx
	// ClosedChildren lists the children that were open when this transition
	// closed the run; the engine applies their parent close policy.
	ClosedChildren []*Child
	// UpdateResults says what this transition did to updates.
	UpdateResults []UpdateResult
	// Namespaces resolves namespace names that commands use; nil allows only
	// the run's own namespace.
	Namespaces func(name string) (Target, bool)
	// NexusEndpoints resolves the endpoint names ScheduleNexusOperation
	// commands use; nil resolves none.
	NexusEndpoints func(name string) (NexusTarget, bool)
	// NexusEndpointByID resolves an endpoint again, by id, before each retry
	// of an operation's start request; nil keeps the target it had.
	NexusEndpointByID NexusEndpointResolver
	// Limits bounds the run's pending activities, children and requests to
	// other workflows; the zero value sets no limit.
	Limits PendingLimits
}

// Begin starts a transition of s at now.
func Begin(s *State, now time.Time) *Tx {
	return &Tx{S: s, Now: now}
}

// add appends an event to history, giving it the next id and the transition time.
func (tx *Tx) add(ev *historypb.HistoryEvent) *historypb.HistoryEvent {
	ev.EventId = tx.S.NextEventID
	ev.EventTime = timestamppb.New(tx.Now)
	tx.S.NextEventID++
	tx.S.HistorySize += int64(proto.Size(ev))
	tx.Events = append(tx.Events, ev)
	return ev
}

// addExternal appends an event caused by something outside the workflow's code
// (a signal, an activity or timer outcome, a cancel request) and makes sure a
// workflow task will see it. While a workflow task is started such events are
// buffered and written after that task closes.
func (tx *Tx) addExternal(ev *historypb.HistoryEvent) {
	if tx.noteStandaloneNexusEvent(ev) {
		return // a standalone Nexus operation's run has no workflow
	}
	if tx.S.WorkflowTaskStarted() {
		ev.EventTime = timestamppb.New(tx.Now)
		tx.S.Buffered = append(tx.S.Buffered, ev)
		tx.S.WorkflowTaskNeeded = true
		return
	}
	tx.add(ev)
	tx.scheduleWorkflowTask()
}

// flushBuffered writes the buffered events to history. An activity close event
// that follows its lazily written ActivityTaskStarted gets that event's new id.
func (tx *Tx) flushBuffered() {
	buffered := tx.S.Buffered
	tx.S.Buffered = nil
	var lastStartedID int64
	childStarted := map[int64]int64{}
	fixChild := func(initiatedID int64, startedID *int64) {
		if *startedID == pendingStartedID {
			*startedID = childStarted[initiatedID]
		}
	}
	for _, ev := range buffered {
		// The state being replaced may still hold ev: change a copy.
		ev = proto.Clone(ev).(*historypb.HistoryEvent)
		when := ev.EventTime.AsTime()
		tx.add(ev)
		ev.EventTime = timestamppb.New(when)
		switch ev.EventType {
		case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
			initiated := ev.GetChildWorkflowExecutionStartedEventAttributes().GetInitiatedEventId()
			childStarted[initiated] = ev.EventId
			if c := tx.S.Children[initiated]; c != nil {
				c.StartedEventID = ev.EventId
			}
		case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
			a := ev.GetChildWorkflowExecutionCompletedEventAttributes()
			fixChild(a.InitiatedEventId, &a.StartedEventId)
		case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
			a := ev.GetChildWorkflowExecutionFailedEventAttributes()
			fixChild(a.InitiatedEventId, &a.StartedEventId)
		case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
			a := ev.GetChildWorkflowExecutionCanceledEventAttributes()
			fixChild(a.InitiatedEventId, &a.StartedEventId)
		case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
			a := ev.GetChildWorkflowExecutionTimedOutEventAttributes()
			fixChild(a.InitiatedEventId, &a.StartedEventId)
		case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED:
			a := ev.GetChildWorkflowExecutionTerminatedEventAttributes()
			fixChild(a.InitiatedEventId, &a.StartedEventId)
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			lastStartedID = ev.EventId
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			a := ev.GetActivityTaskCompletedEventAttributes()
			if a.StartedEventId == pendingStartedID {
				a.StartedEventId = lastStartedID
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
			a := ev.GetActivityTaskFailedEventAttributes()
			if a.StartedEventId == pendingStartedID {
				a.StartedEventId = lastStartedID
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
			a := ev.GetActivityTaskTimedOutEventAttributes()
			if a.StartedEventId == pendingStartedID {
				a.StartedEventId = lastStartedID
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
			a := ev.GetActivityTaskCanceledEventAttributes()
			if a.StartedEventId == pendingStartedID {
				a.StartedEventId = lastStartedID
			}
		}
	}
}

// pendingStartedID stands, in a buffered activity close event, for the id its
// buffered ActivityTaskStarted will get.
const pendingStartedID = -1

func tsOf(t time.Time) *timestamppb.Timestamp { return timestamppb.New(t) }

// Restore abandons everything the transition did and continues it from s.
func (tx *Tx) Restore(s *State) {
	tx.S = s
	tx.Events = nil
	tx.Next = nil
	tx.UpdateResults = nil
	tx.ClosedChildren = nil
}
