package nexusop

import (
	"context"
	"encoding/base64"
	"log/slog"
	"testing"

	"github.com/nexus-rpc/sdk-go/nexus"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/fakeserver"
	"github.com/sundialdev/sundial/internal/sdk/nexusrt"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/workflowservice/v1"
)

func TestWorkflowRunTokenHasTemporalsFormat(t *testing.T) {
	token, err := encodeWorkflowRunToken("billing", "charge-7")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || string(raw) != `{"t":1,"ns":"billing","wid":"charge-7"}` {
		t.Fatalf("token %q decodes to %s (%v)", token, raw, err)
	}
	got, err := decodeWorkflowRunToken(token)
	if err != nil || got.Namespace != "billing" || got.WorkflowID != "charge-7" {
		t.Fatalf("decoded %+v, %v", got, err)
	}
	for _, bad := range []string{"", "!!", base64.RawURLEncoding.EncodeToString([]byte(`{"t":2,"ns":"a","wid":"b"}`)),
		base64.RawURLEncoding.EncodeToString([]byte(`{"v":1,"t":1,"ns":"a","wid":"b"}`)),
		base64.RawURLEncoding.EncodeToString([]byte(`{"t":1,"wid":"b"}`)),
		base64.RawURLEncoding.EncodeToString([]byte(`{"t":1,"ns":"a"}`))} {
		if _, err := decodeWorkflowRunToken(bad); err == nil {
			t.Errorf("token %q accepted", bad)
		}
	}
}

func TestOutsideAHandlerContext(t *testing.T) {
	ctx := context.Background()
	if InHandler(ctx) || Client(ctx) != nil || Info(ctx) != (OperationInfo{}) || Logger(ctx) == nil {
		t.Fatal("a plain context looks like a handler's")
	}
	op := NewSync("op", func(ctx context.Context, c *client.Client, in string, _ nexus.StartOperationOptions) (string, error) {
		return in, nil
	})
	if _, err := op.Start(ctx, "x", nexus.StartOperationOptions{}); err == nil {
		t.Fatal("a sync operation ran without Sundial's worker")
	}
}

// Charge is the handler workflow of the tests.
func Charge(ctx workflow.Context, order string) (string, error) { return "charged " + order, nil }

