package server

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/sundialdev/sundial/internal/store/postgres/pgtest"
)

// startFailoverServer starts a node on the database at url with a short
// lease, and extra gRPC server options.
func startFailoverServer(t *testing.T, url string, extra ...grpc.ServerOption) *Server {
	t.Helper()
	srv, err := New(Options{ListenAddr: "127.0.0.1:0", DatabaseURL: url,
		Logger:            slog.New(slog.NewTextHandler(io.Discard, nil)),
		Failover:          FailoverOptions{LeaseTTL: 2 * time.Second, RenewInterval: 200 * time.Millisecond},
		GRPCServerOptions: extra,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })
	return srv
}

func dialServer(t *testing.T, srv *Server) (workflowservice.WorkflowServiceClient, healthpb.HealthClient) {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///"+srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return workflowservice.NewWorkflowServiceClient(conn), healthpb.NewHealthClient(conn)
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond) // poll interval: the replica announces no role change
	}
}

// TestStandbyForwardsAndTakesOver: of two nodes on one database the first
// is active; the second forwards calls to it with their metadata, refuses
// a call another standby already forwarded, and takes over at once when
// the active node stops gracefully (it releases its lease).
func TestStandbyForwardsAndTakesOver(t *testing.T) {
	url := pgtest.NewDatabase(t)
	var (
		mu   sync.Mutex
		seen []string
	)
	record := grpc.ChainUnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		md, _ := metadata.FromIncomingContext(ctx)
		mu.Lock()
		seen = append(seen, strings.Join(md.Get("authorization"), ","))
		mu.Unlock()
		return handler(ctx, req)
	})
	active := startFailoverServer(t, url, record)
	if active.replica.current() == nil {
		t.Fatal("the first node on the database is not active after Start")
	}
	standby := startFailoverServer(t, url)
	if standby.replica.current() != nil {
		t.Fatal("the second node is active while the first holds the lease")
	}
	client, health := dialServer(t, standby)
	waitFor(t, 10*time.Second, "the standby reports SERVING", func() bool {
		resp, err := health.Check(t.Context(), &healthpb.HealthCheckRequest{})
		return err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING
	})

	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer forwarded")
	resp, err := client.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
	if err != nil || resp.GetNamespaceInfo().GetName() != "default" {
		t.Fatalf("DescribeNamespace through the standby = %v, %v", resp, err)
	}
	mu.Lock()
	got := append([]string(nil), seen...)
	mu.Unlock()
	if len(got) != 1 || got[0] != "Bearer forwarded" {
		t.Fatalf("the active node saw authorization %q, want one call with %q", got, "Bearer forwarded")
	}
	// A client error comes back as the active node answered it.
	_, err = client.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "no-such-namespace"})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("DescribeNamespace of a missing namespace through the standby: %v, want NotFound", err)
	}
	twice := metadata.AppendToOutgoingContext(t.Context(), forwardedHeader, "another-node")
	_, err = client.DescribeNamespace(twice, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
	if status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), "not forwarded again") {
		t.Fatalf("a forwarded call reaching a standby: %v, want Unavailable", err)
	}

	stoppedAt := time.Now()
	if err := active.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the standby takes over", func() bool { return standby.replica.current() != nil })
	t.Logf("the standby took over %v after the active node stopped", time.Since(stoppedAt).Round(time.Millisecond))
	if _, err := client.DescribeNamespace(t.Context(), &workflowservice.DescribeNamespaceRequest{Namespace: "default"}); err != nil {
		t.Fatalf("DescribeNamespace on the new active node: %v", err)
	}
	resp2, err := health.Check(t.Context(), &healthpb.HealthCheckRequest{})
	if err != nil || resp2.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health of the new active node = %v, %v", resp2, err)
	}
}

// TestStandbyWithoutActiveNodeAnswersUnavailable: a standby that cannot
// tell where an active node is answers Unavailable, which SDKs retry, and
// reports NOT_SERVING.
func TestStandbyWithoutActiveNodeAnswersUnavailable(t *testing.T) {
	url := pgtest.NewDatabase(t)
	holder := startFailoverServer(t, url)
	// Pretend the active node serves on no address a standby may use: its
	// lease names the standby's own address for another process.
	standby := startFailoverServer(t, url)
	lease := holder.replica.current().lease
	if _, err := standby.replica.watch.TakeOverLease(t.Context(), lease, "elsewhere/1/x", standby.replica.address, time.Minute); err != nil {
		t.Fatal(err)
	}
	client, health := dialServer(t, standby)
	waitFor(t, 10*time.Second, "the standby reports NOT_SERVING", func() bool {
		resp, err := health.Check(t.Context(), &healthpb.HealthCheckRequest{})
		return err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_NOT_SERVING
	})
	_, err := client.DescribeNamespace(t.Context(), &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
	if status.Code(err) != codes.Unavailable || status.Convert(err).Message() != selfHeldLeaseText {
		t.Fatalf("a call to a standby with no usable active node: %v, want Unavailable %q", err, selfHeldLeaseText)
	}
	// The node whose lease was taken over steps down.
	waitFor(t, 10*time.Second, "the old holder steps down", func() bool { return holder.replica.current() == nil })
}
