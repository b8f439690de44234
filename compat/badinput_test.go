package compat

import (
	"context"
	"strings"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/server"
)

// badInputPayloadLimit is the MaxPayloadBytes the bad-input tests start Sundial with.
// Temporal's own server has a fixed 2 MiB per-blob limit.
const badInputPayloadLimit = 64 << 10

// startBadInputTarget starts the target with a small payload limit and returns it
// with the limit in force.
func startBadInputTarget(t *testing.T) (target, int) {
	t.Helper()
	if targetIsTemporal() {
		return startTarget(t), 2 << 20
	}
	return startSundial(t, server.Options{MaxPayloadBytes: badInputPayloadLimit}), badInputPayloadLimit
}

// requireStatus checks an RPC error's gRPC code and that its message names what was
// wrong: it must contain at least one of the words (compared ignoring case, spaces,
// underscores and dashes, so "WorkflowId", "workflow_id" and "workflow id" match).
func requireStatus(t *testing.T, err error, want codes.Code, words ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("call succeeded, want %v", want)
		return
	}
	st, _ := status.FromError(err)
	if st.Code() != want {
		t.Errorf("status = %v %q, want %v", st.Code(), st.Message(), want)
		return
	}
	message := squash(st.Message())
	for _, w := range words {
		if strings.Contains(message, squash(w)) {
			return
		}
	}
	if len(words) > 0 {
		t.Errorf("message %q names none of %q", st.Message(), words)
	}
}

func squash(s string) string {
	return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(strings.ToLower(s))
}

func payloadOfSize(n int) *commonpb.Payloads {
	return &commonpb.Payloads{Payloads: []*commonpb.Payload{{
		Metadata: map[string][]byte{"encoding": []byte("binary/plain")},
		Data:     make([]byte, n),
	}}}
}