// handlerFor runs tasks for svc with a client connected to srv.
func handlerFor(t *testing.T, srv *fakeserver.Server, svc *nexus.Service) *nexusrt.TaskHandler {
	t.Helper()
	c, err := client.Dial(context.Background(), client.Options{HostPort: srv.Addr(), Namespace: "handler-ns", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	reg := nexus.NewServiceRegistry()
	reg.MustRegister(svc)
	h, err := reg.NewHandler()
	if err != nil {
		t.Fatal(err)
	}
	return nexusrt.NewTaskHandler(nexusrt.TaskHandlerOptions{Handler: h, Client: c, Namespace: "handler-ns", TaskQueue: "handler-q", Identity: "me",
		DataConverter: c.DataConverter(), FailureConverter: c.FailureConverter(), Logger: slog.New(slog.DiscardHandler)})
}

func TestWorkflowRunStartsTheWorkflowWithCallbackAndLinks(t *testing.T) {
	srv, err := fakeserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	svc := nexus.NewService("billing")
	var seen OperationInfo
	svc.MustRegister(NewWorkflowRun("charge", workflow.Define(Charge), func(ctx context.Context, in string, opts nexus.StartOperationOptions) (client.StartWorkflowOptions, error) {
		seen = Info(ctx)
		return client.StartWorkflowOptions{ID: "charge-" + in}, nil
	}))
	h := handlerFor(t, srv, svc)
	payload, _ := converter.GetDefaultDataConverter().ToPayload("o1")
	callerLink := "temporal:///namespaces/caller-ns/workflows/caller-wf/run-1/history?eventID=5&eventType=NexusOperationScheduled&referenceType=EventReference"
	ans, err := h.Execute(context.Background(), &workflowservice.PollNexusTaskQueueResponse{TaskToken: []byte("tt"), Request: &nexuspb.Request{
		Endpoint:     "ep",
		Capabilities: &nexuspb.Request_Capabilities{TemporalFailureResponses: true},
		Variant: &nexuspb.Request_StartOperation{StartOperation: &nexuspb.StartOperationRequest{
			Service: "billing", Operation: "charge", RequestId: "req-9", Callback: "temporal://system", Payload: payload,
			CallbackHeader: map[string]string{"Temporal-Callback-Token": "cb"},
			Links: []*nexuspb.Link{{Url: callerLink, Type: "temporal.api.common.v1.Link.WorkflowEvent"},
				{Url: "https://example.com/x", Type: "someone.else.Link"}},
		}},
	}})
	if err != nil || ans.Completed == nil {
		t.Fatalf("answer %+v, %v", ans, err)
	}
	if seen.Namespace != "handler-ns" || seen.TaskQueue != "handler-q" || seen.Endpoint != "ep" || seen.Service != "billing" || seen.Operation != "charge" {
		t.Fatalf("operation info %+v", seen)
	}
	async := ans.Completed.GetResponse().GetStartOperation().GetAsyncSuccess()
	token, err := decodeWorkflowRunToken(async.GetOperationToken())
	if err != nil || token.Namespace != "handler-ns" || token.WorkflowID != "charge-o1" {
		t.Fatalf("operation token %q: %+v, %v", async.GetOperationToken(), token, err)
	}
	if len(async.GetLinks()) != 1 || async.GetLinks()[0].GetType() != "temporal.api.common.v1.Link.WorkflowEvent" {
		t.Fatalf("answer links %v", async.GetLinks())
	}

	req, ok := srv.StartedWorkflow("charge-o1")
	if !ok {
		t.Fatal("the workflow was not started")
	}
	if req.GetWorkflowType().GetName() != "Charge" || req.GetTaskQueue().GetName() != "handler-q" || req.GetRequestId() != "req-9" {
		t.Fatalf("start request %v", req)
	}
	cbs := req.GetCompletionCallbacks()
	if len(cbs) != 1 || cbs[0].GetNexus().GetUrl() != "temporal://system" {
		t.Fatalf("callbacks %v", cbs)
	}
	hdr := cbs[0].GetNexus().GetHeader()
	if hdr["temporal-callback-token"] != "cb" || hdr["nexus-operation-token"] != async.GetOperationToken() {
		t.Fatalf("callback header %v", hdr)
	}
	links := req.GetLinks()
	if len(links) != 1 || links[0].GetWorkflowEvent().GetWorkflowId() != "caller-wf" ||
		links[0].GetWorkflowEvent().GetEventRef().GetEventType() != enumspb.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED {
		t.Fatalf("start links %v", links)
	}
	if len(cbs[0].GetLinks()) != 1 {
		t.Fatalf("callback links %v", cbs[0].GetLinks())
	}
	if oc := req.GetOnConflictOptions(); !oc.GetAttachRequestId() || !oc.GetAttachCompletionCallbacks() || !oc.GetAttachLinks() {
		t.Fatalf("on-conflict options %v", oc)
	}

	// A token that is not a workflow run's is a bad request.
	ans, err = h.Execute(context.Background(), &workflowservice.PollNexusTaskQueueResponse{TaskToken: []byte("tt"), Request: &nexuspb.Request{
		Capabilities: &nexuspb.Request_Capabilities{TemporalFailureResponses: true},
		Variant:      &nexuspb.Request_CancelOperation{CancelOperation: &nexuspb.CancelOperationRequest{Service: "billing", Operation: "charge", OperationToken: "junk"}},
	}})
	if err != nil || ans.Failed.GetFailure().GetNexusHandlerFailureInfo().GetType() != "BAD_REQUEST" {
		t.Fatalf("cancel with a bad token: %+v, %v", ans, err)
	}
}

type chargeRequest struct {
	Order  string
	Amount int
}

// ChargeRequest is a handler workflow whose input is not the operation's.
func ChargeRequest(ctx workflow.Context, req chargeRequest) (string, error) {
	return "charged " + req.Order, nil
}

func TestWorkflowRunFuncStartsAWorkflowOfOtherInput(t *testing.T) {
	srv, err := fakeserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	svc := nexus.NewService("billing")
	svc.MustRegister(
		NewWorkflowRunFunc("charge", func(ctx context.Context, order string, opts nexus.StartOperationOptions) (WorkflowHandle[string], error) {
			return StartWorkflow(ctx, opts, client.StartWorkflowOptions{ID: "charge-" + order, TaskQueue: "billing-q"},
				workflow.Define(ChargeRequest), chargeRequest{Order: order, Amount: 12})
		}),
		NewWorkflowRunFunc("forged", func(ctx context.Context, order string, opts nexus.StartOperationOptions) (WorkflowHandle[string], error) {
			return WorkflowHandle[string]{ID: "x"}, nil
		}),
	)
	h := handlerFor(t, srv, svc)
	startTask := func(op string) *workflowservice.PollNexusTaskQueueResponse {
		payload, _ := converter.GetDefaultDataConverter().ToPayload("o2")
		return &workflowservice.PollNexusTaskQueueResponse{TaskToken: []byte("tt"), Request: &nexuspb.Request{
			Capabilities: &nexuspb.Request_Capabilities{TemporalFailureResponses: true},
			Variant: &nexuspb.Request_StartOperation{StartOperation: &nexuspb.StartOperationRequest{
				Service: "billing", Operation: op, RequestId: "req-2", Payload: payload,
			}},
		}}
	}
	ans, err := h.Execute(context.Background(), startTask("charge"))
	if err != nil || ans.Completed == nil {
		t.Fatalf("answer %+v, %v", ans, err)
	}
	token, err := decodeWorkflowRunToken(ans.Completed.GetResponse().GetStartOperation().GetAsyncSuccess().GetOperationToken())
	if err != nil || token.WorkflowID != "charge-o2" {
		t.Fatalf("token %+v, %v", token, err)
	}
	req, ok := srv.StartedWorkflow("charge-o2")
	if !ok || req.GetWorkflowType().GetName() != "ChargeRequest" || req.GetTaskQueue().GetName() != "billing-q" || req.GetRequestId() != "req-2" {
		t.Fatalf("start request %v", req)
	}
	var in chargeRequest
	if err := converter.GetDefaultDataConverter().FromPayload(req.GetInput().GetPayloads()[0], &in); err != nil || in != (chargeRequest{Order: "o2", Amount: 12}) {
		t.Fatalf("workflow input %+v, %v", in, err)
	}
	if len(req.GetCompletionCallbacks()) != 0 {
		t.Fatalf("callbacks %v without a callback URL", req.GetCompletionCallbacks())
	}

	ans, err = h.Execute(context.Background(), startTask("forged"))
	if err != nil || ans.Failed.GetFailure().GetNexusHandlerFailureInfo().GetType() != "INTERNAL" {
		t.Fatalf("a handle not made by StartWorkflow: %+v, %v", ans, err)
	}
	if _, err := StartWorkflow(context.Background(), nexus.StartOperationOptions{}, client.StartWorkflowOptions{ID: "x"}, workflow.Define(ChargeRequest), chargeRequest{}); err == nil {
		t.Fatal("StartWorkflow ran outside a handler")
	}
}
