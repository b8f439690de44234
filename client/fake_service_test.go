package client_test

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/sundialdev/sundial/client"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
)

// fakeService is an in-process WorkflowService that records every request (and its
// metadata) and answers with what the test programmed. Unprogrammed calls answer with an
// empty response.
type fakeService struct {
	workflowservice.UnimplementedWorkflowServiceServer

	mu       sync.Mutex
	requests []proto.Message
	headers  []metadata.MD

	systemInfoErr error
	startResp     *workflowservice.StartWorkflowExecutionResponse
	startErr      error
	// history answers GetWorkflowExecutionHistory calls in order.
	history          []*workflowservice.GetWorkflowExecutionHistoryResponse
	queryResp        *workflowservice.QueryWorkflowResponse
	queryErr         error
	heartbeatResp    *workflowservice.RecordActivityTaskHeartbeatResponse
	heartbeatByIDRes *workflowservice.RecordActivityTaskHeartbeatByIdResponse
	respondErr       error
	// signalErrs are returned, in order, by the next SignalWorkflowExecution calls.
	signalErrs []error
}

func (f *fakeService) record(ctx context.Context, req proto.Message) {
	md, _ := metadata.FromIncomingContext(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, req)
	f.headers = append(f.headers, md)
}

// last returns the most recent request of type T, failing the test if there is none.
func last[T proto.Message](t *testing.T, f *fakeService) T {
	t.Helper()
	all := all[T](f)
	if len(all) == 0 {
		var zero T
		t.Fatalf("no %T request was sent", zero)
	}
	return all[len(all)-1]
}

func all[T proto.Message](f *fakeService) []T {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []T
	for _, r := range f.requests {
		if typed, ok := r.(T); ok {
			out = append(out, typed)
		}
	}
	return out
}

func (f *fakeService) lastHeaders() metadata.MD {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.headers[len(f.headers)-1]
}

func (f *fakeService) GetSystemInfo(ctx context.Context, req *workflowservice.GetSystemInfoRequest) (*workflowservice.GetSystemInfoResponse, error) {
	f.record(ctx, req)
	if f.systemInfoErr != nil {
		return nil, f.systemInfoErr
	}
	return &workflowservice.GetSystemInfoResponse{ServerVersion: "fake-1"}, nil
}

func (f *fakeService) StartWorkflowExecution(ctx context.Context, req *workflowservice.StartWorkflowExecutionRequest) (*workflowservice.StartWorkflowExecutionResponse, error) {
	f.record(ctx, req)
	if f.startErr != nil {
		return nil, f.startErr
	}
	if f.startResp != nil {
		return f.startResp, nil
	}
	return &workflowservice.StartWorkflowExecutionResponse{RunId: "run-1", Started: true}, nil
}

func (f *fakeService) GetWorkflowExecutionHistory(ctx context.Context, req *workflowservice.GetWorkflowExecutionHistoryRequest) (*workflowservice.GetWorkflowExecutionHistoryResponse, error) {
	f.record(ctx, req)
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.history) == 0 {
		return &workflowservice.GetWorkflowExecutionHistoryResponse{}, nil
	}
	resp := f.history[0]
	f.history = f.history[1:]
	return resp, nil
}

func (f *fakeService) SignalWorkflowExecution(ctx context.Context, req *workflowservice.SignalWorkflowExecutionRequest) (*workflowservice.SignalWorkflowExecutionResponse, error) {
	f.record(ctx, req)
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.signalErrs) > 0 {
		err := f.signalErrs[0]
		f.signalErrs = f.signalErrs[1:]
		return nil, err
	}
	return &workflowservice.SignalWorkflowExecutionResponse{}, nil
}

func (f *fakeService) QueryWorkflow(ctx context.Context, req *workflowservice.QueryWorkflowRequest) (*workflowservice.QueryWorkflowResponse, error) {
	f.record(ctx, req)
	if f.queryErr != nil {
		return nil, f.queryErr
	}
	return f.queryResp, nil
}

func (f *fakeService) RequestCancelWorkflowExecution(ctx context.Context, req *workflowservice.RequestCancelWorkflowExecutionRequest) (*workflowservice.RequestCancelWorkflowExecutionResponse, error) {
	f.record(ctx, req)
	return &workflowservice.RequestCancelWorkflowExecutionResponse{}, nil
}

func (f *fakeService) TerminateWorkflowExecution(ctx context.Context, req *workflowservice.TerminateWorkflowExecutionRequest) (*workflowservice.TerminateWorkflowExecutionResponse, error) {
	f.record(ctx, req)
	return &workflowservice.TerminateWorkflowExecutionResponse{}, nil
}

func (f *fakeService) DescribeWorkflowExecution(ctx context.Context, req *workflowservice.DescribeWorkflowExecutionRequest) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	f.record(ctx, req)
	return &workflowservice.DescribeWorkflowExecutionResponse{}, nil
}