// TestBadRequests sends malformed requests, each on its own, and checks the status
// code and message. The server must keep serving afterwards.
func TestBadRequests(t *testing.T) {
	t.Parallel()
	tg, payloadLimit := startBadInputTarget(t)
	svc := dialRaw(t, tg)
	w := newRawWorker(t, tg, svc)
	ctx := testContext(t, 60*time.Second)
	running := w.start(ctx)

	tests := []struct {
		name  string
		call  func(ctx context.Context) error
		code  codes.Code
		words []string
	}{
		{
			name: "unknown namespace on start",
			call: func(ctx context.Context) error {
				req := w.startRequest()
				req.Namespace = "no-such-namespace"
				_, err := svc.StartWorkflowExecution(ctx, req)
				return err
			},
			code: codes.NotFound, words: []string{"no-such-namespace"},
		},
		{
			name: "unknown namespace on describe namespace",
			call: func(ctx context.Context) error {
				_, err := svc.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "no-such-namespace"})
				return err
			},
			code: codes.NotFound, words: []string{"no-such-namespace"},
		},
		{
			name: "unknown namespace on poll",
			call: func(ctx context.Context) error {
				_, err := svc.PollWorkflowTaskQueue(ctx, &workflowservice.PollWorkflowTaskQueueRequest{
					Namespace: "no-such-namespace", TaskQueue: &taskqueuepb.TaskQueue{Name: w.taskQueue},
				})
				return err
			},
			code: codes.NotFound, words: []string{"no-such-namespace"},
		},
		{
			name: "empty workflow id",
			call: func(ctx context.Context) error {
				req := w.startRequest()
				req.WorkflowId = ""
				_, err := svc.StartWorkflowExecution(ctx, req)
				return err
			},
			code: codes.InvalidArgument, words: []string{"workflow id"},
		},
		{
			name: "oversized workflow id",
			call: func(ctx context.Context) error {
				req := w.startRequest()
				req.WorkflowId = strings.Repeat("x", 1001)
				_, err := svc.StartWorkflowExecution(ctx, req)
				return err
			},
			code: codes.InvalidArgument, words: []string{"workflow id"},
		},
		{
			name: "missing workflow type",
			call: func(ctx context.Context) error {
				req := w.startRequest()
				req.WorkflowType = nil
				_, err := svc.StartWorkflowExecution(ctx, req)
				return err
			},
			code: codes.InvalidArgument, words: []string{"workflow type"},
		},
		{
			name: "missing task queue",
			call: func(ctx context.Context) error {
				req := w.startRequest()
				req.TaskQueue = nil
				_, err := svc.StartWorkflowExecution(ctx, req)
				return err
			},
			code: codes.InvalidArgument, words: []string{"task queue"},
		},
		{
			name: "negative execution timeout",
			call: func(ctx context.Context) error {
				req := w.startRequest()
				req.WorkflowExecutionTimeout = durationpb.New(-time.Second)
				_, err := svc.StartWorkflowExecution(ctx, req)
				return err
			},
			code: codes.InvalidArgument, words: []string{"timeout"},
		},
		{
			name: "negative run timeout",
			call: func(ctx context.Context) error {
				req := w.startRequest()
				req.WorkflowRunTimeout = durationpb.New(-time.Second)
				_, err := svc.StartWorkflowExecution(ctx, req)
				return err
			},
			code: codes.InvalidArgument, words: []string{"timeout"},
		},
		{
			name: "negative task timeout",
			call: func(ctx context.Context) error {
				req := w.startRequest()
				req.WorkflowTaskTimeout = durationpb.New(-time.Second)
				_, err := svc.StartWorkflowExecution(ctx, req)
				return err
			},
			code: codes.InvalidArgument, words: []string{"timeout"},
		},
		{
			name: "start input over the payload limit",
			call: func(ctx context.Context) error {
				req := w.startRequest()
				req.Input = payloadOfSize(payloadLimit + 1024)
				_, err := svc.StartWorkflowExecution(ctx, req)
				return err
			},
			code: codes.InvalidArgument, words: []string{"size", "limit", "large"},
		},
		{
			name: "signal input over the payload limit",
			call: func(ctx context.Context) error {
				_, err := svc.SignalWorkflowExecution(ctx, &workflowservice.SignalWorkflowExecutionRequest{
					Namespace: tg.Namespace, WorkflowExecution: running, SignalName: "big",
					Input: payloadOfSize(payloadLimit + 1024), Identity: "compat", RequestId: uniqueName(t, "req"),
				})
				return err
			},
			code: codes.InvalidArgument, words: []string{"size", "limit", "large"},
		},
		{
			name: "garbage token on workflow task completion",
			call: func(ctx context.Context) error {
				return w.complete(ctx, []byte("not a task token"))
			},
			code: codes.InvalidArgument, words: []string{"token"},
		},
		{
			name: "garbage token on activity completion",
			call: func(ctx context.Context) error {
				_, err := svc.RespondActivityTaskCompleted(ctx, &workflowservice.RespondActivityTaskCompletedRequest{
					Namespace: tg.Namespace, TaskToken: []byte{0xff, 0x00, 0x13, 0x37}, Identity: "compat",
				})
				return err
			},
			code: codes.InvalidArgument, words: []string{"token"},
		},
		{
			name: "garbage token on heartbeat",
			call: func(ctx context.Context) error {
				_, err := svc.RecordActivityTaskHeartbeat(ctx, &workflowservice.RecordActivityTaskHeartbeatRequest{
					Namespace: tg.Namespace, TaskToken: []byte("{\"json\": \"is not a token\"}"), Identity: "compat",
				})
				return err
			},
			code: codes.InvalidArgument, words: []string{"token"},
		},
		{
			name: "empty token on activity failure",
			call: func(ctx context.Context) error {
				_, err := svc.RespondActivityTaskFailed(ctx, &workflowservice.RespondActivityTaskFailedRequest{
					Namespace: tg.Namespace, Identity: "compat",
				})
				return err
			},
			code: codes.InvalidArgument, words: []string{"token"},
		},
		{
			name: "signal to an unknown workflow",
			call: func(ctx context.Context) error {
				_, err := svc.SignalWorkflowExecution(ctx, &workflowservice.SignalWorkflowExecutionRequest{
					Namespace: tg.Namespace, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: "no-such-workflow"},
					SignalName: "hello", Identity: "compat", RequestId: uniqueName(t, "req"),
				})
				return err
			},
			code: codes.NotFound, words: []string{"not found", "no-such-workflow"},
		},
		{
			name: "describe an unknown workflow",
			call: func(ctx context.Context) error {
				_, err := svc.DescribeWorkflowExecution(ctx, &workflowservice.DescribeWorkflowExecutionRequest{
					Namespace: tg.Namespace, Execution: &commonpb.WorkflowExecution{WorkflowId: "no-such-workflow"},
				})
				return err
			},
			code: codes.NotFound, words: []string{"not found", "no-such-workflow"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			requireStatus(t, tt.call(ctx), tt.code, tt.words...)
		})
	}

	// The run that was running throughout is untouched and the server still works.
	w.requireRawHistory(ctx, running, ev(evWorkflowStarted, evTaskScheduled))
	task := w.pollWorkflowTask(ctx)
	if err := w.complete(ctx, task.GetTaskToken(), completeWorkflowCommand()); err != nil {
		t.Fatalf("completing the untouched workflow: %v", err)
	}
	w.requireRawHistory(ctx, running, concat(startAndFirstTask, ev(evWorkflowCompleted)))
	requireHelloWorldStillWorks(t, tg)
}

