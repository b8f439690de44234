package machine_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// t0 is the instant every scenario starts at.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// at is t0 plus d, to keep scenarios readable.
func at(d time.Duration) time.Time { return t0.Add(d) }

// run drives one workflow run through machine transitions the way the engine
// does, and keeps the whole history so that every test checks the history
// invariants (ids contiguous from 1, an event time on every event).
type run struct {
	t       *testing.T
	s       *machine.State
	history []*historypb.HistoryEvent
}

// defaultStart is a plain run on task queue "tq" with no timeouts.
func defaultStart() machine.StartParams {
	return machine.StartParams{
		NamespaceID: "ns-id", Namespace: "default", WorkflowID: "wf", RunID: "run-1",
		WorkflowType: "Greet", TaskQueue: "tq", Identity: "client", RequestID: "start-req",
	}
}

// startRun creates a run at t0 and records its first events.
func startRun(t *testing.T, p machine.StartParams) *run {
	t.Helper()
	tx := machine.NewRun(p, t0)
	r := &run{t: t, s: tx.S}
	r.record(tx.Events)
	return r
}

// record appends events of a committed transition, checking their ids and times.
func (r *run) record(events []*historypb.HistoryEvent) {
	r.t.Helper()
	for _, ev := range events {
		want := int64(len(r.history) + 1)
		if ev.EventId != want {
			r.t.Fatalf("event %s has id %d, want %d (ids must be contiguous from 1)\nhistory so far:\n%s",
				ev.EventType, ev.EventId, want, describe(r.history))
		}
		if ev.EventTime == nil {
			r.t.Fatalf("event %d (%s) has no event_time", ev.EventId, ev.EventType)
		}
		r.history = append(r.history, ev)
	}
	if got := r.s.NextEventID; got != int64(len(r.history)+1) {
		r.t.Fatalf("NextEventID = %d after %d events", got, len(r.history))
	}
}

// do runs fn as one transition at now and returns the events it wrote.
func (r *run) do(now time.Time, fn func(tx *machine.Tx)) []*historypb.HistoryEvent {
	r.t.Helper()
	tx := machine.Begin(r.s, now)
	fn(tx)
	r.s = tx.S
	r.record(tx.Events)
	return tx.Events
}

// startWFT starts the pending workflow task and returns its started event.
func (r *run) startWFT(now time.Time) *historypb.HistoryEvent {
	r.t.Helper()
	wt := r.s.WorkflowTask
	if wt == nil {
		r.t.Fatal("no workflow task is pending")
	}
	evs := r.do(now, func(tx *machine.Tx) {
		if _, err := tx.StartWorkflowTask(wt.ScheduledEventID, "wf-worker", "poll-req"); err != nil {
			r.t.Fatalf("StartWorkflowTask(%d): %v", wt.ScheduledEventID, err)
		}
	})
	wantTypes(r.t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED)
	return evs[0]
}

// complete completes the started workflow task with commands and returns the
// events written. It fails the test on a command error.
func (r *run) complete(now time.Time, opts machine.CompletionOptions, cmds ...*commandpb.Command) []*historypb.HistoryEvent {
	r.t.Helper()
	var err error
	evs := r.do(now, func(tx *machine.Tx) {
		_, err = tx.CompleteWorkflowTask(cmds, opts)
	})
	if err != nil {
		r.t.Fatalf("CompleteWorkflowTask: %v", err)
	}
	return evs
}

// completeExpectingError completes the started workflow task with commands the
// machine must reject, then does what the engine does: discards the half-applied
// transition and fails the task with the error's cause. It returns the
// CommandError and the events of the failure transition.
func (r *run) completeExpectingError(now time.Time, cmds ...*commandpb.Command) (*machine.CommandError, []*historypb.HistoryEvent) {
	r.t.Helper()
	before := r.s.Clone()
	tx := machine.Begin(r.s, now)
	_, err := tx.CompleteWorkflowTask(cmds, machine.CompletionOptions{Identity: "wf-worker"})
	var cmdErr *machine.CommandError
	if !errors.As(err, &cmdErr) {
		r.t.Fatalf("CompleteWorkflowTask error = %v, want a *machine.CommandError", err)
	}
	tx.Restore(before)
	tx.FailWorkflowTask(cmdErr.Cause, &failurepb.Failure{Message: cmdErr.Message}, "wf-worker", "")
	r.s = tx.S
	r.record(tx.Events)
	return cmdErr, tx.Events
}

