package client_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/operatorservice/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/server"
)

// startSundialWithEndpoint runs an in-memory Sundial server with a Nexus
// endpoint "ep" whose target is the default namespace's queue "handler-tq",
// and dials it.
func startSundialWithEndpoint(t *testing.T) *client.Client {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.New(server.Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:", Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Stop(stopCtx)
	})
	conn, err := grpc.NewClient(srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = operatorservice.NewOperatorServiceClient(conn).CreateNexusEndpoint(ctx, &operatorservice.CreateNexusEndpointRequest{Spec: &nexuspb.EndpointSpec{
		Name: "ep",
		Target: &nexuspb.EndpointTarget{Variant: &nexuspb.EndpointTarget_Worker_{Worker: &nexuspb.EndpointTarget_Worker{
			Namespace: "default", TaskQueue: "handler-tq",
		}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(ctx, client.Options{HostPort: srv.Addr(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// answerNexus takes one Nexus request of "handler-tq" and answers it with
// answer, as a handler worker would.
func answerNexus(t *testing.T, c *client.Client, answer func(*nexuspb.Request) *nexuspb.Response) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	poll, err := c.WorkflowService().PollNexusTaskQueue(ctx, &workflowservice.PollNexusTaskQueueRequest{
		Namespace: c.Namespace(), TaskQueue: &taskqueuepb.TaskQueue{Name: "handler-tq"}, Identity: "e2e-handler",
	})
	if err != nil || poll.GetRequest() == nil {
		t.Fatalf("polling the Nexus queue: %v %v", poll, err)
	}
	if _, err := c.WorkflowService().RespondNexusTaskCompleted(ctx, &workflowservice.RespondNexusTaskCompletedRequest{
		Namespace: c.Namespace(), TaskToken: poll.TaskToken, Response: answer(poll.GetRequest()),
	}); err != nil {
		t.Fatalf("answering the Nexus request: %v", err)
	}
}

type shopOrder struct{ Item string }

func TestStandaloneNexusOperationTypedClient(t *testing.T) {
	c := startSundialWithEndpoint(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts := client.StartNexusOperationOptions{ID: "order-1", Endpoint: "ep", Service: "shop", ScheduleToCloseTimeout: time.Minute, Summary: "an order", Header: map[string]string{"X-Trace": "t"}}
	h, err := client.StartNexusOperation[shopOrder, string](ctx, c, opts, "buy", shopOrder{Item: "tea"})
	if err != nil {
		t.Fatal(err)
	}
	answerNexus(t, c, func(r *nexuspb.Request) *nexuspb.Response {
		start := r.GetStartOperation()
		if start.GetOperation() != "buy" || string(start.GetPayload().GetData()) != `{"Item":"tea"}` || r.GetHeader()["x-trace"] != "t" {
			t.Errorf("start request %v", r)
		}
		return &nexuspb.Response{Variant: &nexuspb.Response_StartOperation{StartOperation: &nexuspb.StartOperationResponse{
			Variant: &nexuspb.StartOperationResponse_SyncSuccess{SyncSuccess: &nexuspb.StartOperationResponse_Sync{
				Payload: &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"bought tea"`)},
			}},
		}}}
	})
	out, err := h.Result(ctx)
	if err != nil || out != "bought tea" {
		t.Fatalf("Result = %q, %v", out, err)
	}
	d, err := h.Describe(ctx)
	if err != nil || d.GetStatus() != enumspb.NEXUS_OPERATION_EXECUTION_STATUS_COMPLETED || d.Result == nil || d.Input == nil {
		t.Fatalf("Describe = %v, %v", d, err)
	}
	n, err := c.CountNexusOperations(ctx, "Endpoint = 'ep' AND Operation = 'buy'")
	if err != nil || n != 1 {
		t.Fatalf("Count = %d, %v", n, err)
	}
	listed := 0
	for info, err := range c.ListNexusOperations(ctx, "Service = 'shop'") {
		if err != nil {
			t.Fatal(err)
		}
		if info.GetOperationId() != "order-1" {
			t.Fatalf("listed %v", info)
		}
		listed++
	}
	if listed != 1 {
		t.Fatalf("listed %d operations", listed)
	}
}

func TestStandaloneNexusOperationClientCancelTerminate(t *testing.T) {
	c := startSundialWithEndpoint(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h, err := c.StartNexusOperation(ctx, client.StartNexusOperationOptions{ID: "long", Endpoint: "ep", Service: "shop"}, "wait", "x")
	if err != nil {
		t.Fatal(err)
	}
	answerNexus(t, c, func(*nexuspb.Request) *nexuspb.Response {
		return &nexuspb.Response{Variant: &nexuspb.Response_StartOperation{StartOperation: &nexuspb.StartOperationResponse{
			Variant: &nexuspb.StartOperationResponse_AsyncSuccess{AsyncSuccess: &nexuspb.StartOperationResponse_Async{OperationToken: "tok"}},
		}}}
	})
	if token, err := h.WaitStarted(ctx); err != nil || token != "tok" {
		t.Fatalf("WaitStarted = %q, %v", token, err)
	}
	if err := h.Cancel(ctx, "changed my mind"); err != nil {
		t.Fatal(err)
	}
	answerNexus(t, c, func(r *nexuspb.Request) *nexuspb.Response {
		if r.GetCancelOperation().GetOperationToken() != "tok" {
			t.Errorf("cancel request %v", r)
		}
		return &nexuspb.Response{Variant: &nexuspb.Response_CancelOperation{CancelOperation: &nexuspb.CancelOperationResponse{}}}
	})
	if err := h.Terminate(ctx, "done waiting"); err != nil {
		t.Fatal(err)
	}
	var terminated *sundial.TerminatedError
	if err := h.Get(ctx, nil); !errors.As(err, &terminated) {
		t.Fatalf("Get = %v", err)
	}
	d, err := c.GetNexusOperation("long", "").Describe(ctx)
	if err != nil || d.GetStatus() != enumspb.NEXUS_OPERATION_EXECUTION_STATUS_TERMINATED || d.GetCancellationInfo().GetState() != enumspb.NEXUS_OPERATION_CANCELLATION_STATE_SUCCEEDED {
		t.Fatalf("Describe = %v, %v", d, err)
	}
	if err := h.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Describe(ctx); err == nil {
		t.Fatal("Describe after Delete succeeded")
	}
}
