package engine_test

import (
	"testing"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/operatorservice/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// createTestEndpoint makes an endpoint whose target is the default
// namespace's queue tq.
func (e *env) createTestEndpoint(name, tq string) {
	e.t.Helper()
	ops := operatorservice.NewOperatorServiceClient(e.conn)
	_, err := ops.CreateNexusEndpoint(e.ctx(), &operatorservice.CreateNexusEndpointRequest{Spec: &nexuspb.EndpointSpec{
		Name: name,
		Target: &nexuspb.EndpointTarget{Variant: &nexuspb.EndpointTarget_Worker_{Worker: &nexuspb.EndpointTarget_Worker{
			Namespace: "default", TaskQueue: tq,
		}}},
	}})
	if err != nil {
		e.t.Fatalf("create endpoint: %v", err)
	}
}

func (e *env) startNexusOp(id, operation string) string {
	e.t.Helper()
	resp, err := e.c.StartNexusOperationExecution(e.ctx(), &workflowservice.StartNexusOperationExecutionRequest{
		Namespace: "default", OperationId: id, Endpoint: "ep", Service: "svc", Operation: operation,
		Input: &commonpb.Payload{Data: []byte(`"in"`)}, ScheduleToCloseTimeout: durationpb.New(60e9),
		NexusHeader: map[string]string{"X-Trace": "t1"},
	})
	if err != nil || !resp.Started {
		e.t.Fatalf("start %s: %v %v", id, resp, err)
	}
	return resp.RunId
}

func (e *env) pollNexus(tq string) *workflowservice.PollNexusTaskQueueResponse {
	e.t.Helper()
	poll, err := e.c.PollNexusTaskQueue(e.ctx(), &workflowservice.PollNexusTaskQueueRequest{
		Namespace: "default", TaskQueue: &taskqueuepb.TaskQueue{Name: tq}, Identity: "handler",
	})
	if err != nil || poll.GetRequest() == nil {
		e.t.Fatalf("poll nexus: %v %v", poll, err)
	}
	return poll
}

func (e *env) pollNexusOp(id string, stage enumspb.NexusOperationWaitStage) *workflowservice.PollNexusOperationExecutionResponse {
	e.t.Helper()
	resp, err := e.c.PollNexusOperationExecution(e.ctx(), &workflowservice.PollNexusOperationExecutionRequest{Namespace: "default", OperationId: id, WaitStage: stage})
	if err != nil {
		e.t.Fatalf("poll operation %s: %v", id, err)
	}
	return resp
}

func (e *env) describeNexusOp(id string) *nexuspb.NexusOperationExecutionInfo {
	e.t.Helper()
	resp, err := e.c.DescribeNexusOperationExecution(e.ctx(), &workflowservice.DescribeNexusOperationExecutionRequest{Namespace: "default", OperationId: id})
	if err != nil {
		e.t.Fatalf("describe operation %s: %v", id, err)
	}
	return resp.GetInfo()
}

func startResponse(r *nexuspb.StartOperationResponse) *nexuspb.Response {
	return &nexuspb.Response{Variant: &nexuspb.Response_StartOperation{StartOperation: r}}
}

// A standalone operation's start request goes to the endpoint's queue; a
// retryable handler error backs it off, and the next attempt's synchronous
// answer closes it.
func TestStandaloneNexusOperationRetryThenSyncResult(t *testing.T) {
	e := newEnv(t)
	e.createTestEndpoint("ep", "handler-tq")
	runID := e.startNexusOp("op1", "echo")

	poll := e.pollNexus("handler-tq")
	start := poll.GetRequest().GetStartOperation()
	if start.GetService() != "svc" || start.GetOperation() != "echo" || string(start.GetPayload().GetData()) != `"in"` ||
		start.GetRequestId() == "" || start.GetCallback() == "" || len(start.GetLinks()) != 1 || poll.GetRequest().GetHeader()["x-trace"] != "t1" {
		t.Fatalf("start request %v", poll.GetRequest())
	}
	if _, err := e.c.RespondNexusTaskFailed(e.ctx(), &workflowservice.RespondNexusTaskFailedRequest{Namespace: "default", TaskToken: poll.TaskToken,
		Error: &nexuspb.HandlerError{ErrorType: "INTERNAL", Failure: &nexuspb.Failure{Message: "try again"}}}); err != nil {
		t.Fatal(err)
	}
	info := e.describeNexusOp("op1")
	if info.GetState() != enumspb.PENDING_NEXUS_OPERATION_STATE_BACKING_OFF || info.GetAttempt() != 2 || info.GetLastAttemptFailure().GetMessage() != "try again" ||
		info.GetNextAttemptScheduleTime() == nil || info.GetRunId() != runID || info.GetNexusHeader()["x-trace"] != "t1" {
		t.Fatalf("after a failed attempt: %v", info)
	}

	poll = e.pollNexus("handler-tq") // after the backoff
	if _, err := e.c.RespondNexusTaskCompleted(e.ctx(), &workflowservice.RespondNexusTaskCompletedRequest{Namespace: "default", TaskToken: poll.TaskToken,
		Response: startResponse(&nexuspb.StartOperationResponse{Variant: &nexuspb.StartOperationResponse_SyncSuccess{SyncSuccess: &nexuspb.StartOperationResponse_Sync{
			Payload: &commonpb.Payload{Data: []byte(`"out"`)},
		}}})}); err != nil {
		t.Fatal(err)
	}
	got := e.pollNexusOp("op1", enumspb.NEXUS_OPERATION_WAIT_STAGE_CLOSED)
	if got.WaitStage != enumspb.NEXUS_OPERATION_WAIT_STAGE_CLOSED || string(got.GetResult().GetData()) != `"out"` {
		t.Fatalf("poll %v", got)
	}
	if info := e.describeNexusOp("op1"); info.GetStatus() != enumspb.NEXUS_OPERATION_EXECUTION_STATUS_COMPLETED || info.GetAttempt() != 2 || info.GetCloseTime() == nil {
		t.Fatalf("closed %v", info)
	}
	// Workflow listings do not see operations.
	if n, err := e.c.CountWorkflowExecutions(e.ctx(), &workflowservice.CountWorkflowExecutionsRequest{Namespace: "default"}); err != nil || n.Count != 0 {
		t.Fatalf("workflow count %v %v", n, err)
	}
}

// An asynchronous operation completes when the workflow its handler started,
// with the start request's callback attached, closes.
func TestStandaloneNexusOperationAsyncCallback(t *testing.T) {
	e := newEnv(t)
	e.createTestEndpoint("ep", "handler-tq")
	e.startNexusOp("op2", "run")
	poll := e.pollNexus("handler-tq")
	start := poll.GetRequest().GetStartOperation()
	e.start("handler-wf", "wf-tq", func(r *workflowservice.StartWorkflowExecutionRequest) {
		r.CompletionCallbacks = []*commonpb.Callback{{Variant: &commonpb.Callback_Nexus_{Nexus: &commonpb.Callback_Nexus{Url: start.GetCallback(), Header: start.GetCallbackHeader()}}}}
	})
	if _, err := e.c.RespondNexusTaskCompleted(e.ctx(), &workflowservice.RespondNexusTaskCompletedRequest{Namespace: "default", TaskToken: poll.TaskToken,
		Response: startResponse(&nexuspb.StartOperationResponse{Variant: &nexuspb.StartOperationResponse_AsyncSuccess{AsyncSuccess: &nexuspb.StartOperationResponse_Async{
			OperationToken: "tok",
		}}})}); err != nil {
		t.Fatal(err)
	}
	if got := e.pollNexusOp("op2", enumspb.NEXUS_OPERATION_WAIT_STAGE_STARTED); got.WaitStage != enumspb.NEXUS_OPERATION_WAIT_STAGE_STARTED || got.OperationToken != "tok" {
		t.Fatalf("poll started %v", got)
	}
	task := e.pollWFT("wf-tq")
	e.completeWFT(task.TaskToken, &commandpb.Command{CommandType: enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_CompleteWorkflowExecutionCommandAttributes{CompleteWorkflowExecutionCommandAttributes: &commandpb.CompleteWorkflowExecutionCommandAttributes{
			Result: &commonpb.Payloads{Payloads: []*commonpb.Payload{{Data: []byte(`"done"`)}}},
		}}})
	got := e.pollNexusOp("op2", enumspb.NEXUS_OPERATION_WAIT_STAGE_CLOSED)
	if got.WaitStage != enumspb.NEXUS_OPERATION_WAIT_STAGE_CLOSED || string(got.GetResult().GetData()) != `"done"` || got.OperationToken != "tok" {
		t.Fatalf("poll closed %v", got)
	}
}

// Terminating an operation whose request is with a worker makes the
// worker's answer stale; cancelling one that has not started waits for its
// start and then goes to the handler.
func TestStandaloneNexusOperationTerminateAndCancel(t *testing.T) {
	e := newEnv(t)
	e.createTestEndpoint("ep", "handler-tq")
	e.startNexusOp("op3", "echo")
	poll := e.pollNexus("handler-tq")
	if _, err := e.c.TerminateNexusOperationExecution(e.ctx(), &workflowservice.TerminateNexusOperationExecutionRequest{Namespace: "default", OperationId: "op3", Reason: "enough"}); err != nil {
		t.Fatal(err)
	}
	_, err := e.c.RespondNexusTaskCompleted(e.ctx(), &workflowservice.RespondNexusTaskCompletedRequest{Namespace: "default", TaskToken: poll.TaskToken,
		Response: startResponse(&nexuspb.StartOperationResponse{Variant: &nexuspb.StartOperationResponse_SyncSuccess{SyncSuccess: &nexuspb.StartOperationResponse_Sync{}}})})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("answer after terminate: %v", err)
	}
	got := e.pollNexusOp("op3", enumspb.NEXUS_OPERATION_WAIT_STAGE_CLOSED)
	if f := got.GetFailure(); f.GetMessage() != "enough" || f.GetTerminatedFailureInfo() == nil {
		t.Fatalf("terminated outcome %v", got)
	}

	e.startNexusOp("op4", "run")
	if _, err := e.c.RequestCancelNexusOperationExecution(e.ctx(), &workflowservice.RequestCancelNexusOperationExecutionRequest{Namespace: "default", OperationId: "op4", RequestId: "c1", Reason: "why"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.RequestCancelNexusOperationExecution(e.ctx(), &workflowservice.RequestCancelNexusOperationExecutionRequest{Namespace: "default", OperationId: "op4", RequestId: "c2"}); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("second cancel: %v", err)
	}
	poll = e.pollNexus("handler-tq")
	if poll.GetRequest().GetStartOperation() == nil {
		t.Fatalf("want the start request first, got %v", poll.GetRequest())
	}
	if _, err := e.c.RespondNexusTaskCompleted(e.ctx(), &workflowservice.RespondNexusTaskCompletedRequest{Namespace: "default", TaskToken: poll.TaskToken,
		Response: startResponse(&nexuspb.StartOperationResponse{Variant: &nexuspb.StartOperationResponse_AsyncSuccess{AsyncSuccess: &nexuspb.StartOperationResponse_Async{OperationToken: "tok4"}}})}); err != nil {
		t.Fatal(err)
	}
	poll = e.pollNexus("handler-tq")
	if c := poll.GetRequest().GetCancelOperation(); c.GetOperationToken() != "tok4" || c.GetOperation() != "run" {
		t.Fatalf("want the cancel request, got %v", poll.GetRequest())
	}
	if _, err := e.c.RespondNexusTaskCompleted(e.ctx(), &workflowservice.RespondNexusTaskCompletedRequest{Namespace: "default", TaskToken: poll.TaskToken,
		Response: &nexuspb.Response{Variant: &nexuspb.Response_CancelOperation{CancelOperation: &nexuspb.CancelOperationResponse{}}}}); err != nil {
		t.Fatal(err)
	}
	info := e.describeNexusOp("op4")
	if ci := info.GetCancellationInfo(); ci.GetState() != enumspb.NEXUS_OPERATION_CANCELLATION_STATE_SUCCEEDED || ci.GetReason() != "why" ||
		info.GetStatus() != enumspb.NEXUS_OPERATION_EXECUTION_STATUS_RUNNING {
		t.Fatalf("after the handler accepted the cancel: %v", info)
	}
}
