package workflowrt

import (
	"fmt"
	"strconv"
	"time"

	"github.com/sundialdev/sundial"
	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// timerCall is one started timer and its future.
type timerCall struct {
	id            string
	future        *future
	stopListening func()
	cancelCommand *command
}

// NewTimer starts a durable timer and returns a future that is ready when it fires. A
// zero duration is ready at once without a timer; a negative one is an error.
// Canceling ctx cancels the timer: its future fails with a canceled error.
func NewTimer(ctx Context, d time.Duration) Future {
	env := envFrom(ctx)
	f := newFuture(env)
	switch {
	case d < 0:
		f.SetError(fmt.Errorf("timer duration %s is negative", d))
		return f
	case d == 0:
		f.SetValue(nil)
		return f
	case ctx.Err() != nil:
		f.SetError(ctx.Err())
		return f
	}
	id := strconv.FormatInt(env.nextSequence(), 10)
	t := &timerCall{id: id, future: f}
	env.timers[id] = t
	env.addCommand(&commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_START_TIMER,
		Attributes: &commandpb.Command_StartTimerCommandAttributes{StartTimerCommandAttributes: &commandpb.StartTimerCommandAttributes{
			TimerId: id, StartToFireTimeout: durationpb.New(d),
		}},
	}, false)
	t.stopListening = onCancel(ctx, func() {
		if f.IsReady() {
			return
		}
		t.cancelCommand = env.addCommand(&commandpb.Command{
			CommandType: enumspb.COMMAND_TYPE_CANCEL_TIMER,
			Attributes: &commandpb.Command_CancelTimerCommandAttributes{CancelTimerCommandAttributes: &commandpb.CancelTimerCommandAttributes{
				TimerId: id,
			}},
		}, false)
		f.SetError(sundial.NewCanceledError())
	})
	return f
}

// Sleep blocks for d on a durable timer. It returns a canceled error if ctx is canceled
// first.
func Sleep(ctx Context, d time.Duration) error {
	return NewTimer(ctx, d).Get(ctx, nil)
}

// onTimerFired resolves the timer a TimerFired event names.
func (e *runEnv) onTimerFired(ev *historypb.HistoryEvent) error {
	id := ev.GetTimerFiredEventAttributes().GetTimerId()
	t, ok := e.timers[id]
	if !ok {
		return &NondeterminismError{Event: ev, Reason: fmt.Sprintf("no timer with id %q was started by the workflow code", id)}
	}
	delete(e.timers, id)
	t.stopListening()
	if t.cancelCommand != nil {
		e.removeOutgoing(t.cancelCommand)
	}
	if !t.future.IsReady() {
		t.future.SetValue(nil)
	}
	return nil
}

// onTimerCanceled forgets a canceled timer.
func (e *runEnv) onTimerCanceled(ev *historypb.HistoryEvent) {
	id := ev.GetTimerCanceledEventAttributes().GetTimerId()
	if t, ok := e.timers[id]; ok {
		t.stopListening()
		delete(e.timers, id)
	}
}
