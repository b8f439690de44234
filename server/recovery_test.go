package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"
)

// panickingService panics in a unary and in a streaming method.
type panickingService struct {
	testgrpc.UnimplementedTestServiceServer
}

func (panickingService) EmptyCall(context.Context, *testgrpc.Empty) (*testgrpc.Empty, error) {
	panic("unary handler bug")
}

func (panickingService) StreamingOutputCall(*testgrpc.StreamingOutputCallRequest, testgrpc.TestService_StreamingOutputCallServer) error {
	panic("stream handler bug")
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestHardening09PanicRecovery: a panicking handler answers codes.Internal, its
// stack is logged, and the server (normal and time-skipping) keeps serving.
func TestHardening09PanicRecovery(t *testing.T) {
	for _, skipping := range []bool{false, true} {
		name := "normal"
		if skipping {
			name = "timeskipping"
		}
		t.Run(name, func(t *testing.T) {
			logs := &syncBuffer{}
			srv, err := New(Options{
				ListenAddr:   "127.0.0.1:0",
				DatabasePath: ":memory:",
				Logger:       slog.New(slog.NewTextHandler(logs, nil)),
				TimeSkipping: skipping,
			})
			if err != nil {
				t.Fatal(err)
			}
			srv.registerExtra = func(r grpc.ServiceRegistrar) { testgrpc.RegisterTestServiceServer(r, panickingService{}) }
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := srv.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = srv.Stop(context.Background()) }()
			conn, err := grpc.NewClient(srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()

			test := testgrpc.NewTestServiceClient(conn)
			_, err = test.EmptyCall(ctx, &testgrpc.Empty{})
			if status.Code(err) != codes.Internal {
				t.Fatalf("unary panic answered %v, want Internal", err)
			}
			stream, err := test.StreamingOutputCall(ctx, &testgrpc.StreamingOutputCallRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := stream.Recv(); errors.Is(err, io.EOF) || status.Code(err) != codes.Internal {
				t.Fatalf("stream panic answered %v, want Internal", err)
			}

			wf := workflowservice.NewWorkflowServiceClient(conn)
			if _, err := wf.GetSystemInfo(ctx, &workflowservice.GetSystemInfoRequest{}); err != nil {
				t.Fatalf("server stopped serving after a panic: %v", err)
			}
			for _, want := range []string{"unary handler bug", "stream handler bug", "recovery_test.go"} {
				if !bytes.Contains([]byte(logs.String()), []byte(want)) {
					t.Errorf("log lacks %q:\n%s", want, logs.String())
				}
			}
		})
	}
}
