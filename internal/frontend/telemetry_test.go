package frontend

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"

	"github.com/sundialdev/sundial/server/prommetrics"
)

var startInfo = &grpc.UnaryServerInfo{FullMethod: "/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution"}

// TestMetricsInterceptorCounts: requests, latencies and failures are counted
// by operation and namespace; only server faults count as service_errors.
func TestMetricsInterceptorCounts(t *testing.T) {
	reg := prometheus.NewRegistry()
	intercept := MetricsUnaryInterceptor(prommetrics.New(reg))
	req := &workflowservice.StartWorkflowExecutionRequest{Namespace: "orders"}
	ok := func(context.Context, any) (any, error) { return "ok", nil }
	for range 3 {
		if _, err := intercept(context.Background(), req, startInfo, ok); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = intercept(context.Background(), req, startInfo, func(context.Context, any) (any, error) {
		return nil, serviceerror.NewInvalidArgument("bad")
	})
	_, _ = intercept(context.Background(), req, startInfo, func(context.Context, any) (any, error) {
		return nil, serviceerror.NewUnavailable("down")
	})
	_, _ = intercept(context.Background(), &workflowservice.StartWorkflowExecutionRequest{Namespace: "\xff"}, startInfo, ok)
	want := `
# HELP service_errors RPC requests that failed unexpectedly (Internal, Unavailable, Unknown, DataLoss).
# TYPE service_errors counter
service_errors{namespace="_invalid_",operation="StartWorkflowExecution"} 0
service_errors{namespace="orders",operation="StartWorkflowExecution"} 1
# HELP service_error_with_type RPC requests that failed, by gRPC code.
# TYPE service_error_with_type counter
service_error_with_type{error_type="InvalidArgument",namespace="orders",operation="StartWorkflowExecution"} 1
service_error_with_type{error_type="Unavailable",namespace="orders",operation="StartWorkflowExecution"} 1
# HELP service_requests RPC requests received.
# TYPE service_requests counter
service_requests{namespace="_invalid_",operation="StartWorkflowExecution"} 1
service_requests{namespace="orders",operation="StartWorkflowExecution"} 5
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "service_requests", "service_errors", "service_error_with_type"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(reg, "service_latency"); n != 2 {
		t.Fatalf("service_latency has %d series, want 2", n)
	}
}

// TestMetricsInterceptorAllocatesNothing: once a label pair is resolved,
// recording a successful call allocates nothing.
func TestMetricsInterceptorAllocatesNothing(t *testing.T) {
	intercept := MetricsUnaryInterceptor(prommetrics.New(prometheus.NewRegistry()))
	req := &workflowservice.StartWorkflowExecutionRequest{Namespace: "orders"}
	handler := func(context.Context, any) (any, error) { return req, nil }
	ctx := context.Background()
	_, _ = intercept(ctx, req, startInfo, handler)
	_, _ = intercept(ctx, req, startInfo, func(context.Context, any) (any, error) { return nil, errors.New("failed") })
	if n := testing.AllocsPerRun(200, func() { _, _ = intercept(ctx, req, startInfo, handler) }); n != 0 {
		t.Fatalf("a call allocates %v times", n)
	}
}

func BenchmarkMetricsInterceptor(b *testing.B) {
	intercept := MetricsUnaryInterceptor(prommetrics.New(prometheus.NewRegistry()))
	req := &workflowservice.StartWorkflowExecutionRequest{Namespace: "orders"}
	handler := func(context.Context, any) (any, error) { return req, nil }
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = intercept(ctx, req, startInfo, handler)
	}
}