// startActivity starts the current attempt of the activity scheduled at id.
func (r *run) startActivity(now time.Time, scheduledID int64) *machine.Activity {
	r.t.Helper()
	act := r.s.Activities[scheduledID]
	if act == nil {
		r.t.Fatalf("no open activity scheduled at %d", scheduledID)
	}
	var started *machine.Activity
	evs := r.do(now, func(tx *machine.Tx) {
		var err error
		started, err = tx.StartActivity(scheduledID, act.Attempt, "act-worker", fmt.Sprintf("act-req-%d", act.Attempt))
		if err != nil {
			r.t.Fatalf("StartActivity(%d, attempt %d): %v", scheduledID, act.Attempt, err)
		}
	})
	if len(evs) != 0 {
		r.t.Fatalf("starting an activity wrote %s; Temporal writes ActivityTaskStarted only with the outcome", types(evs))
	}
	return started
}

// activity returns the open activity scheduled at id, failing if there is none.
func (r *run) activity(scheduledID int64) *machine.Activity {
	r.t.Helper()
	act := r.s.Activities[scheduledID]
	if act == nil {
		r.t.Fatalf("no open activity scheduled at %d", scheduledID)
	}
	return act
}

// fire runs FireDeadlines at now and returns the events written and whether the
// machine reported a change.
func (r *run) fire(now time.Time) ([]*historypb.HistoryEvent, bool) {
	r.t.Helper()
	var changed bool
	evs := r.do(now, func(tx *machine.Tx) {
		var err error
		if changed, err = tx.FireDeadlines(); err != nil {
			r.t.Fatalf("FireDeadlines: %v", err)
		}
	})
	return evs, changed
}

// wantNextDeadline checks the run's next deadline.
func (r *run) wantNextDeadline(want time.Time) {
	r.t.Helper()
	if got := r.s.NextDeadline(); !got.Equal(want) {
		r.t.Fatalf("NextDeadline = %v, want %v", fmtTime(got), fmtTime(want))
	}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "zero"
	}
	return fmt.Sprintf("t0+%v", t.Sub(t0))
}

// toScheduledActivity runs the hello-world prefix: start, first workflow task
// scheduling one activity. The activity is at event 5.
func toScheduledActivity(t *testing.T, p machine.StartParams, attrs *commandpb.ScheduleActivityTaskCommandAttributes) *run {
	t.Helper()
	r := startRun(t, p)
	r.startWFT(at(time.Second))
	evs := r.complete(at(2*time.Second), machine.CompletionOptions{Identity: "wf-worker"}, scheduleActivity(attrs))
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
	if evs[1].EventId != 5 {
		t.Fatalf("activity scheduled at %d, want 5", evs[1].EventId)
	}
	return r
}

// Command builders.

func scheduleActivity(a *commandpb.ScheduleActivityTaskCommandAttributes) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
		Attributes:  &commandpb.Command_ScheduleActivityTaskCommandAttributes{ScheduleActivityTaskCommandAttributes: a},
	}
}

// activityAttrs is a ScheduleActivityTask for activity "a1" of type "Charge"
// with the given start-to-close timeout and retry policy.
func activityAttrs(startToClose time.Duration, retry *commonpb.RetryPolicy) *commandpb.ScheduleActivityTaskCommandAttributes {
	a := &commandpb.ScheduleActivityTaskCommandAttributes{
		ActivityId:   "a1",
		ActivityType: &commonpb.ActivityType{Name: "Charge"},
		Input:        payloads("order-7"),
		RetryPolicy:  retry,
	}
	if startToClose > 0 {
		a.StartToCloseTimeout = durationpb.New(startToClose)
	}
	return a
}

