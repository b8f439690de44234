package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	protocolpb "go.temporal.io/api/protocol/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	updatepb "go.temporal.io/api/update/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// updateTestRun starts a workflow on an engine, runs its first workflow task
// and returns a function that admits update id (answering at the ADMITTED
// stage) and one that polls the next workflow task.
func updateTestRun(t *testing.T, e *Engine, workflowID string) (admit func(id string) error, poll func() *workflowservice.PollWorkflowTaskQueueResponse) {
	t.Helper()
	ctx := context.Background()
	queue := &taskqueuepb.TaskQueue{Name: "updates"}
	if _, err := e.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
		Namespace: "default", WorkflowId: workflowID, WorkflowType: &commonpb.WorkflowType{Name: "Updated"},
		TaskQueue: queue, RequestId: "start-" + workflowID,
	}); err != nil {
		t.Fatal(err)
	}
	poll = func() *workflowservice.PollWorkflowTaskQueueResponse {
		t.Helper()
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		resp, err := e.PollWorkflowTaskQueue(pctx, &workflowservice.PollWorkflowTaskQueueRequest{Namespace: "default", TaskQueue: queue, Identity: "w"})
		if err != nil || len(resp.TaskToken) == 0 {
			t.Fatalf("poll: %v, %d-byte token", err, len(resp.GetTaskToken()))
		}
		return resp
	}
	first := poll()
	if _, err := e.RespondWorkflowTaskCompleted(ctx, &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: "default", TaskToken: first.TaskToken, Identity: "w",
	}); err != nil {
		t.Fatal(err)
	}
	admit = func(id string) error {
		// A deadline this close makes the call answer at once with the stage
		// reached; the update stays admitted.
		actx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		resp, err := e.UpdateWorkflowExecution(actx, &workflowservice.UpdateWorkflowExecutionRequest{
			Namespace: "default", WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: workflowID},
			WaitPolicy: &updatepb.WaitPolicy{LifecycleStage: enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED},
			Request: &updatepb.Request{
				Meta:  &updatepb.Meta{UpdateId: id},
				Input: &updatepb.Input{Name: "bump"},
			},
		})
		if err == nil && resp.Stage != enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED {
			t.Fatalf("update %s reached %v, want ADMITTED", id, resp.Stage)
		}
		return err
	}
	return admit, poll
}

// answerUpdates completes a workflow task carrying update requests: every
// update is accepted and completed, except those reject names, which are
// rejected.
func answerUpdates(t *testing.T, e *Engine, task *workflowservice.PollWorkflowTaskQueueResponse, reject map[string]bool) {
	t.Helper()
	body := func(m proto.Message) *anypb.Any {
		a, err := anypb.New(m)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	var out []*protocolpb.Message
	for _, m := range task.Messages {
		id := m.ProtocolInstanceId
		var req updatepb.Request
		if err := m.Body.UnmarshalTo(&req); err != nil {
			t.Fatal(err)
		}
		if reject[id] {
			out = append(out, &protocolpb.Message{Id: id + "/reject", ProtocolInstanceId: id, Body: body(&updatepb.Rejection{
				RejectedRequestMessageId: m.Id, RejectedRequest: &req, Failure: &failurepb.Failure{Message: "no"},
			})})
			continue
		}
		out = append(out,
			&protocolpb.Message{Id: id + "/accept", ProtocolInstanceId: id, Body: body(&updatepb.Acceptance{
				AcceptedRequestMessageId: m.Id, AcceptedRequestSequencingEventId: m.GetEventId(), AcceptedRequest: &req,
			})},
			&protocolpb.Message{Id: id + "/complete", ProtocolInstanceId: id, Body: body(&updatepb.Response{
				Meta: req.Meta, Outcome: &updatepb.Outcome{Value: &updatepb.Outcome_Success{Success: &commonpb.Payloads{}}},
			})})
	}
	if _, err := e.RespondWorkflowTaskCompleted(context.Background(), &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: "default", TaskToken: task.TaskToken, Identity: "w", Messages: out,
	}); err != nil {
		t.Fatal(err)
	}
}

