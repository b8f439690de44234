package workflowrt

import (
	"fmt"
	"strconv"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/interceptor"
	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
)

// activityCall is one scheduled activity and its future.
type activityCall struct {
	env              *runEnv
	id               string
	typeName         string
	seq              int64 // predicted scheduled event id
	scheduledEventID int64 // known once ActivityTaskScheduled was seen
	cancelType       ActivityCancellationType
	future           *future
	stopListening    func()
	cancelCommand    *command
	closed           bool // a close event arrived
}

// ScheduleActivity sends a ScheduleActivityTask command with attrs (an empty activity id
// is replaced by the command's sequence number) and returns a future for the encoded
// result. Canceling ctx cancels the activity as cancelType says.
func ScheduleActivity(ctx Context, attrs *commandpb.ScheduleActivityTaskCommandAttributes, cancelType ActivityCancellationType) Future {
	env := envFrom(ctx)
	f := newFuture(env)
	if err := ctx.Err(); err != nil {
		f.SetError(err)
		return f
	}
	seq := env.nextSequence()
	if attrs.GetActivityId() == "" {
		attrs.ActivityId = strconv.FormatInt(seq, 10)
	}
	if _, taken := env.activities[attrs.GetActivityId()]; taken {
		f.SetError(fmt.Errorf("scheduling activity: activity id %q is already used by this workflow", attrs.GetActivityId()))
		return f
	}
	call := &activityCall{
		env: env, id: attrs.GetActivityId(), typeName: attrs.GetActivityType().GetName(),
		seq: seq, cancelType: cancelType, future: f,
	}
	env.activities[call.id] = call
	if header := env.tracing.outgoing(env.replaying, interceptor.OperationStartActivity, call.typeName, env.info); header != nil {
		attrs.Header = header
	}
	env.addCommand(&commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
		Attributes:  &commandpb.Command_ScheduleActivityTaskCommandAttributes{ScheduleActivityTaskCommandAttributes: attrs},
	}, false)
	call.stopListening = onCancel(ctx, call.cancel)
	return f
}

// cancel reacts to the cancellation of the activity's context.
func (a *activityCall) cancel() {
	if a.closed || a.future.IsReady() {
		return
	}
	if a.cancelType != Abandon {
		scheduledID := a.scheduledEventID
		if scheduledID == 0 {
			scheduledID = a.seq
		}
		a.cancelCommand = a.env.addCommand(&commandpb.Command{
			CommandType: enumspb.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK,
			Attributes: &commandpb.Command_RequestCancelActivityTaskCommandAttributes{
				RequestCancelActivityTaskCommandAttributes: &commandpb.RequestCancelActivityTaskCommandAttributes{ScheduledEventId: scheduledID},
			},
		}, false)
	}
	if a.cancelType != WaitCancellationCompleted {
		a.future.SetError(sundial.NewCanceledError())
	}
}

// onScheduled records the scheduled event id of the activity the event names.
func (e *runEnv) onActivityScheduled(ev *historypb.HistoryEvent) error {
	attrs := ev.GetActivityTaskScheduledEventAttributes()
	call, ok := e.activities[attrs.GetActivityId()]
	if !ok {
		return &NondeterminismError{Event: ev, Reason: "no activity with this id was scheduled by the workflow code"}
	}
	call.scheduledEventID = ev.GetEventId()
	e.activitiesByScheduledID[ev.GetEventId()] = call
	return nil
}

// onActivityClosed resolves the activity a Completed, Failed, TimedOut or Canceled
// event refers to.
func (e *runEnv) onActivityClosed(ev *historypb.HistoryEvent, scheduledEventID int64) error {
	call, ok := e.activitiesByScheduledID[scheduledEventID]
	if !ok {
		return &NondeterminismError{Event: ev, Reason: fmt.Sprintf("it refers to scheduled event %d, which is not an activity of this workflow", scheduledEventID)}
	}
	call.closed = true
	call.stopListening()
	if call.cancelCommand != nil {
		// The activity finished before the cancellation went out: don't send it.
		e.removeOutgoing(call.cancelCommand)
	}
	if call.future.IsReady() {
		return nil
	}
	activityErr := func(startedID int64, identity string, retry enumspb.RetryState, cause error) error {
		return sundial.NewActivityError(sundial.ActivityErrorOptions{
			ScheduledEventID: scheduledEventID, StartedEventID: startedID, Identity: identity,
			ActivityType: call.typeName, ActivityID: call.id, RetryState: retry, Cause: cause,
		})
	}
	switch a := ev.GetAttributes().(type) {
	case *historypb.HistoryEvent_ActivityTaskCompletedEventAttributes:
		call.future.setPayloads(a.ActivityTaskCompletedEventAttributes.GetResult(), nil)
	case *historypb.HistoryEvent_ActivityTaskFailedEventAttributes:
		attrs := a.ActivityTaskFailedEventAttributes
		call.future.SetError(activityErr(attrs.GetStartedEventId(), attrs.GetIdentity(), attrs.GetRetryState(),
			e.failureConverter.FailureToError(attrs.GetFailure())))
	case *historypb.HistoryEvent_ActivityTaskTimedOutEventAttributes:
		attrs := a.ActivityTaskTimedOutEventAttributes
		call.future.SetError(activityErr(attrs.GetStartedEventId(), "", attrs.GetRetryState(),
			e.failureConverter.FailureToError(attrs.GetFailure())))
	case *historypb.HistoryEvent_ActivityTaskCanceledEventAttributes:
		attrs := a.ActivityTaskCanceledEventAttributes
		details := converter.NewEncodedValues(attrs.GetDetails(), e.dataConverter)
		call.future.SetError(activityErr(attrs.GetStartedEventId(), attrs.GetIdentity(), enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE,
			sundial.NewCanceledError(details)))
	}
	return nil
}
