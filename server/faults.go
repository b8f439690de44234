package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/sundialdev/sundial/internal/backoff"
)

// storeHealth turns the store's ability to commit into the gRPC health
// status: NOT_SERVING while it cannot, SERVING again once it can.
func storeHealth(hs *health.Server, log *slog.Logger) func(err error) {
	return func(err error) {
		st := healthpb.HealthCheckResponse_SERVING
		if err != nil {
			st = healthpb.HealthCheckResponse_NOT_SERVING
		}
		hs.SetServingStatus("", st)
		hs.SetServingStatus(workflowservice.WorkflowService_ServiceDesc.ServiceName, st)
		log.Info("health status changed", "status", st.String())
	}
}

// statusInterceptor turns the engine's serviceerror values into gRPC statuses
// with their Temporal error details, as the SDKs expect them, and logs every
// DataLoss (damaged data) at ERROR with the method and the run it concerns.
func statusInterceptor(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		if err == nil {
			return resp, nil
		}
		var dataLoss *serviceerror.DataLoss
		if errors.As(err, &dataLoss) || status.Code(err) == codes.DataLoss {
			attrs := append([]any{"method", info.FullMethod, "error", err}, runOf(req)...)
			log.Error("damaged data in the database: restore from a backup (see the README's Operating section)", attrs...)
		}
		if _, ok := status.FromError(err); ok {
			return resp, err
		}
		return resp, serviceerror.ToStatus(err).Err()
	}
}

// runOf names the workflow a request is about, for logs.
func runOf(req any) []any {
	var attrs []any
	if r, ok := req.(interface{ GetNamespace() string }); ok {
		attrs = append(attrs, "namespace", r.GetNamespace())
	}
	var ex *commonpb.WorkflowExecution
	if r, ok := req.(interface {
		GetExecution() *commonpb.WorkflowExecution
	}); ok {
		ex = r.GetExecution()
	}
	if r, ok := req.(interface {
		GetWorkflowExecution() *commonpb.WorkflowExecution
	}); ok {
		ex = r.GetWorkflowExecution()
	}
	if ex != nil {
		attrs = append(attrs, "workflow_id", ex.GetWorkflowId(), "run_id", ex.GetRunId())
	}
	return attrs
}

// loggedListener logs the errors of Accept (out of file descriptors, for
// one), which grpc retries silently, at most once a minute with a count.
type loggedListener struct {
	net.Listener
	log  *slog.Logger
	logs *backoff.LogLimiter
}

func (l loggedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		if ok, n := l.logs.Allow(err.Error(), time.Now()); ok {
			l.log.Error("accepting a gRPC connection failed", "error", err, "repeated", n)
		}
	}
	return c, err
}
