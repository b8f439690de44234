package engine_test

import (
	"fmt"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"
)

// queueing it (§4.5).
func TestInlineNextWorkflowTask(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.start("inline", "tq")
	wft := e.pollWFT("tq")
	e.signal("inline", "during") // buffered: the task is started
	resp, err := e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: ns, TaskToken: wft.TaskToken, ReturnNewWorkflowTask: true, Identity: "wf-worker",
	})
	if err != nil {
		t.Fatal(err)
	}
	next := resp.GetWorkflowTask()
	if next == nil || len(next.TaskToken) == 0 {
		t.Fatalf("no inline workflow task in %v", resp)
	}
	if next.StartedEventId != 7 || next.PreviousStartedEventId != 3 {
		t.Errorf("inline task: started %d previous %d, want 7 and 3", next.StartedEventId, next.PreviousStartedEventId)
	}
	wantTypes(t, next.GetHistory().GetEvents(), enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED)
	e.pollWFTNone(&taskqueuepb.TaskQueue{Name: "tq", Kind: enumspb.TASK_QUEUE_KIND_NORMAL})
	e.completeWFT(next.TaskToken, completeWorkflowCmd("done"))
	if n := len(e.history("inline", runID)); n != 9 {
		t.Errorf("history has %d events, want 9", n)
	}
}

// and leaves the task to time out (§2.2 "Invalid command").
func TestBadCommandOnRetriedTaskWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.start("bad-cmd", "tq", func(r *workflowservice.StartWorkflowExecutionRequest) {
		r.WorkflowTaskTimeout = durationpb.New(time.Second)
	})
	noTimeouts := scheduleActivityCmd("a1", "tq")
	noTimeouts.GetScheduleActivityTaskCommandAttributes().StartToCloseTimeout = nil
	for attempt := int32(1); attempt <= 2; attempt++ {
		wft := e.pollWFT("tq")
		if wft.Attempt != attempt {
			t.Fatalf("task attempt %d, want %d", wft.Attempt, attempt)
		}
		_, err := e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{
			Namespace: ns, TaskToken: wft.TaskToken, Commands: []*commandpb.Command{noTimeouts},
		})
		wantCode(t, fmt.Sprintf("bad command on attempt %d", attempt), err, codes.InvalidArgument)
	}
	h := e.history("bad-cmd", runID)
	wantTypes(t, h, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED)
	if c := h[3].GetWorkflowTaskFailedEventAttributes().Cause; c != enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES {
		t.Errorf("cause = %v", c)
	}
	// The second attempt times out and a third is handed out.
	third := e.pollWFT("tq")
	if third.Attempt != 3 {
		t.Errorf("after the timeout: attempt %d, want 3", third.Attempt)
	}
	e.completeWFT(third.TaskToken, completeWorkflowCmd("fixed"))
}

// is stale (§2.2).
func TestWorkflowTaskTimeoutThroughEngine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.start("wft-timeout", "tq", func(r *workflowservice.StartWorkflowExecutionRequest) {
		r.WorkflowTaskTimeout = durationpb.New(500 * time.Millisecond)
	})
	first := e.pollWFT("tq")
	second := e.pollWFT("tq")
	if second.Attempt != 2 || second.StartedEventId != 6 {
		t.Errorf("after the timeout: attempt %d started %d, want 2 and 6", second.Attempt, second.StartedEventId)
	}
	_, err := e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{Namespace: ns, TaskToken: first.TaskToken})
	wantCode(t, "completing a timed-out workflow task", err, codes.NotFound)
	e.completeWFT(second.TaskToken, completeWorkflowCmd("late but fine"))
	h := e.history("wft-timeout", runID)
	wantTypes(t, h[3:5], enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	if a := h[3].GetWorkflowTaskTimedOutEventAttributes(); a.TimeoutType != enumspb.TIMEOUT_TYPE_START_TO_CLOSE || a.ScheduledEventId != 2 || a.StartedEventId != 3 {
		t.Errorf("WorkflowTaskTimedOut = %v", a)
	}
}

// not take in time moves to the normal queue with full history.
func TestStickyScheduleToStartFallbackThroughEngine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.start("sticky-fallback", "tq")
	sticky := &taskqueuepb.TaskQueue{Name: "host:gone", Kind: enumspb.TASK_QUEUE_KIND_STICKY, NormalName: "tq"}
	wft := e.pollWFT("tq")
	_, err := e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: ns, TaskToken: wft.TaskToken,
		StickyAttributes: &taskqueuepb.StickyExecutionAttributes{WorkerTaskQueue: sticky, ScheduleToStartTimeout: durationpb.New(500 * time.Millisecond)},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.pollWFTNone(sticky) // the worker polled once, then went away
	e.signal("sticky-fallback", "hello")
	wft = e.pollWFT("tq")
	h := wft.GetHistory().GetEvents()
	checkContiguous(t, h, 1)
	wantTypes(t, h[4:], enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED)
	if a := h[6].GetWorkflowTaskTimedOutEventAttributes(); a.TimeoutType != enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START || a.StartedEventId != 0 {
		t.Errorf("WorkflowTaskTimedOut = %v", a)
	}
	if a := h[7].GetWorkflowTaskScheduledEventAttributes(); a.GetTaskQueue().GetKind() != enumspb.TASK_QUEUE_KIND_NORMAL || a.Attempt != 1 {
		t.Errorf("fallback WorkflowTaskScheduled = %v", a)
	}
	e.completeWFT(wft.TaskToken, completeWorkflowCmd("done"))
	if n := len(e.history("sticky-fallback", runID)); n != 11 {
		t.Errorf("history has %d events, want 11", n)
	}
}
