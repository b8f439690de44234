package compat

import (
	"context"
	"errors"
	commonpb "go.temporal.io/api/common/v1"
	"strings"
	"testing"
	"time"

	"github.com/nexus-rpc/sdk-go/nexus"

	enumspb "go.temporal.io/api/enums/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Standalone Nexus operations are started by a client (the SDK's
// NexusClient) rather than by a workflow; their handler is an official-SDK
// worker as in nexus_test.go. Temporal v1.32.0 ships them disabled
// (nexusoperation.enableStandalone=false); Sundial has them on.

func (fx nexusFixture) nexusClient(t *testing.T) client.NexusClient {
	t.Helper()
	nc, err := fx.caller.NewNexusClient(client.NexusClientOptions{Endpoint: fx.endpoint, Service: nexusService})
	if err != nil {
		t.Fatal(err)
	}
	return nc
}

func describeNexusOp(t *testing.T, ctx context.Context, h client.NexusOperationHandle) *client.NexusOperationExecutionDescription {
	t.Helper()
	d, err := h.Describe(ctx, client.DescribeNexusOperationOptions{})
	if err != nil {
		t.Fatalf("describing %s: %v", h.GetID(), err)
	}
	return d
}

// pollStarted waits until the operation has started (or closed) and returns
// its operation token.
func pollStarted(t *testing.T, ctx context.Context, raw workflowservice.WorkflowServiceClient, ns, id, runID string) string {
	t.Helper()
	for ctx.Err() == nil {
		resp, err := raw.PollNexusOperationExecution(ctx, &workflowservice.PollNexusOperationExecutionRequest{
			Namespace: ns, OperationId: id, RunId: runID, WaitStage: enumspb.NEXUS_OPERATION_WAIT_STAGE_STARTED,
		})
		if err != nil {
			t.Fatalf("polling for the start of %s: %v", id, err)
		}
		if resp.WaitStage != enumspb.NEXUS_OPERATION_WAIT_STAGE_UNSPECIFIED {
			return resp.OperationToken
		}
	}
	t.Fatalf("%s did not start", id)
	return ""
}

func TestStandaloneNexusOperationSync(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)
	nc := fx.nexusClient(t)

	id := uniqueName(t, "sync")
	h, err := nc.ExecuteOperation(ctx, "echo", "hi", client.StartNexusOperationOptions{ID: id, ScheduleToCloseTimeout: 30 * time.Second, Summary: "a sync call"})
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if err := h.Get(ctx, &out); err != nil || out != "echo hi" {
		t.Fatalf("Get = %q, %v", out, err)
	}
	d := describeNexusOp(t, ctx, h)
	if d.Status != enumspb.NEXUS_OPERATION_EXECUTION_STATUS_COMPLETED || d.Endpoint != fx.endpoint || d.Service != nexusService || d.Operation != "echo" || d.Attempt != 1 {
		t.Fatalf("described %+v", d.ClientNexusOperationMetadata)
	}
	if d.RawInfo.GetCloseTime() == nil || d.RawInfo.GetRequestId() == "" || d.OperationToken != "" {
		t.Fatalf("info %v", d.RawInfo)
	}

	failing := uniqueName(t, "syncfail")
	h, err = nc.ExecuteOperation(ctx, "echo", "fail", client.StartNexusOperationOptions{ID: failing, ScheduleToCloseTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = h.Get(ctx, &out)
	if err == nil || !strings.Contains(err.Error(), "the handler refused") {
		t.Fatalf("Get of a failing operation = %v", err)
	}
	if d := describeNexusOp(t, ctx, h); d.Status != enumspb.NEXUS_OPERATION_EXECUTION_STATUS_FAILED {
		t.Fatalf("status %v", d.Status)
	}
}

func TestStandaloneNexusOperationAsyncWorkflow(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)
	raw := dialRaw(t, tg)
	nc := fx.nexusClient(t)

	id := uniqueName(t, "async")
	in := uniqueName(t, "in")
	h, err := nc.ExecuteOperation(ctx, "run", in, client.StartNexusOperationOptions{ID: id, ScheduleToCloseTimeout: 50 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	token := pollStarted(t, ctx, raw, tg.Namespace, id, h.GetRunID())
	if token == "" {
		t.Fatal("the started operation has no token")
	}
	first, err := raw.DescribeNexusOperationExecution(ctx, &workflowservice.DescribeNexusOperationExecutionRequest{
		Namespace: tg.Namespace, OperationId: id, RunId: h.GetRunID(), IncludeInput: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	info := first.GetInfo()
	if info.GetStatus() != enumspb.NEXUS_OPERATION_EXECUTION_STATUS_RUNNING || info.GetState() != enumspb.PENDING_NEXUS_OPERATION_STATE_STARTED ||
		info.GetOperationToken() != token || first.GetInput() == nil || len(info.GetLinks()) == 0 || len(first.GetLongPollToken()) == 0 {
		t.Fatalf("describe of the started operation: %v", first)
	}

	// A Describe long poll waits for the next change: the completion.
	changed := make(chan *workflowservice.DescribeNexusOperationExecutionResponse, 1)
	go func() {
		resp, err := raw.DescribeNexusOperationExecution(ctx, &workflowservice.DescribeNexusOperationExecutionRequest{
			Namespace: tg.Namespace, OperationId: id, RunId: h.GetRunID(), LongPollToken: first.GetLongPollToken(), IncludeOutcome: true,
		})
		if err != nil {
			t.Errorf("long-polling describe: %v", err)
		}
		changed <- resp
	}()
	if err := fx.handler.SignalWorkflow(ctx, "handler-"+in, "", "finish", "!"); err != nil {
		t.Fatal(err)
	}
	var out string
	if err := h.Get(ctx, &out); err != nil || out != "handled "+in+"!" {
		t.Fatalf("Get = %q, %v", out, err)
	}
	resp := <-changed
	if resp.GetInfo() == nil {
		t.Fatal("the describe long poll ended without a change")
	}
	// The long poll may have seen an intermediate state; the final one is closed.
	final, err := raw.DescribeNexusOperationExecution(ctx, &workflowservice.DescribeNexusOperationExecutionRequest{
		Namespace: tg.Namespace, OperationId: id, IncludeOutcome: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if final.GetInfo().GetStatus() != enumspb.NEXUS_OPERATION_EXECUTION_STATUS_COMPLETED || final.GetResult() == nil {
		t.Fatalf("final describe %v", final)
	}
}

func TestStandaloneNexusOperationCancelTerminateDelete(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)
	raw := dialRaw(t, tg)
	nc := fx.nexusClient(t)

	// Cancel: the request reaches the handler, which cancels its workflow.
	id := uniqueName(t, "cancel")
	h, err := nc.ExecuteOperation(ctx, "sleepy", uniqueName(t, "c"), client.StartNexusOperationOptions{ID: id, ScheduleToCloseTimeout: 50 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	pollStarted(t, ctx, raw, tg.Namespace, id, h.GetRunID())
	if err := h.Cancel(ctx, client.CancelNexusOperationOptions{Reason: "no longer needed"}); err != nil {
		t.Fatal(err)
	}
	var out string
	err = h.Get(ctx, &out)
	var canceled *temporal.CanceledError
	if !errors.As(err, &canceled) {
		t.Fatalf("Get of a canceled operation = %v", err)
	}
	d := describeNexusOp(t, ctx, h)
	if d.Status != enumspb.NEXUS_OPERATION_EXECUTION_STATUS_CANCELED || d.CancellationInfo == nil || d.CancellationInfo.Reason != "no longer needed" ||
		d.CancellationInfo.State != enumspb.NEXUS_OPERATION_CANCELLATION_STATE_SUCCEEDED {
		t.Fatalf("described %v", d.RawInfo)
	}
	_, err = raw.RequestCancelNexusOperationExecution(ctx, &workflowservice.RequestCancelNexusOperationExecutionRequest{Namespace: tg.Namespace, OperationId: id, RequestId: "other"})
	var pre *serviceerror.FailedPrecondition
	if !errors.As(rawError(err), &pre) || pre.Message != "operation already completed" {
		t.Fatalf("cancel of a closed operation: %v", err)
	}

	// Terminate: at once, without the handler.
	id = uniqueName(t, "terminate")
	h, err = nc.ExecuteOperation(ctx, "sleepy", uniqueName(t, "t"), client.StartNexusOperationOptions{ID: id, ScheduleToCloseTimeout: 50 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	pollStarted(t, ctx, raw, tg.Namespace, id, h.GetRunID())
	if _, err := raw.TerminateNexusOperationExecution(ctx, &workflowservice.TerminateNexusOperationExecutionRequest{
		Namespace: tg.Namespace, OperationId: id, Reason: "stop", RequestId: "t1",
	}); err != nil {
		t.Fatal(err)
	}
	// A retried request is accepted; another one is refused.
	if _, err := raw.TerminateNexusOperationExecution(ctx, &workflowservice.TerminateNexusOperationExecutionRequest{Namespace: tg.Namespace, OperationId: id, RequestId: "t1"}); err != nil {
		t.Fatalf("retried terminate: %v", err)
	}
	_, err = raw.TerminateNexusOperationExecution(ctx, &workflowservice.TerminateNexusOperationExecutionRequest{Namespace: tg.Namespace, OperationId: id, RequestId: "t2"})
	if !errors.As(rawError(err), &pre) || pre.Message != "already terminated with request ID t1" {
		t.Fatalf("second terminate: %v", err)
	}
	var terminated *temporal.TerminatedError
	if err := h.Get(ctx, &out); !errors.As(err, &terminated) {
		t.Fatalf("Get of a terminated operation = %v", err)
	}
	if d := describeNexusOp(t, ctx, h); d.Status != enumspb.NEXUS_OPERATION_EXECUTION_STATUS_TERMINATED {
		t.Fatalf("status %v", d.Status)
	}

	// Delete: the operation is gone.
	if _, err := raw.DeleteNexusOperationExecution(ctx, &workflowservice.DeleteNexusOperationExecutionRequest{Namespace: tg.Namespace, OperationId: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Describe(ctx, client.DescribeNexusOperationOptions{}); !isNotFound(err) {
		t.Fatalf("describe after delete: %v", err)
	}
}

func TestStandaloneNexusOperationTimeout(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)
	nc := fx.nexusClient(t)
	h, err := nc.ExecuteOperation(ctx, "sleepy", uniqueName(t, "to"), client.StartNexusOperationOptions{ID: uniqueName(t, "timeout"), ScheduleToCloseTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var out string
	err = h.Get(ctx, &out)
	var timeout *temporal.TimeoutError
	if !errors.As(err, &timeout) || timeout.TimeoutType() != enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE {
		t.Fatalf("Get = %v", err)
	}
	if d := describeNexusOp(t, ctx, h); d.Status != enumspb.NEXUS_OPERATION_EXECUTION_STATUS_TIMED_OUT {
		t.Fatalf("status %v", d.Status)
	}
}

func TestStandaloneNexusOperationListCount(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)
	nc := fx.nexusClient(t)
	prefix := uniqueName(t, "list")
	for i, in := range []string{"a", "b", "fail"} {
		h, err := nc.ExecuteOperation(ctx, "echo", in, client.StartNexusOperationOptions{ID: prefix + "-" + string(rune('0'+i)), ScheduleToCloseTimeout: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		_ = h.Get(ctx, new(string))
	}
	query := "Endpoint = '" + fx.endpoint + "' AND Service = '" + nexusService + "' AND Operation = 'echo' AND OperationId STARTS_WITH '" + prefix + "'"
	eventually(t, 20*time.Second, "the operations to be listed", func() bool {
		res, err := fx.caller.ListNexusOperations(ctx, client.ListNexusOperationsOptions{Query: query + " AND ExecutionStatus = 'Completed'"})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for op, err := range res.Results {
			if err != nil {
				t.Fatal(err)
			}
			if op.Endpoint != fx.endpoint || op.Service != nexusService || op.Status != enumspb.NEXUS_OPERATION_EXECUTION_STATUS_COMPLETED || op.CloseTime.IsZero() {
				t.Fatalf("listed %+v", op)
			}
			n++
		}
		return n == 2
	})
	count, err := fx.caller.CountNexusOperations(ctx, client.CountNexusOperationsOptions{Query: query + " GROUP BY ExecutionStatus"})
	if err != nil {
		t.Fatal(err)
	}
	if count.Count != 3 || len(count.Groups) != 2 {
		t.Fatalf("count %+v", count)
	}
	d := describeNexusOp(t, ctx, fx.caller.GetNexusOperationHandle(client.GetNexusOperationHandleOptions{OperationID: prefix + "-0"}))
	byRequest, err := fx.caller.CountNexusOperations(ctx, client.CountNexusOperationsOptions{Query: "RequestId = '" + d.RawInfo.GetRequestId() + "'"})
	if err != nil || byRequest.Count != 1 {
		t.Fatalf("count by request id %q = %+v, %v", d.RawInfo.GetRequestId(), byRequest, err)
	}
	other, err := fx.caller.CountNexusOperations(ctx, client.CountNexusOperationsOptions{Query: "Service = 'other'"})
	if err != nil || other.Count != 0 {
		t.Fatalf("count of another service = %+v, %v", other, err)
	}
	// Workflow listings do not see operations.
	wf, err := fx.caller.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: "WorkflowId STARTS_WITH '" + prefix + "'"})
	if err != nil || wf.Count != 0 {
		t.Fatalf("workflow count = %v, %v", wf, err)
	}
}

func TestStandaloneNexusOperationIDPoliciesAndValidation(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)
	raw := dialRaw(t, tg)
	start := func(mut func(*workflowservice.StartNexusOperationExecutionRequest)) (*workflowservice.StartNexusOperationExecutionResponse, error) {
		req := &workflowservice.StartNexusOperationExecutionRequest{
			Namespace: tg.Namespace, OperationId: "policy", Endpoint: fx.endpoint, Service: nexusService, Operation: "sleepy",
			RequestId: "r1", ScheduleToCloseTimeout: durationpb.New(40 * time.Second),
		}
		mut(req)
		resp, err := raw.StartNexusOperationExecution(ctx, req)
		return resp, rawError(err)
	}
	ns, err := raw.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: tg.Namespace})
	if err != nil || !ns.GetNamespaceInfo().GetCapabilities().GetStandaloneNexusOperation() {
		t.Errorf("DescribeNamespace standalone_nexus_operation = %v, %v; want true", ns.GetNamespaceInfo().GetCapabilities().GetStandaloneNexusOperation(), err)
	}
	first, err := start(func(*workflowservice.StartNexusOperationExecutionRequest) {})
	if err != nil || !first.Started {
		t.Fatalf("start = %v, %v", first, err)
	}
	if again, err := start(func(*workflowservice.StartNexusOperationExecutionRequest) {}); err != nil || again.RunId != first.RunId {
		t.Fatalf("a retried start = %v, %v", again, err)
	}
	_, err = start(func(r *workflowservice.StartNexusOperationExecutionRequest) { r.RequestId = "r2" })
	var already *serviceerror.NexusOperationExecutionAlreadyStarted
	if !errors.As(err, &already) || already.RunId != first.RunId {
		t.Fatalf("a second start = %v", err)
	}
	existing, err := start(func(r *workflowservice.StartNexusOperationExecutionRequest) {
		r.RequestId = "r3"
		r.IdConflictPolicy = enumspb.NEXUS_OPERATION_ID_CONFLICT_POLICY_USE_EXISTING
	})
	if err != nil || existing.Started || existing.RunId != first.RunId {
		t.Fatalf("USE_EXISTING = %v, %v", existing, err)
	}
	if _, err := raw.TerminateNexusOperationExecution(ctx, &workflowservice.TerminateNexusOperationExecutionRequest{Namespace: tg.Namespace, OperationId: "policy"}); err != nil {
		t.Fatal(err)
	}
	_, err = start(func(r *workflowservice.StartNexusOperationExecutionRequest) {
		r.RequestId = "r4"
		r.IdReusePolicy = enumspb.NEXUS_OPERATION_ID_REUSE_POLICY_REJECT_DUPLICATE
	})
	if !errors.As(err, &already) {
		t.Fatalf("REJECT_DUPLICATE = %v", err)
	}
	second, err := start(func(r *workflowservice.StartNexusOperationExecutionRequest) {
		r.RequestId = "r5"
		r.IdReusePolicy = enumspb.NEXUS_OPERATION_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY
		// Its own handler workflow: the terminated first run's is still
		// sleeping under the id the empty input gives, and a second start of
		// that id would fail this operation before the cancel requests below.
		r.Input = &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"second"`)}
	})
	if err != nil || !second.Started || second.RunId == first.RunId {
		t.Fatalf("ALLOW_DUPLICATE_FAILED_ONLY after a termination = %v, %v", second, err)
	}

	// Cancellation requests, deduplicated by request id, before the start.
	cancelReq := func(requestID string) error {
		_, err := raw.RequestCancelNexusOperationExecution(ctx, &workflowservice.RequestCancelNexusOperationExecutionRequest{
			Namespace: tg.Namespace, OperationId: "policy", RequestId: requestID, Reason: "stop it",
		})
		return rawError(err)
	}
	if err := cancelReq("c1"); err != nil {
		t.Fatal(err)
	}
	if err := cancelReq("c1"); err != nil {
		t.Fatalf("a retried cancel: %v", err)
	}
	var pre *serviceerror.FailedPrecondition
	if err := cancelReq("c2"); !errors.As(err, &pre) || pre.Message != "cancellation already requested with request ID c1" {
		t.Fatalf("a second cancel: %v", err)
	}
	described, err := raw.DescribeNexusOperationExecution(ctx, &workflowservice.DescribeNexusOperationExecutionRequest{Namespace: tg.Namespace, OperationId: "policy"})
	if err != nil || described.GetInfo().GetCancellationInfo().GetReason() != "stop it" || described.GetInfo().GetRunId() != second.RunId {
		t.Fatalf("describe after the cancel request: %v, %v", described, err)
	}
	if _, err := raw.TerminateNexusOperationExecution(ctx, &workflowservice.TerminateNexusOperationExecutionRequest{Namespace: tg.Namespace, OperationId: "policy", RequestId: "t1"}); err != nil {
		t.Fatal(err)
	}
	if err := cancelReq("c3"); !errors.As(err, &pre) || pre.Message != "operation already completed" {
		t.Fatalf("a cancel after the close: %v", err)
	}

	for _, c := range []struct {
		mut  func(*workflowservice.StartNexusOperationExecutionRequest)
		want string
	}{
		{func(r *workflowservice.StartNexusOperationExecutionRequest) { r.OperationId = "" }, "operation_id is required"},
		{func(r *workflowservice.StartNexusOperationExecutionRequest) { r.Endpoint = "" }, "endpoint is required"},
		{func(r *workflowservice.StartNexusOperationExecutionRequest) { r.Service = "" }, "service is required"},
		{func(r *workflowservice.StartNexusOperationExecutionRequest) { r.Operation = "" }, "operation is required"},
		{func(r *workflowservice.StartNexusOperationExecutionRequest) { r.Service = strings.Repeat("s", 1001) }, "service exceeds length limit. Length=1001 Limit=1000"},
		{func(r *workflowservice.StartNexusOperationExecutionRequest) {
			r.OperationId = strings.Repeat("o", 1001)
		}, "operation_id exceeds length limit. Length=1001 Limit=1000"},
		{func(r *workflowservice.StartNexusOperationExecutionRequest) {
			r.ScheduleToCloseTimeout = &durationpb.Duration{Seconds: -1}
		}, "schedule_to_close_timeout is invalid"},
		{func(r *workflowservice.StartNexusOperationExecutionRequest) {
			r.NexusHeader = map[string]string{"Request-Timeout": "1s"}
		}, `nexus_header contains a disallowed key: "Request-Timeout"`},
	} {
		_, err := start(func(r *workflowservice.StartNexusOperationExecutionRequest) {
			r.RequestId = "v"
			r.OperationId = "v"
			c.mut(r)
		})
		var inv *serviceerror.InvalidArgument
		if !errors.As(err, &inv) || !strings.HasPrefix(inv.Message, c.want) {
			t.Errorf("want InvalidArgument %q, got %v", c.want, err)
		}
	}
	_, err = start(func(r *workflowservice.StartNexusOperationExecutionRequest) {
		r.OperationId = "nf"
		r.Endpoint = "no-such-endpoint"
	})
	if !isNotFound(err) {
		t.Errorf("an unknown endpoint: %v", err)
	}
	_, err = raw.PollNexusOperationExecution(ctx, &workflowservice.PollNexusOperationExecutionRequest{Namespace: tg.Namespace, OperationId: "policy", WaitStage: 7})
	var inv *serviceerror.InvalidArgument
	if !errors.As(rawError(err), &inv) || !strings.HasPrefix(inv.Message, "unsupported wait_stage") {
		t.Errorf("a bad wait stage: %v", err)
	}
	_, err = raw.DescribeNexusOperationExecution(ctx, &workflowservice.DescribeNexusOperationExecutionRequest{Namespace: tg.Namespace, OperationId: "policy", LongPollToken: []byte("x")})
	if !errors.As(rawError(err), &inv) || inv.Message != "run_id is required when long_poll_token is provided" {
		t.Errorf("a long poll token without a run id: %v", err)
	}
	_, err = raw.DescribeNexusOperationExecution(ctx, &workflowservice.DescribeNexusOperationExecutionRequest{Namespace: tg.Namespace, OperationId: "missing"})
	var nf *serviceerror.NotFound
	if !errors.As(rawError(err), &nf) || nf.Message != "operation not found for ID: missing" {
		t.Errorf("describe of a missing operation: %v", err)
	}
}

// A standalone operation survives a restart of Sundial: started before any
// handler worker polls, it completes once one does after the restart.
func TestStandaloneNexusOperationSurvivesRestart(t *testing.T) {
	// Sundial's own server, whatever COMPAT_TARGET says: the test restarts it.
	start := restartableSundial(t)
	srv, tg := start()
	ctx := testContext(t, 60*time.Second)
	c := dial(t, tg)
	handlerNS := "nx-restart"
	if _, err := c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: handlerNS, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	handlerQueue, endpoint := uniqueName(t, "handler"), "ep-restart"
	if _, err := c.OperatorService().CreateNexusEndpoint(ctx, &operatorservice.CreateNexusEndpointRequest{Spec: &nexuspb.EndpointSpec{
		Name: endpoint,
		Target: &nexuspb.EndpointTarget{Variant: &nexuspb.EndpointTarget_Worker_{Worker: &nexuspb.EndpointTarget_Worker{
			Namespace: handlerNS, TaskQueue: handlerQueue,
		}}},
	}}); err != nil {
		t.Fatal(err)
	}
	nc, err := c.NewNexusClient(client.NexusClientOptions{Endpoint: endpoint, Service: nexusService})
	if err != nil {
		t.Fatal(err)
	}
	id := uniqueName(t, "restart")
	h, err := nc.ExecuteOperation(ctx, "echo", "again", client.StartNexusOperationOptions{ID: id, ScheduleToCloseTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	srv, tg = start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
	})
	c = dial(t, tg)
	d, err := c.GetNexusOperationHandle(client.GetNexusOperationHandleOptions{OperationID: id, RunID: h.GetRunID()}).Describe(ctx, client.DescribeNexusOperationOptions{})
	if err != nil || d.Status != enumspb.NEXUS_OPERATION_EXECUTION_STATUS_RUNNING {
		t.Fatalf("after the restart: %v, %v", d, err)
	}
	startEchoHandler(t, dial(t, target{HostPort: tg.HostPort, Namespace: handlerNS}), handlerQueue)
	var out string
	if err := c.GetNexusOperationHandle(client.GetNexusOperationHandleOptions{OperationID: id, RunID: h.GetRunID()}).Get(ctx, &out); err != nil || out != "echo again" {
		t.Fatalf("Get = %q, %v", out, err)
	}
}

// startEchoHandler runs a worker of the "echo" operation alone.
func startEchoHandler(t *testing.T, c client.Client, queue string) {
	t.Helper()
	svc := nexus.NewService(nexusService)
	echo := nexus.NewSyncOperation("echo", func(ctx context.Context, in string, _ nexus.StartOperationOptions) (string, error) {
		return "echo " + in, nil
	})
	if err := svc.Register(echo); err != nil {
		t.Fatal(err)
	}
	startWorker(t, c, queue, func(r worker.Registry) { r.RegisterNexusService(svc) })
}
