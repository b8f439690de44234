package server

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// TestStartCreatesNamespacesAndSearchAttributes: Options.Namespaces and
// SearchAttributes exist once Start returns, and starting again on the same
// database (where they exist) succeeds and changes nothing.
func TestStartCreatesNamespacesAndSearchAttributes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "bootstrap.db")
	opts := Options{ListenAddr: "127.0.0.1:0", DatabasePath: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Namespaces:       []string{"billing", "default", "billing"},
		SearchAttributes: map[string]enums.IndexedValueType{"CustomerId": enums.INDEXED_VALUE_TYPE_KEYWORD, "Score": enums.INDEXED_VALUE_TYPE_INT},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for round := 1; round <= 2; round++ {
		srv, err := New(opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(ctx); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		conn, err := grpc.NewClient(srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := workflowservice.NewWorkflowServiceClient(conn).DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "billing"}); err != nil {
			t.Errorf("round %d: DescribeNamespace(billing): %v", round, err)
		}
		for _, ns := range []string{"default", "billing"} {
			resp, err := operatorservice.NewOperatorServiceClient(conn).ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
			if err != nil {
				t.Fatalf("round %d: ListSearchAttributes(%s): %v", round, ns, err)
			}
			custom := resp.GetCustomAttributes()
			if len(custom) != 2 || custom["CustomerId"] != enums.INDEXED_VALUE_TYPE_KEYWORD || custom["Score"] != enums.INDEXED_VALUE_TYPE_INT {
				t.Errorf("round %d: namespace %s custom attributes = %v", round, ns, custom)
			}
		}
		_ = conn.Close()
		if err := srv.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStartRefusesBadBootstrap: what a client's RegisterNamespace or
// AddSearchAttributes would refuse stops Start, with the reason.
func TestStartRefusesBadBootstrap(t *testing.T) {
	cases := []struct {
		opts Options
		want string
	}{
		{Options{Namespaces: []string{""}}, `creating namespace ""`},
		{Options{SearchAttributes: map[string]enums.IndexedValueType{"Bad": enums.IndexedValueType(99)}}, "registering search attributes [Bad]"},
		{Options{SearchAttributes: map[string]enums.IndexedValueType{"WorkflowId": enums.INDEXED_VALUE_TYPE_KEYWORD}}, "registering search attributes [WorkflowId]"},
	}
	for _, c := range cases {
		c.opts.ListenAddr, c.opts.DatabasePath = "127.0.0.1:0", ":memory:"
		c.opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		srv, err := New(c.opts)
		if err != nil {
			t.Fatal(err)
		}
		err = srv.Start(context.Background())
		if err == nil {
			_ = srv.Stop(context.Background())
			t.Errorf("Start with %+v succeeded", c.opts)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Start error %q, want it to contain %q", err, c.want)
		}
	}
}
