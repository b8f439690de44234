package client_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/server"
	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// startSundial runs an in-memory Sundial server and dials it.
func startSundial(t *testing.T) *client.Client {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.New(server.Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:", Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Stop(stopCtx)
	})
	c, err := client.Dial(ctx, client.Options{HostPort: srv.Addr(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// pollWorkflowTask long-polls one workflow task from the raw service, as a worker would.
func pollWorkflowTask(t *testing.T, c *client.Client, queue string) *workflowservice.PollWorkflowTaskQueueResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	task, err := c.WorkflowService().PollWorkflowTaskQueue(ctx, &workflowservice.PollWorkflowTaskQueueRequest{
		Namespace: c.Namespace(), TaskQueue: &taskqueuepb.TaskQueue{Name: queue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL}, Identity: "e2e-worker",
	})
	if err != nil {
		t.Fatalf("polling workflow task: %v", err)
	}
	if len(task.GetTaskToken()) == 0 {
		t.Fatal("poll returned no workflow task")
	}
	return task
}

func respondCommands(t *testing.T, c *client.Client, task *workflowservice.PollWorkflowTaskQueueResponse, commands ...*commandpb.Command) {
	t.Helper()
	_, err := c.WorkflowService().RespondWorkflowTaskCompleted(context.Background(), &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: c.Namespace(), TaskToken: task.GetTaskToken(), Commands: commands, Identity: "e2e-worker",
	})
	if err != nil {
		t.Fatalf("completing workflow task: %v", err)
	}
}

// TestAgainstSundialAsyncActivityCompletion drives a workflow by hand through the raw
// API: it schedules an activity, the activity is completed asynchronously through the
// client, and the workflow returns the activity's result, which Get decodes.
func TestAgainstSundialAsyncActivityCompletion(t *testing.T) {
	c := startSundial(t)
	ctx := context.Background()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "e2e-async", TaskQueue: "e2e"}, "Approve", "expense-1")
	if err != nil {
		t.Fatal(err)
	}

	task := pollWorkflowTask(t, c, "e2e")
	respondCommands(t, c, task, &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
		Attributes: &commandpb.Command_ScheduleActivityTaskCommandAttributes{ScheduleActivityTaskCommandAttributes: &commandpb.ScheduleActivityTaskCommandAttributes{
			ActivityId:          "approve-1",
			ActivityType:        &commonpb.ActivityType{Name: "WaitForApproval"},
			TaskQueue:           &taskqueuepb.TaskQueue{Name: "e2e"},
			StartToCloseTimeout: durationpb.New(time.Minute),
			HeartbeatTimeout:    durationpb.New(time.Minute),
		}},
	})

	pollCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	activity, err := c.WorkflowService().PollActivityTaskQueue(pollCtx, &workflowservice.PollActivityTaskQueueRequest{
		Namespace: c.Namespace(), TaskQueue: &taskqueuepb.TaskQueue{Name: "e2e"}, Identity: "e2e-worker",
	})
	if err != nil || len(activity.GetTaskToken()) == 0 {
		t.Fatalf("polling activity task: %v", err)
	}
	// The activity "returned ErrResultPending"; someone else heartbeats and completes it.
	if err := c.RecordActivityHeartbeat(ctx, activity.GetTaskToken(), "waiting for manager"); err != nil {
		t.Fatalf("heartbeat: %v", err)
	}
	if err := c.RecordActivityHeartbeatByID(ctx, "", "e2e-async", run.GetRunID(), "approve-1", "still waiting"); err != nil {
		t.Fatalf("heartbeat by id: %v", err)
	}
	if err := c.CompleteActivity(ctx, activity.GetTaskToken(), "approved", nil); err != nil {
		t.Fatalf("completing activity: %v", err)
	}

	task = pollWorkflowTask(t, c, "e2e")
	var activityResult *commonpb.Payloads
	for _, e := range task.GetHistory().GetEvents() {
		if e.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED {
			activityResult = e.GetActivityTaskCompletedEventAttributes().GetResult()
		}
	}
	if activityResult == nil {
		t.Fatalf("history has no ActivityTaskCompleted: %v", task.GetHistory())
	}
	respondCommands(t, c, task, &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_CompleteWorkflowExecutionCommandAttributes{CompleteWorkflowExecutionCommandAttributes: &commandpb.CompleteWorkflowExecutionCommandAttributes{
			Result: activityResult,
		}},
	})

	var result string
	getCtx, cancelGet := context.WithTimeout(ctx, 10*time.Second)
	defer cancelGet()
	if err := run.Get(getCtx, &result); err != nil || result != "approved" {
		t.Fatalf("Get = %q, %v", result, err)
	}
}

func TestAgainstSundialSignalDescribeTerminate(t *testing.T) {
	c := startSundial(t)
	ctx := context.Background()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "e2e-term", TaskQueue: "e2e"}, "LongRunning")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SignalWorkflow(ctx, "e2e-term", "", "poke", 1); err != nil {
		t.Fatalf("signal: %v", err)
	}
	desc, err := c.DescribeWorkflowExecution(ctx, "e2e-term", run.GetRunID())
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	if desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("status = %v", desc.GetWorkflowExecutionInfo().GetStatus())
	}
	if err := c.TerminateWorkflow(ctx, "e2e-term", "", "cleanup"); err != nil {
		t.Fatalf("terminate: %v", err)
	}
	getCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err = c.GetWorkflow(ctx, "e2e-term", "").Get(getCtx, nil)
	var terminated *sundial.TerminatedError
	if !errors.As(err, &terminated) {
		t.Fatalf("Get after terminate = %v, want TerminatedError", err)
	}
}

// TestAgainstSundialErrorsKeepTheirCode checks that the server's errors arrive as their
// serviceerror types. Each call gets a short deadline: an error sent with the wrong code
// (Unknown) would be retried as transient until the deadline.
func TestAgainstSundialErrorsKeepTheirCode(t *testing.T) {
	c := startSundial(t)
	shortCall := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		t.Cleanup(cancel)
		return ctx
	}

	var notFound *serviceerror.NotFound
	if err := c.SignalWorkflow(shortCall(), "no-such-workflow", "", "poke", nil); !errors.As(err, &notFound) {
		t.Errorf("signal to a missing workflow: got %T %v, want *serviceerror.NotFound", errors.Unwrap(err), err)
	}
	if err := c.CompleteActivityByID(shortCall(), "", "no-such-workflow", "", "a", nil, nil); !errors.As(err, &notFound) {
		t.Errorf("completing a missing activity: got %T %v, want *serviceerror.NotFound", errors.Unwrap(err), err)
	}

	first, err := c.ExecuteWorkflow(shortCall(), client.StartWorkflowOptions{ID: "dup", TaskQueue: "e2e"}, "W")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ExecuteWorkflow(shortCall(), client.StartWorkflowOptions{ID: "dup", TaskQueue: "e2e", WorkflowExecutionErrorWhenAlreadyStarted: true}, "W")
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if !errors.As(err, &already) {
		t.Errorf("duplicate start: got %T %v, want *serviceerror.WorkflowExecutionAlreadyStarted", errors.Unwrap(err), err)
	}
	// Without the option, a duplicate start returns a handle to the running workflow.
	again, err := c.ExecuteWorkflow(shortCall(), client.StartWorkflowOptions{ID: "dup", TaskQueue: "e2e"}, "W")
	if err != nil || again.GetRunID() != first.GetRunID() {
		t.Errorf("duplicate start without the option: got %v, %v, want run %s", again, err, first.GetRunID())
	}
}