// TestCompletionsForClosedRun uses real tokens after their run was terminated: every
// use is refused with NotFound and the closed history does not change.
func TestCompletionsForClosedRun(t *testing.T) {
	t.Parallel()
	tg, _ := startBadInputTarget(t)
	svc := dialRaw(t, tg)
	w := newRawWorker(t, tg, svc)
	ctx := testContext(t, 60*time.Second)

	execution := w.start(ctx)
	task := w.pollWorkflowTask(ctx)
	if err := w.complete(ctx, task.GetTaskToken(), scheduleActivityCommand("a1", w.taskQueue, 30*time.Second)); err != nil {
		t.Fatalf("scheduling activity: %v", err)
	}
	activityTask := w.pollActivityTask(ctx)
	if _, err := svc.SignalWorkflowExecution(ctx, &workflowservice.SignalWorkflowExecutionRequest{
		Namespace: tg.Namespace, WorkflowExecution: execution, SignalName: "wake", Identity: "compat", RequestId: uniqueName(t, "req"),
	}); err != nil {
		t.Fatalf("signalling: %v", err)
	}
	secondTask := w.pollWorkflowTask(ctx)
	if _, err := svc.TerminateWorkflowExecution(ctx, &workflowservice.TerminateWorkflowExecutionRequest{
		Namespace: tg.Namespace, WorkflowExecution: execution, Reason: "closing for the test", Identity: "compat",
	}); err != nil {
		t.Fatalf("terminating: %v", err)
	}
	// Temporal fails the in-flight workflow task before terminating; the protocol
	// allows writing the termination alone.
	prefix := concat(startAndFirstTask, ev(evActivityScheduled, evWorkflowSignaled, evTaskScheduled, evTaskStarted))
	closedShapes := [][]enumspb.EventType{
		concat(prefix, ev(evWorkflowTerminated)),
		concat(prefix, ev(evTaskFailed, evWorkflowTerminated)),
	}
	w.requireRawHistoryOneOf(ctx, execution, closedShapes...)

	closedWords := []string{"complete", "closed", "not found", "terminated"}
	t.Run("workflow task completion", func(t *testing.T) {
		requireStatus(t, w.complete(ctx, secondTask.GetTaskToken(), completeWorkflowCommand()), codes.NotFound, closedWords...)
	})
	t.Run("workflow task failure", func(t *testing.T) {
		_, err := svc.RespondWorkflowTaskFailed(ctx, &workflowservice.RespondWorkflowTaskFailedRequest{
			Namespace: tg.Namespace, TaskToken: secondTask.GetTaskToken(), Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE, Identity: "compat",
		})
		requireStatus(t, err, codes.NotFound, closedWords...)
	})
	t.Run("activity completion", func(t *testing.T) {
		_, err := svc.RespondActivityTaskCompleted(ctx, &workflowservice.RespondActivityTaskCompletedRequest{
			Namespace: tg.Namespace, TaskToken: activityTask.GetTaskToken(), Identity: "compat",
		})
		requireStatus(t, err, codes.NotFound, closedWords...)
	})
	t.Run("activity heartbeat", func(t *testing.T) {
		_, err := svc.RecordActivityTaskHeartbeat(ctx, &workflowservice.RecordActivityTaskHeartbeatRequest{
			Namespace: tg.Namespace, TaskToken: activityTask.GetTaskToken(), Identity: "compat",
		})
		requireStatus(t, err, codes.NotFound, closedWords...)
	})
	t.Run("activity completion by id", func(t *testing.T) {
		_, err := svc.RespondActivityTaskCompletedById(ctx, &workflowservice.RespondActivityTaskCompletedByIdRequest{
			Namespace: tg.Namespace, WorkflowId: execution.GetWorkflowId(), RunId: execution.GetRunId(), ActivityId: "a1", Identity: "compat",
		})
		requireStatus(t, err, codes.NotFound, closedWords...)
	})
	t.Run("signal", func(t *testing.T) {
		_, err := svc.SignalWorkflowExecution(ctx, &workflowservice.SignalWorkflowExecutionRequest{
			Namespace: tg.Namespace, WorkflowExecution: execution, SignalName: "late", Identity: "compat", RequestId: uniqueName(t, "req"),
		})
		requireStatus(t, err, codes.NotFound, closedWords...)
	})
	w.requireRawHistoryOneOf(ctx, execution, closedShapes...)
	requireHelloWorldStillWorks(t, tg)
}

