// Package historytest builds workflow histories and tasks the way a server would, for
// tests of the workflow runtime: it turns completion commands into events and lets a
// test add activity results, timers, signals and cancellation requests.
package historytest

import (
	"testing"
	"time"

	"github.com/sundialdev/sundial/converter"
	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	protocolpb "go.temporal.io/api/protocol/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	updatepb "go.temporal.io/api/update/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Builder plays the server's part in tests: it writes the events a server would
// write for a started workflow, the commands of each completion and the outside events
// a test injects, and builds the workflow tasks.
type Builder struct {
	t                 testing.TB
	events            []*historypb.HistoryEvent
	clock             time.Time
	previousStartedID int64
	scheduledIDs      map[string]int64 // activity id -> scheduled event id
	acceptedIDs       map[string]int64 // update id -> accepted event id
	tokens            int
}

// Start is the time of the first event.
var Start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// New starts a history for a workflow of workflowType with args: event 1 is
// WorkflowExecutionStarted; call Task for the first workflow task.
func New(t testing.TB, workflowType string, args ...any) *Builder {
	t.Helper()
	input, err := converter.GetDefaultDataConverter().ToPayloads(args...)
	if err != nil {
		t.Fatal(err)
	}
	h := &Builder{t: t, clock: Start, scheduledIDs: make(map[string]int64), acceptedIDs: make(map[string]int64)}
	h.Add(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{
		WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{
			WorkflowType:             &commonpb.WorkflowType{Name: workflowType},
			TaskQueue:                &taskqueuepb.TaskQueue{Name: "tq", Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
			Input:                    input,
			WorkflowTaskTimeout:      durationpb.New(10 * time.Second),
			Attempt:                  1,
			OriginalExecutionRunId:   "run-1",
			FirstExecutionRunId:      "run-1",
			WorkflowExecutionTimeout: durationpb.New(0),
		},
	})
	return h
}

// Add appends an event of type t with attrs (a HistoryEvent attributes wrapper).
func (h *Builder) Add(t enumspb.EventType, attrs any) *historypb.HistoryEvent {
	ev := &historypb.HistoryEvent{
		EventId:   int64(len(h.events) + 1),
		EventTime: timestamppb.New(h.clock),
		EventType: t,
	}
	setAttributes(ev, attrs)
	h.events = append(h.events, ev)
	return ev
}

// LastID is the id of the newest event.
func (h *Builder) LastID() int64 { return int64(len(h.events)) }

// Advance moves the fake clock.
func (h *Builder) Advance(d time.Duration) { h.clock = h.clock.Add(d) }

// Task schedules and starts a workflow task and returns it with full history, or with
// the events since the previous task when partial.
func (h *Builder) Task(partial bool) *workflowservice.PollWorkflowTaskQueueResponse {
	h.Add(enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, &historypb.HistoryEvent_WorkflowTaskScheduledEventAttributes{
		WorkflowTaskScheduledEventAttributes: &historypb.WorkflowTaskScheduledEventAttributes{Attempt: 1},
	})
	scheduledID := h.LastID()
	h.Add(enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, &historypb.HistoryEvent_WorkflowTaskStartedEventAttributes{
		WorkflowTaskStartedEventAttributes: &historypb.WorkflowTaskStartedEventAttributes{ScheduledEventId: scheduledID},
	})
	events := h.events
	if partial {
		events = h.events[h.previousStartedID:]
	}
	h.tokens++
	return &workflowservice.PollWorkflowTaskQueueResponse{
		TaskToken:                  []byte{byte(h.tokens)},
		WorkflowExecution:          &commonpb.WorkflowExecution{WorkflowId: "wf-1", RunId: "run-1"},
		WorkflowType:               h.events[0].GetWorkflowExecutionStartedEventAttributes().GetWorkflowType(),
		PreviousStartedEventId:     h.previousStartedID,
		StartedEventId:             h.LastID(),
		Attempt:                    1,
		History:                    &historypb.History{Events: append([]*historypb.HistoryEvent(nil), events...)},
		WorkflowExecutionTaskQueue: &taskqueuepb.TaskQueue{Name: "tq"},
	}
}

// Complete records a completion of the current task with commands, as a server does.
func (h *Builder) Complete(commands []*commandpb.Command) { h.CompleteWithMessages(commands, nil) }

// CompleteWithMessages is Complete for a completion that also carries protocol
// messages: each ProtocolMessage command writes the update event of its message.
func (h *Builder) CompleteWithMessages(commands []*commandpb.Command, messages []*protocolpb.Message) {
	h.t.Helper()
	startedID := h.LastID()
	h.Add(enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, &historypb.HistoryEvent_WorkflowTaskCompletedEventAttributes{
		WorkflowTaskCompletedEventAttributes: &historypb.WorkflowTaskCompletedEventAttributes{ScheduledEventId: startedID - 1, StartedEventId: startedID},
	})
	completedID := h.LastID()
	h.previousStartedID = startedID
	for _, c := range commands {
		switch a := c.GetAttributes().(type) {
		case *commandpb.Command_ScheduleActivityTaskCommandAttributes:
			attrs := a.ScheduleActivityTaskCommandAttributes
			ev := h.Add(enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, &historypb.HistoryEvent_ActivityTaskScheduledEventAttributes{
				ActivityTaskScheduledEventAttributes: &historypb.ActivityTaskScheduledEventAttributes{
					ActivityId: attrs.GetActivityId(), ActivityType: attrs.GetActivityType(), TaskQueue: attrs.GetTaskQueue(),
					Input: attrs.GetInput(), StartToCloseTimeout: attrs.GetStartToCloseTimeout(),
					WorkflowTaskCompletedEventId: completedID,
				},
			})
			h.scheduledIDs[attrs.GetActivityId()] = ev.GetEventId()
		case *commandpb.Command_RequestCancelActivityTaskCommandAttributes:
			h.Add(enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED, &historypb.HistoryEvent_ActivityTaskCancelRequestedEventAttributes{
				ActivityTaskCancelRequestedEventAttributes: &historypb.ActivityTaskCancelRequestedEventAttributes{
					ScheduledEventId: a.RequestCancelActivityTaskCommandAttributes.GetScheduledEventId(), WorkflowTaskCompletedEventId: completedID,
				},
			})
		case *commandpb.Command_StartTimerCommandAttributes:
			h.Add(enumspb.EVENT_TYPE_TIMER_STARTED, &historypb.HistoryEvent_TimerStartedEventAttributes{
				TimerStartedEventAttributes: &historypb.TimerStartedEventAttributes{
					TimerId: a.StartTimerCommandAttributes.GetTimerId(), StartToFireTimeout: a.StartTimerCommandAttributes.GetStartToFireTimeout(),
					WorkflowTaskCompletedEventId: completedID,
				},
			})
		case *commandpb.Command_CancelTimerCommandAttributes:
			h.Add(enumspb.EVENT_TYPE_TIMER_CANCELED, &historypb.HistoryEvent_TimerCanceledEventAttributes{
				TimerCanceledEventAttributes: &historypb.TimerCanceledEventAttributes{
					TimerId: a.CancelTimerCommandAttributes.GetTimerId(), WorkflowTaskCompletedEventId: completedID,
				},
			})
		case *commandpb.Command_RecordMarkerCommandAttributes:
			h.Add(enumspb.EVENT_TYPE_MARKER_RECORDED, &historypb.HistoryEvent_MarkerRecordedEventAttributes{
				MarkerRecordedEventAttributes: &historypb.MarkerRecordedEventAttributes{
					MarkerName: a.RecordMarkerCommandAttributes.GetMarkerName(), Details: a.RecordMarkerCommandAttributes.GetDetails(),
					WorkflowTaskCompletedEventId: completedID,
				},
			})
		case *commandpb.Command_UpsertWorkflowSearchAttributesCommandAttributes:
			h.Add(enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, &historypb.HistoryEvent_UpsertWorkflowSearchAttributesEventAttributes{
				UpsertWorkflowSearchAttributesEventAttributes: &historypb.UpsertWorkflowSearchAttributesEventAttributes{
					SearchAttributes: a.UpsertWorkflowSearchAttributesCommandAttributes.GetSearchAttributes(), WorkflowTaskCompletedEventId: completedID,
				},
			})
		case *commandpb.Command_CompleteWorkflowExecutionCommandAttributes:
			h.Add(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, &historypb.HistoryEvent_WorkflowExecutionCompletedEventAttributes{
				WorkflowExecutionCompletedEventAttributes: &historypb.WorkflowExecutionCompletedEventAttributes{
					Result: a.CompleteWorkflowExecutionCommandAttributes.GetResult(), WorkflowTaskCompletedEventId: completedID,
				},
			})
		case *commandpb.Command_FailWorkflowExecutionCommandAttributes:
			h.Add(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, &historypb.HistoryEvent_WorkflowExecutionFailedEventAttributes{
				WorkflowExecutionFailedEventAttributes: &historypb.WorkflowExecutionFailedEventAttributes{
					Failure: a.FailWorkflowExecutionCommandAttributes.GetFailure(), WorkflowTaskCompletedEventId: completedID,
				},
			})
		case *commandpb.Command_CancelWorkflowExecutionCommandAttributes:
			h.Add(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, &historypb.HistoryEvent_WorkflowExecutionCanceledEventAttributes{
				WorkflowExecutionCanceledEventAttributes: &historypb.WorkflowExecutionCanceledEventAttributes{
					Details: a.CancelWorkflowExecutionCommandAttributes.GetDetails(), WorkflowTaskCompletedEventId: completedID,
				},
			})
		case *commandpb.Command_ScheduleNexusOperationCommandAttributes, *commandpb.Command_RequestCancelNexusOperationCommandAttributes:
			h.nexusCommandEvent(c, completedID)
		case *commandpb.Command_ProtocolMessageCommandAttributes:
			h.protocolMessageEvent(a.ProtocolMessageCommandAttributes.GetMessageId(), messages)
		default:
			h.t.Fatalf("Builder: unsupported command %s", c.GetCommandType())
		}
	}
}

// FailTask records that the current task failed.
func (h *Builder) FailTask() {
	startedID := h.LastID()
	h.Add(enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED, &historypb.HistoryEvent_WorkflowTaskFailedEventAttributes{
		WorkflowTaskFailedEventAttributes: &historypb.WorkflowTaskFailedEventAttributes{ScheduledEventId: startedID - 1, StartedEventId: startedID},
	})
}

// ActivityCompleted writes ActivityTaskStarted and ActivityTaskCompleted for the
// activity with the given id.
func (h *Builder) ActivityCompleted(activityID string, result any) {
	h.t.Helper()
	scheduledID := h.Scheduled(activityID)
	payloads, err := converter.GetDefaultDataConverter().ToPayloads(result)
	if err != nil {
		h.t.Fatal(err)
	}
	started := h.activityStarted(scheduledID)
	h.Add(enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, &historypb.HistoryEvent_ActivityTaskCompletedEventAttributes{
		ActivityTaskCompletedEventAttributes: &historypb.ActivityTaskCompletedEventAttributes{
			ScheduledEventId: scheduledID, StartedEventId: started, Result: payloads,
		},
	})
}

// ActivityFailed writes Started and Failed with err converted by the default converter.
func (h *Builder) ActivityFailed(activityID string, err error) {
	h.t.Helper()
	scheduledID := h.Scheduled(activityID)
	started := h.activityStarted(scheduledID)
	h.Add(enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED, &historypb.HistoryEvent_ActivityTaskFailedEventAttributes{
		ActivityTaskFailedEventAttributes: &historypb.ActivityTaskFailedEventAttributes{
			ScheduledEventId: scheduledID, StartedEventId: started, Identity: "worker-a",
			Failure:    converter.GetDefaultFailureConverter().ErrorToFailure(err),
			RetryState: enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED,
		},
	})
}

// ActivityCanceled writes ActivityTaskCanceled (no start: canceled before starting).
func (h *Builder) ActivityCanceled(activityID string) {
	h.Add(enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED, &historypb.HistoryEvent_ActivityTaskCanceledEventAttributes{
		ActivityTaskCanceledEventAttributes: &historypb.ActivityTaskCanceledEventAttributes{ScheduledEventId: h.Scheduled(activityID)},
	})
}

func (h *Builder) activityStarted(scheduledID int64) int64 {
	h.Add(enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, &historypb.HistoryEvent_ActivityTaskStartedEventAttributes{
		ActivityTaskStartedEventAttributes: &historypb.ActivityTaskStartedEventAttributes{ScheduledEventId: scheduledID, Attempt: 1},
	})
	return h.LastID()
}

// Scheduled returns the scheduled event id of an activity.
func (h *Builder) Scheduled(activityID string) int64 {
	h.t.Helper()
	id, ok := h.scheduledIDs[activityID]
	if !ok {
		h.t.Fatalf("Builder: activity %q was never scheduled", activityID)
	}
	return id
}

// TimerFired writes TimerFired for timerID.
func (h *Builder) TimerFired(timerID string) {
	h.Add(enumspb.EVENT_TYPE_TIMER_FIRED, &historypb.HistoryEvent_TimerFiredEventAttributes{
		TimerFiredEventAttributes: &historypb.TimerFiredEventAttributes{TimerId: timerID},
	})
}

// Signal writes WorkflowExecutionSignaled.
func (h *Builder) Signal(name string, args ...any) {
	h.t.Helper()
	input, err := converter.GetDefaultDataConverter().ToPayloads(args...)
	if err != nil {
		h.t.Fatal(err)
	}
	h.Add(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, &historypb.HistoryEvent_WorkflowExecutionSignaledEventAttributes{
		WorkflowExecutionSignaledEventAttributes: &historypb.WorkflowExecutionSignaledEventAttributes{SignalName: name, Input: input},
	})
}

// CancelRequested writes WorkflowExecutionCancelRequested.
func (h *Builder) CancelRequested() {
	h.Add(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED, &historypb.HistoryEvent_WorkflowExecutionCancelRequestedEventAttributes{
		WorkflowExecutionCancelRequestedEventAttributes: &historypb.WorkflowExecutionCancelRequestedEventAttributes{Cause: "test"},
	})
}

// History returns a copy of the events so far.
func (h *Builder) History() *historypb.History {
	return &historypb.History{Events: append([]*historypb.HistoryEvent(nil), h.events...)}
}

// protocolMessageEvent writes the UpdateAccepted or UpdateCompleted event of a message.
func (h *Builder) protocolMessageEvent(id string, messages []*protocolpb.Message) {
	h.t.Helper()
	for _, m := range messages {
		if m.GetId() != id {
			continue
		}
		var accept updatepb.Acceptance
		if m.GetBody().MessageIs(&accept) {
			if err := m.GetBody().UnmarshalTo(&accept); err != nil {
				h.t.Fatal(err)
			}
			ev := h.Add(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, &historypb.HistoryEvent_WorkflowExecutionUpdateAcceptedEventAttributes{
				WorkflowExecutionUpdateAcceptedEventAttributes: &historypb.WorkflowExecutionUpdateAcceptedEventAttributes{
					ProtocolInstanceId: m.GetProtocolInstanceId(), AcceptedRequestMessageId: accept.GetAcceptedRequestMessageId(),
					AcceptedRequestSequencingEventId: accept.GetAcceptedRequestSequencingEventId(), AcceptedRequest: accept.GetAcceptedRequest(),
				},
			})
			h.acceptedIDs[m.GetProtocolInstanceId()] = ev.GetEventId()
			return
		}
		var resp updatepb.Response
		if err := m.GetBody().UnmarshalTo(&resp); err != nil {
			h.t.Fatal(err)
		}
		h.Add(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED, &historypb.HistoryEvent_WorkflowExecutionUpdateCompletedEventAttributes{
			WorkflowExecutionUpdateCompletedEventAttributes: &historypb.WorkflowExecutionUpdateCompletedEventAttributes{
				Meta: resp.GetMeta(), Outcome: resp.GetOutcome(), AcceptedEventId: h.acceptedIDs[m.GetProtocolInstanceId()],
			},
		})
		return
	}
	h.t.Fatalf("Builder: no message %q for a ProtocolMessage command", id)
}

// UpdateRequest builds the message a server attaches to task to deliver an update.
func (h *Builder) UpdateRequest(task *workflowservice.PollWorkflowTaskQueueResponse, updateID, name string, args ...any) *protocolpb.Message {
	h.t.Helper()
	input, err := converter.GetDefaultDataConverter().ToPayloads(args...)
	if err != nil {
		h.t.Fatal(err)
	}
	body, err := anypb.New(&updatepb.Request{
		Meta:  &updatepb.Meta{UpdateId: updateID, Identity: "test"},
		Input: &updatepb.Input{Name: name, Args: input},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return &protocolpb.Message{
		Id: updateID + "/request", ProtocolInstanceId: updateID,
		SequencingId: &protocolpb.Message_EventId{EventId: task.GetStartedEventId() - 1}, Body: body,
	}
}
