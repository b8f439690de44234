package server

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/sundialdev/sundial/internal/clock"
)

// describe calls DescribeNamespace through the limiter's interceptor.
func describe(l *namespaceLimiter, namespace string) error {
	_, err := l.interceptor()(context.Background(), &workflowservice.DescribeNamespaceRequest{Namespace: namespace}, &grpc.UnaryServerInfo{},
		func(context.Context, any) (any, error) { return "ok", nil })
	return err
}

// TestSecurityNamespaceRateLimitBuckets: each registered namespace has its own
// bucket (with its override), unregistered names share one and allocate
// nothing, and tokens come back with time.
func TestSecurityNamespaceRateLimitBuckets(t *testing.T) {
	clk := clock.NewVirtual(time.Unix(1_000_000, 0))
	registered := map[string]bool{"a": true, "b": true, "vip": true}
	l := newNamespaceLimiter(RateLimit{RPS: 1, Burst: 2}, map[string]RateLimit{"vip": {RPS: 0}},
		func(_ context.Context, name string) bool { return registered[name] }, clk)

	for i := range 2 {
		if err := describe(l, "a"); err != nil {
			t.Fatalf("request %d of a within the burst: %v", i, err)
		}
	}
	err := describe(l, "a")
	var exhausted *serviceerror.ResourceExhausted
	if !errors.As(err, &exhausted) || exhausted.Message != namespaceRateLimitExceeded ||
		exhausted.Cause != enumspb.RESOURCE_EXHAUSTED_CAUSE_RPS_LIMIT || exhausted.Scope != enumspb.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE {
		t.Fatalf("request past the burst: err = %v, want ResourceExhausted %q", err, namespaceRateLimitExceeded)
	}
	if err := describe(l, "b"); err != nil {
		t.Fatalf("namespace b was limited by a's traffic: %v", err)
	}
	for range 10 {
		if err := describe(l, "vip"); err != nil {
			t.Fatalf("namespace vip, unlimited by its override, was limited: %v", err)
		}
	}
	clk.Advance(time.Second)
	if err := describe(l, "a"); err != nil {
		t.Fatalf("a token did not come back after a second: %v", err)
	}

	for i := range 1000 {
		_ = describe(l, fmt.Sprintf("unknown-%d", i))
	}
	if len(l.buckets) != 3 {
		t.Fatalf("buckets = %d after requests for 1000 unknown names, want 3 (the registered namespaces)", len(l.buckets))
	}
	if err := describe(l, "unknown-x"); err == nil {
		t.Fatal("unregistered names do not share a limited bucket")
	}
	if err := describe(l, ""); err != nil {
		t.Fatalf("a request without a namespace was limited: %v", err)
	}
}

func TestSecurityRateLimitOptionsValidated(t *testing.T) {
	for _, limit := range []RateLimit{{RPS: -1}, {RPS: math.NaN()}, {RPS: math.Inf(1)}, {RPS: 1, Burst: -1}} {
		if _, err := New(Options{DatabasePath: ":memory:", NamespaceRateLimit: limit}); err == nil {
			t.Errorf("New accepted NamespaceRateLimit %+v", limit)
		}
		if _, err := New(Options{DatabasePath: ":memory:", NamespaceRateLimits: map[string]RateLimit{"x": limit}}); err == nil {
			t.Errorf("New accepted NamespaceRateLimits[x] = %+v", limit)
		}
	}
	if newNamespaceLimiter(RateLimit{}, map[string]RateLimit{"x": {}}, nil, clock.Real()) != nil {
		t.Fatal("a limiter was made though nothing is limited")
	}
}

// TestSecurityNamespaceRateLimitServed: over gRPC, a namespace past its limit
// gets ResourceExhausted with Temporal's text.
func TestSecurityNamespaceRateLimitServed(t *testing.T) {
	srv, err := New(Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:", NamespaceRateLimit: RateLimit{RPS: 0.001, Burst: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(context.Background())
	conn, err := grpc.NewClient(srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	wf := workflowservice.NewWorkflowServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 3 {
		if _, err := wf.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"}); err != nil {
			t.Fatalf("call %d within the burst: %v", i, err)
		}
	}
	_, err = wf.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
	if status.Code(err) != codes.ResourceExhausted || status.Convert(err).Message() != namespaceRateLimitExceeded {
		t.Fatalf("call past the burst: %v, want ResourceExhausted %q", err, namespaceRateLimitExceeded)
	}
	if _, err := wf.GetSystemInfo(ctx, &workflowservice.GetSystemInfoRequest{}); err != nil {
		t.Fatalf("a call without a namespace was limited: %v", err)
	}
}

// TestSecurityNamespaceRateLimitLongPollCountsOnce: a long poll takes one
// token when it starts, however long it waits, and none when it returns.
func TestSecurityNamespaceRateLimitLongPollCountsOnce(t *testing.T) {
	clk := clock.NewVirtual(time.Unix(1_000_000, 0))
	l := newNamespaceLimiter(RateLimit{RPS: 1, Burst: 3}, nil, func(context.Context, string) bool { return true }, clk)
	entered, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		_, err := l.interceptor()(context.Background(), &workflowservice.PollActivityTaskQueueRequest{Namespace: "a"}, &grpc.UnaryServerInfo{},
			func(context.Context, any) (any, error) {
				close(entered)
				<-release
				return &workflowservice.PollActivityTaskQueueResponse{}, nil
			})
		done <- err
	}()
	<-entered
	for i := range 2 {
		if err := describe(l, "a"); err != nil {
			t.Fatalf("call %d while the long poll waits: %v", i, err)
		}
	}
	if err := describe(l, "a"); err == nil {
		t.Fatal("a fourth call within the burst of 3 was allowed: the long poll took no token")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("the long poll: %v", err)
	}
	clk.Advance(time.Second)
	if err := describe(l, "a"); err != nil {
		t.Fatalf("the token refilled after a second is gone: the long poll took another when it returned (%v)", err)
	}
}