// TestCommandsForWrongState completes a workflow task with a command that does not
// fit the run. The completion is refused with InvalidArgument, the history records
// a WorkflowTaskFailed with the matching cause, and the next attempt can still
// complete the workflow.
func TestCommandsForWrongState(t *testing.T) {
	t.Parallel()
	tg, _ := startBadInputTarget(t)
	svc := dialRaw(t, tg)
	tests := []struct {
		name     string
		commands []*commandpb.Command
		cause    enumspb.WorkflowTaskFailedCause
		words    []string
	}{
		{
			name: "cancel unknown timer",
			commands: []*commandpb.Command{{
				CommandType: enumspb.COMMAND_TYPE_CANCEL_TIMER,
				Attributes:  &commandpb.Command_CancelTimerCommandAttributes{CancelTimerCommandAttributes: &commandpb.CancelTimerCommandAttributes{TimerId: "never-started"}},
			}},
			cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES,
			words: []string{"timer"},
		},
		{
			name: "cancel unknown activity",
			commands: []*commandpb.Command{{
				CommandType: enumspb.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK,
				Attributes: &commandpb.Command_RequestCancelActivityTaskCommandAttributes{
					RequestCancelActivityTaskCommandAttributes: &commandpb.RequestCancelActivityTaskCommandAttributes{ScheduledEventId: 999},
				},
			}},
			cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
			words: []string{"activity"},
		},
		{
			name:     "activity without timeouts",
			commands: []*commandpb.Command{scheduleActivityCommand("no-timeouts", "some-queue", 0)},
			cause:    enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
			words:    []string{"timeout"},
		},
		{
			name:     "two timers with one id",
			commands: []*commandpb.Command{startTimerCommand("t1", time.Hour), startTimerCommand("t1", time.Hour)},
			cause:    enumspb.WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID,
			words:    []string{"timer"},
		},
		{
			name:     "activity id used twice",
			commands: []*commandpb.Command{scheduleActivityCommand("a1", "some-queue", time.Minute), scheduleActivityCommand("a1", "some-queue", time.Minute)},
			cause:    enumspb.WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID,
			words:    []string{"activity"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newRawWorker(t, tg, svc)
			ctx := testContext(t, 60*time.Second)
			execution := w.start(ctx)
			task := w.pollWorkflowTask(ctx)
			requireStatus(t, w.complete(ctx, task.GetTaskToken(), tt.commands...), codes.InvalidArgument, tt.words...)
			events := w.requireRawHistory(ctx, execution, ev(evWorkflowStarted, evTaskScheduled, evTaskStarted, evTaskFailed, evTaskScheduled))
			if got := events[3].GetWorkflowTaskFailedEventAttributes().GetCause(); got != tt.cause {
				t.Errorf("WorkflowTaskFailed cause = %v, want %v", got, tt.cause)
			}
			retry := w.pollWorkflowTask(ctx)
			if retry.GetAttempt() != 2 {
				t.Errorf("retried workflow task attempt = %d, want 2", retry.GetAttempt())
			}
			if err := w.complete(ctx, retry.GetTaskToken(), completeWorkflowCommand()); err != nil {
				t.Fatalf("completing the workflow on the retried task: %v", err)
			}
			w.requireRawHistory(ctx, execution, ev(evWorkflowStarted, evTaskScheduled, evTaskStarted, evTaskFailed,
				evTaskScheduled, evTaskStarted, evTaskCompleted, evWorkflowCompleted))
		})
	}
}

// requireHelloWorldStillWorks runs an ordinary SDK workflow against tg.
func requireHelloWorldStillWorks(t *testing.T, tg target) {
	t.Helper()
	c := dial(t, tg)
	run, result, err := runOneActivity(t, c, workflowActivityOptions10s, func(ctx context.Context) (string, error) { return "still serving", nil })
	if err != nil || result != "still serving" {
		t.Fatalf("ordinary workflow after bad input: result %q, error %v", result, err)
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(), oneActivityCompleted)
}
