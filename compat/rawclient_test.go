package compat

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/durationpb"
)

// dialRaw opens a plain gRPC WorkflowService client to tg, without the SDK's
// retries or validation, for driving the protocol by hand.
func dialRaw(t *testing.T, tg target) workflowservice.WorkflowServiceClient {
	t.Helper()
	conn, err := grpc.NewClient(tg.HostPort,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(128<<20)))
	if err != nil {
		t.Fatalf("dialing %s: %v", tg.HostPort, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return workflowservice.NewWorkflowServiceClient(conn)
}

// rawWorker plays the worker's side of the protocol by hand on one task queue.
type rawWorker struct {
	t         *testing.T
	svc       workflowservice.WorkflowServiceClient
	namespace string
	taskQueue string
}

func newRawWorker(t *testing.T, tg target, svc workflowservice.WorkflowServiceClient) *rawWorker {
	return &rawWorker{t: t, svc: svc, namespace: tg.Namespace, taskQueue: uniqueName(t, "rawtq")}
}

// startRequest is a valid start of a workflow nobody else runs, on w's queue.
func (w *rawWorker) startRequest() *workflowservice.StartWorkflowExecutionRequest {
	return &workflowservice.StartWorkflowExecutionRequest{
		Namespace:    w.namespace,
		WorkflowId:   uniqueName(w.t, "rawwf"),
		WorkflowType: &commonpb.WorkflowType{Name: "RawWorkflow"},
		TaskQueue:    &taskqueuepb.TaskQueue{Name: w.taskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		RequestId:    uniqueName(w.t, "req"),
		Identity:     "compat-raw-worker",
	}
}

// start starts a workflow and returns its execution.
func (w *rawWorker) start(ctx context.Context) *commonpb.WorkflowExecution {
	w.t.Helper()
	req := w.startRequest()
	resp, err := w.svc.StartWorkflowExecution(ctx, req)
	if err != nil {
		w.t.Fatalf("starting raw workflow: %v", err)
	}
	return &commonpb.WorkflowExecution{WorkflowId: req.WorkflowId, RunId: resp.GetRunId()}
}

// pollWorkflowTask long-polls until a workflow task arrives.
func (w *rawWorker) pollWorkflowTask(ctx context.Context) *workflowservice.PollWorkflowTaskQueueResponse {
	w.t.Helper()
	for ctx.Err() == nil {
		resp, err := w.svc.PollWorkflowTaskQueue(ctx, &workflowservice.PollWorkflowTaskQueueRequest{
			Namespace: w.namespace,
			TaskQueue: &taskqueuepb.TaskQueue{Name: w.taskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
			Identity:  "compat-raw-worker",
		})
		if err != nil {
			w.t.Fatalf("polling workflow task: %v", err)
		}
		if len(resp.GetTaskToken()) > 0 {
			return resp
		}
	}
	w.t.Fatalf("no workflow task before the deadline: %v", ctx.Err())
	return nil
}

// pollActivityTask long-polls until an activity task arrives.
func (w *rawWorker) pollActivityTask(ctx context.Context) *workflowservice.PollActivityTaskQueueResponse {
	w.t.Helper()
	for ctx.Err() == nil {
		resp, err := w.svc.PollActivityTaskQueue(ctx, &workflowservice.PollActivityTaskQueueRequest{
			Namespace: w.namespace,
			TaskQueue: &taskqueuepb.TaskQueue{Name: w.taskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
			Identity:  "compat-raw-worker",
		})
		if err != nil {
			w.t.Fatalf("polling activity task: %v", err)
		}
		if len(resp.GetTaskToken()) > 0 {
			return resp
		}
	}
	w.t.Fatalf("no activity task before the deadline: %v", ctx.Err())
	return nil
}

// complete answers a workflow task with commands.
func (w *rawWorker) complete(ctx context.Context, token []byte, commands ...*commandpb.Command) error {
	_, err := w.svc.RespondWorkflowTaskCompleted(ctx, &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: w.namespace,
		TaskToken: token,
		Commands:  commands,
		Identity:  "compat-raw-worker",
	})
	return err
}

// history reads a run's whole history.
func (w *rawWorker) history(ctx context.Context, execution *commonpb.WorkflowExecution) []*historypb.HistoryEvent {
	w.t.Helper()
	var events []*historypb.HistoryEvent
	var token []byte
	for {
		resp, err := w.svc.GetWorkflowExecutionHistory(ctx, &workflowservice.GetWorkflowExecutionHistoryRequest{
			Namespace:     w.namespace,
			Execution:     execution,
			NextPageToken: token,
		})
		if err != nil {
			w.t.Fatalf("reading history of %s: %v", execution.GetWorkflowId(), err)
		}
		events = append(events, resp.GetHistory().GetEvents()...)
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return events
		}
	}
}

// requireRawHistory checks a run's event types, like requireHistory.
func (w *rawWorker) requireRawHistory(ctx context.Context, execution *commonpb.WorkflowExecution, want []enumspb.EventType) []*historypb.HistoryEvent {
	w.t.Helper()
	events := w.history(ctx, execution)
	got := make([]enumspb.EventType, len(events))
	for i, e := range events {
		got[i] = e.GetEventType()
	}
	if diff := eventTypeDiff(want, got); diff != "" {
		w.t.Fatalf("history of workflow %s differs (- want, + got):\n%s", execution.GetWorkflowId(), diff)
	}
	return events
}

// requireRawHistoryOneOf checks a run's event types against several accepted shapes.
func (w *rawWorker) requireRawHistoryOneOf(ctx context.Context, execution *commonpb.WorkflowExecution, alternatives ...[]enumspb.EventType) {
	w.t.Helper()
	events := w.history(ctx, execution)
	got := make([]enumspb.EventType, len(events))
	for i, e := range events {
		got[i] = e.GetEventType()
	}
	var diffs []string
	for i, want := range alternatives {
		diff := eventTypeDiff(want, got)
		if diff == "" {
			return
		}
		diffs = append(diffs, fmt.Sprintf("alternative %d (- want, + got):\n%s", i+1, diff))
	}
	w.t.Fatalf("history of workflow %s matches none of the accepted shapes:\n%s", execution.GetWorkflowId(), strings.Join(diffs, ""))
}

// startTimerCommand starts a timer.
func startTimerCommand(timerID string, d time.Duration) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_START_TIMER,
		Attributes: &commandpb.Command_StartTimerCommandAttributes{StartTimerCommandAttributes: &commandpb.StartTimerCommandAttributes{
			TimerId: timerID, StartToFireTimeout: durationpb.New(d),
		}},
	}
}

// completeWorkflowCommand closes the workflow successfully.
func completeWorkflowCommand() *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
		Attributes:  &commandpb.Command_CompleteWorkflowExecutionCommandAttributes{CompleteWorkflowExecutionCommandAttributes: &commandpb.CompleteWorkflowExecutionCommandAttributes{}},
	}
}

// scheduleActivityCommand schedules an activity on queue with a start-to-close timeout.
func scheduleActivityCommand(activityID, queue string, startToClose time.Duration) *commandpb.Command {
	attrs := &commandpb.ScheduleActivityTaskCommandAttributes{
		ActivityId:   activityID,
		ActivityType: &commonpb.ActivityType{Name: "RawActivity"},
		TaskQueue:    &taskqueuepb.TaskQueue{Name: queue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
	}
	if startToClose != 0 {
		attrs.StartToCloseTimeout = durationpb.New(startToClose)
	}
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
		Attributes:  &commandpb.Command_ScheduleActivityTaskCommandAttributes{ScheduleActivityTaskCommandAttributes: attrs},
	}
}