func cancelActivity(scheduledID int64) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK,
		Attributes: &commandpb.Command_RequestCancelActivityTaskCommandAttributes{RequestCancelActivityTaskCommandAttributes: &commandpb.RequestCancelActivityTaskCommandAttributes{
			ScheduledEventId: scheduledID,
		}},
	}
}

func startTimer(id string, d time.Duration) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_START_TIMER,
		Attributes: &commandpb.Command_StartTimerCommandAttributes{StartTimerCommandAttributes: &commandpb.StartTimerCommandAttributes{
			TimerId: id, StartToFireTimeout: durationpb.New(d),
		}},
	}
}

func cancelTimer(id string) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_CANCEL_TIMER,
		Attributes: &commandpb.Command_CancelTimerCommandAttributes{CancelTimerCommandAttributes: &commandpb.CancelTimerCommandAttributes{
			TimerId: id,
		}},
	}
}

func completeWorkflow(result string) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_CompleteWorkflowExecutionCommandAttributes{CompleteWorkflowExecutionCommandAttributes: &commandpb.CompleteWorkflowExecutionCommandAttributes{
			Result: payloads(result),
		}},
	}
}

func payloads(s string) *commonpb.Payloads {
	return &commonpb.Payloads{Payloads: []*commonpb.Payload{{
		Metadata: map[string][]byte{"encoding": []byte("json/plain")},
		Data:     []byte(`"` + s + `"`),
	}}}
}

// payloadString returns the single JSON string a payloads value carries.
func payloadString(p *commonpb.Payloads) string {
	if len(p.GetPayloads()) != 1 {
		return fmt.Sprintf("<%d payloads>", len(p.GetPayloads()))
	}
	return strings.Trim(string(p.Payloads[0].Data), `"`)
}

func appFailure(message, errType string) *failurepb.Failure {
	return &failurepb.Failure{
		Message: message,
		FailureInfo: &failurepb.Failure_ApplicationFailureInfo{ApplicationFailureInfo: &failurepb.ApplicationFailureInfo{
			Type: errType,
		}},
	}
}

func sticky(queue string, scheduleToStart time.Duration) *taskqueuepb.StickyExecutionAttributes {
	return &taskqueuepb.StickyExecutionAttributes{
		WorkerTaskQueue:        &taskqueuepb.TaskQueue{Name: queue, Kind: enumspb.TASK_QUEUE_KIND_STICKY, NormalName: "tq"},
		ScheduleToStartTimeout: durationpb.New(scheduleToStart),
	}
}

// Assertions.

func types(evs []*historypb.HistoryEvent) string {
	var b strings.Builder
	for i, ev := range evs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "[%d] %s", ev.EventId, strings.TrimPrefix(ev.EventType.String(), "EVENT_TYPE_"))
	}
	return b.String()
}

func describe(evs []*historypb.HistoryEvent) string {
	if len(evs) == 0 {
		return "  (none)"
	}
	return "  " + types(evs)
}

// wantTypes checks the event types of evs, in order.
func wantTypes(t *testing.T, evs []*historypb.HistoryEvent, want ...enumspb.EventType) {
	t.Helper()
	ok := len(evs) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = evs[i].EventType == want[i]
	}
	if !ok {
		var w strings.Builder
		for i, et := range want {
			if i > 0 {
				w.WriteString(", ")
			}
			w.WriteString(strings.TrimPrefix(et.String(), "EVENT_TYPE_"))
		}
		t.Fatalf("events = %s\nwant types %s", types(evs), w.String())
	}
}

func wantInt(t *testing.T, what string, got, want int64) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d, want %d", what, got, want)
	}
}

func wantDuration(t *testing.T, what string, got *durationpb.Duration, want time.Duration) {
	t.Helper()
	if got.AsDuration() != want {
		t.Errorf("%s = %v, want %v", what, got.AsDuration(), want)
	}
}
