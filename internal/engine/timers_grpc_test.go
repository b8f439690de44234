package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// TestHeartbeatTimeoutThroughEngine: heartbeats keep an activity alive; when they
// stop, it times out with the last details.
func TestHeartbeatTimeoutThroughEngine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.scheduleWith("heartbeats", func(a *commandpb.ScheduleActivityTaskCommandAttributes) {
		a.HeartbeatTimeout = durationpb.New(time.Second)
		a.RetryPolicy = &commonpb.RetryPolicy{MaximumAttempts: 1}
	})
	act := e.pollActivity("tq")
	for i := range 5 { // 1.25s of work, longer than one heartbeat timeout
		time.Sleep(250 * time.Millisecond) // the scenario: work between heartbeats
		if _, err := e.c.RecordActivityTaskHeartbeat(e.ctx(), &workflowservice.RecordActivityTaskHeartbeatRequest{
			Namespace: ns, TaskToken: act.TaskToken, Details: payloads(fmt.Sprintf("step %d", i)),
		}); err != nil {
			t.Fatalf("heartbeat %d: %v", i, err)
		}
	}
	wft := e.pollWFT("tq") // arrives once the heartbeats stop
	h := wft.GetHistory().GetEvents()
	wantTypes(t, h[5:7], enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT)
	info := h[6].GetActivityTaskTimedOutEventAttributes().GetFailure().GetTimeoutFailureInfo()
	if info.GetTimeoutType() != enumspb.TIMEOUT_TYPE_HEARTBEAT || payloadString(info.GetLastHeartbeatDetails()) != "step 4" {
		t.Errorf("timeout failure info = %v", info)
	}
	e.completeWFT(wft.TaskToken, completeWorkflowCmd("done"))
	if n := len(e.history("heartbeats", runID)); n != 11 {
		t.Errorf("history has %d events, want 11", n)
	}
}

// result poll gets WorkflowExecutionTimedOut.
func TestRunTimeoutThroughEngine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.start("short", "tq", func(r *workflowservice.StartWorkflowExecutionRequest) {
		r.WorkflowRunTimeout = durationpb.New(500 * time.Millisecond)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := e.c.GetWorkflowExecutionHistory(ctx, closeEventRequest("short", nil))
	if err != nil {
		t.Fatal(err)
	}
	wantTypes(t, resp.GetHistory().GetEvents(), enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT)
	e.pollWFTNone(&taskqueuepb.TaskQueue{Name: "tq", Kind: enumspb.TASK_QUEUE_KIND_NORMAL})
}

// TestDelayedStartThroughEngine: the first workflow task waits for the start
// delay.
func TestDelayedStartThroughEngine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	began := time.Now()
	e.start("later", "tq", func(r *workflowservice.StartWorkflowExecutionRequest) {
		r.WorkflowStartDelay = durationpb.New(400 * time.Millisecond)
	})
	wft := e.pollWFT("tq")
	if waited := time.Since(began); waited < 350*time.Millisecond {
		t.Errorf("first task after %v; the start delay is 400ms", waited)
	}
	if d := wft.History.Events[0].GetWorkflowExecutionStartedEventAttributes().GetFirstWorkflowTaskBackoff().AsDuration(); d != 400*time.Millisecond {
		t.Errorf("first_workflow_task_backoff = %v", d)
	}
	e.completeWFT(wft.TaskToken, completeWorkflowCmd("done"))
}
