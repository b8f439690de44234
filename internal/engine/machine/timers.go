package machine

import (
	"fmt"

	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
)

// startTimer applies a StartTimer command.
func (tx *Tx) startTimer(i int, a *commandpb.StartTimerCommandAttributes, completedID int64, cmd *commandpb.Command) error {
	if a.TimerId == "" {
		return &CommandError{Index: i, Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES, Message: "TimerId is not set on StartTimer command"}
	}
	d := a.GetStartToFireTimeout().AsDuration()
	if d <= 0 {
		return &CommandError{Index: i, Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES,
			Message: fmt.Sprintf("StartToFireTimeout of timer %q must be positive", a.TimerId)}
	}
	if _, dup := tx.S.Timers[a.TimerId]; dup {
		return &CommandError{Index: i, Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID,
			Message: fmt.Sprintf("timer id %q is already in use by a started timer", a.TimerId)}
	}
	ev := tx.add(&historypb.HistoryEvent{
		EventType:    enumspb.EVENT_TYPE_TIMER_STARTED,
		UserMetadata: cmd.UserMetadata,
		Attributes: &historypb.HistoryEvent_TimerStartedEventAttributes{TimerStartedEventAttributes: &historypb.TimerStartedEventAttributes{
			TimerId: a.TimerId, StartToFireTimeout: a.StartToFireTimeout, WorkflowTaskCompletedEventId: completedID,
		}},
	})
	tx.S.Timers[a.TimerId] = &Timer{TimerID: a.TimerId, StartedEventID: ev.EventId, FireTime: tx.Now.Add(d)}
	return nil
}

// cancelTimer applies a CancelTimer command.
func (tx *Tx) cancelTimer(i int, timerID string, completedID int64) error {
	t := tx.S.Timers[timerID]
	if t == nil {
		return &CommandError{Index: i, Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES,
			Message: fmt.Sprintf("no started timer has id %q", timerID)}
	}
	delete(tx.S.Timers, timerID)
	tx.add(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_TIMER_CANCELED,
		Attributes: &historypb.HistoryEvent_TimerCanceledEventAttributes{TimerCanceledEventAttributes: &historypb.TimerCanceledEventAttributes{
			TimerId: timerID, StartedEventId: t.StartedEventID, WorkflowTaskCompletedEventId: completedID,
		}},
	})
	return nil
}

// fireTimer writes TimerFired for a timer that is due.
func (tx *Tx) fireTimer(t *Timer) {
	delete(tx.S.Timers, t.TimerID)
	tx.addExternal(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_TIMER_FIRED,
		Attributes: &historypb.HistoryEvent_TimerFiredEventAttributes{TimerFiredEventAttributes: &historypb.TimerFiredEventAttributes{
			TimerId: t.TimerID, StartedEventId: t.StartedEventID,
		}},
	})
}