// TestHardening07UpdatesInFlightLimit: a run takes at most ten updates in
// flight; the eleventh gets Temporal's ResourceExhausted, and once the ten
// are settled, memory keeps none of the completed ones and the run can be
// evicted again.
func TestHardening07UpdatesInFlightLimit(t *testing.T) {
	e := newMemoryTestEngine(t, 100)
	admit, poll := updateTestRun(t, e, "busy")
	for i := range DefaultMaxInFlightUpdates {
		if err := admit(fmt.Sprintf("u%d", i)); err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
	}
	err := admit("one-too-many")
	var exhausted *serviceerror.ResourceExhausted
	if !errors.As(err, &exhausted) || exhausted.Cause != enumspb.RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT ||
		exhausted.Message != "limit on number of concurrent in-flight updates has been reached (10)" {
		t.Fatalf("eleventh update in flight: %v, want ResourceExhausted with Temporal's text", err)
	}
	task := poll()
	if len(task.Messages) != DefaultMaxInFlightUpdates {
		t.Fatalf("workflow task carries %d update requests, want %d", len(task.Messages), DefaultMaxInFlightUpdates)
	}
	answerUpdates(t, e, task, map[string]bool{"u9": true})

	key := runKeyOf(t, e, "busy")
	r := e.runs.lock(key)
	kept, evictable := len(r.updates), r.evictable()
	r.mu.Unlock()
	if kept > 1 {
		t.Fatalf("%d updates kept in memory after nine completed and one was rejected, want only the rejection", kept)
	}
	if !evictable {
		t.Fatal("a run whose updates are all settled cannot be evicted")
	}
	// Settled updates free their places; a duplicate of a completed one is
	// answered from history.
	if err := admit("after"); err != nil {
		t.Fatalf("update after the others settled: %v", err)
	}
	resp, err := e.PollWorkflowExecutionUpdate(context.Background(), &workflowservice.PollWorkflowExecutionUpdateRequest{
		Namespace: "default", UpdateRef: &updatepb.UpdateRef{WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: "busy"}, UpdateId: "u3"},
	})
	if err != nil || resp.Outcome.GetSuccess() == nil {
		t.Fatalf("outcome of a completed update: %v, %v", resp, err)
	}
}

// TestHardening07UpdatesTotalLimit: a run takes at most MaxTotalUpdates
// updates in all; rejected ones do not count.
func TestHardening07UpdatesTotalLimit(t *testing.T) {
	e := newMemoryTestEngine(t, 100)
	e.cfg.MaxTotalUpdates = 3
	admit, poll := updateTestRun(t, e, "many")
	for _, id := range []string{"a", "b", "r"} {
		if err := admit(id); err != nil {
			t.Fatal(err)
		}
	}
	answerUpdates(t, e, poll(), map[string]bool{"r": true})
	if err := admit("c"); err != nil {
		t.Fatalf("third counted update: %v", err)
	}
	err := admit("d")
	var refused *serviceerror.FailedPrecondition
	if !errors.As(err, &refused) || !strings.HasPrefix(refused.Message, "The limit on the total number of distinct updates in this workflow has been reached (3).") {
		t.Fatalf("fourth counted update: %v, want FailedPrecondition with Temporal's text", err)
	}
}

func runKeyOf(t *testing.T, e *Engine, workflowID string) runKey {
	t.Helper()
	resp, err := e.DescribeWorkflowExecution(context.Background(), &workflowservice.DescribeWorkflowExecutionRequest{
		Namespace: "default", Execution: &commonpb.WorkflowExecution{WorkflowId: workflowID},
	})
	if err != nil {
		t.Fatal(err)
	}
	return runKey{mustNamespaceID(t, e), workflowID, resp.WorkflowExecutionInfo.Execution.RunId}
}