func (f *fakeService) RespondActivityTaskCompleted(ctx context.Context, req *workflowservice.RespondActivityTaskCompletedRequest) (*workflowservice.RespondActivityTaskCompletedResponse, error) {
	f.record(ctx, req)
	return &workflowservice.RespondActivityTaskCompletedResponse{}, f.respondErr
}

func (f *fakeService) RespondActivityTaskFailed(ctx context.Context, req *workflowservice.RespondActivityTaskFailedRequest) (*workflowservice.RespondActivityTaskFailedResponse, error) {
	f.record(ctx, req)
	return &workflowservice.RespondActivityTaskFailedResponse{}, f.respondErr
}

func (f *fakeService) RespondActivityTaskCanceled(ctx context.Context, req *workflowservice.RespondActivityTaskCanceledRequest) (*workflowservice.RespondActivityTaskCanceledResponse, error) {
	f.record(ctx, req)
	return &workflowservice.RespondActivityTaskCanceledResponse{}, f.respondErr
}

func (f *fakeService) RespondActivityTaskCompletedById(ctx context.Context, req *workflowservice.RespondActivityTaskCompletedByIdRequest) (*workflowservice.RespondActivityTaskCompletedByIdResponse, error) {
	f.record(ctx, req)
	return &workflowservice.RespondActivityTaskCompletedByIdResponse{}, f.respondErr
}

func (f *fakeService) RespondActivityTaskFailedById(ctx context.Context, req *workflowservice.RespondActivityTaskFailedByIdRequest) (*workflowservice.RespondActivityTaskFailedByIdResponse, error) {
	f.record(ctx, req)
	return &workflowservice.RespondActivityTaskFailedByIdResponse{}, f.respondErr
}

func (f *fakeService) RespondActivityTaskCanceledById(ctx context.Context, req *workflowservice.RespondActivityTaskCanceledByIdRequest) (*workflowservice.RespondActivityTaskCanceledByIdResponse, error) {
	f.record(ctx, req)
	return &workflowservice.RespondActivityTaskCanceledByIdResponse{}, f.respondErr
}

func (f *fakeService) RecordActivityTaskHeartbeat(ctx context.Context, req *workflowservice.RecordActivityTaskHeartbeatRequest) (*workflowservice.RecordActivityTaskHeartbeatResponse, error) {
	f.record(ctx, req)
	if f.respondErr != nil {
		return nil, f.respondErr
	}
	if f.heartbeatResp != nil {
		return f.heartbeatResp, nil
	}
	return &workflowservice.RecordActivityTaskHeartbeatResponse{}, nil
}

func (f *fakeService) RecordActivityTaskHeartbeatById(ctx context.Context, req *workflowservice.RecordActivityTaskHeartbeatByIdRequest) (*workflowservice.RecordActivityTaskHeartbeatByIdResponse, error) {
	f.record(ctx, req)
	if f.heartbeatByIDRes != nil {
		return f.heartbeatByIDRes, nil
	}
	return &workflowservice.RecordActivityTaskHeartbeatByIdResponse{}, nil
}

// serveFake starts fake on an in-memory listener and returns a dial option reaching it.
func serveFake(t *testing.T, fake workflowservice.WorkflowServiceServer) grpc.DialOption {
	t.Helper()
	listener := bufconn.Listen(1 << 20)
	server := grpc.NewServer(grpc.UnaryInterceptor(serviceErrorsToStatus))
	workflowservice.RegisterWorkflowServiceServer(server, fake)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = server.Serve(listener)
	}()
	t.Cleanup(func() {
		server.Stop()
		<-served
	})
	return grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
		return listener.DialContext(ctx)
	})
}

// serviceErrorsToStatus sends serviceerror values with their code and details, as a
// real server does.
func serviceErrorsToStatus(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	if err != nil {
		return nil, serviceerror.ToStatus(err).Err()
	}
	return resp, nil
}

type testBundle struct {
	fake   *fakeService
	client *client.Client
}

// setup dials a client to a fresh fake service; adjust lets a test change the options.
func setup(t *testing.T, fake *fakeService, adjust func(*client.Options)) testBundle {
	t.Helper()
	if fake == nil {
		fake = &fakeService{}
	}
	opts := client.Options{
		HostPort:          "passthrough:///bufnet",
		Namespace:         "orders",
		Identity:          "test-client",
		ConnectionOptions: []grpc.DialOption{serveFake(t, fake), grpc.WithTransportCredentials(insecure.NewCredentials())},
	}
	if adjust != nil {
		adjust(&opts)
	}
	c, err := client.Dial(context.Background(), opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return testBundle{fake: fake, client: c}
}

func (f *fakeService) SignalWithStartWorkflowExecution(ctx context.Context, req *workflowservice.SignalWithStartWorkflowExecutionRequest) (*workflowservice.SignalWithStartWorkflowExecutionResponse, error) {
	f.record(ctx, req)
	return &workflowservice.SignalWithStartWorkflowExecutionResponse{RunId: "run-sws", Started: true}, nil
}
