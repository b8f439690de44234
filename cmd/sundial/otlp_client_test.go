package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"github.com/sundialdev/sundial/internal/tracing"
)

// collected is what a fake collector received.
type collected struct {
	mu      sync.Mutex
	names   []string
	service string
	header  string
}

func (c *collected) add(req *coltracepb.ExportTraceServiceRequest, header string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.header = header
	for _, rs := range req.GetResourceSpans() {
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				c.service = kv.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, sp := range ss.GetSpans() {
				c.names = append(c.names, sp.GetName())
			}
		}
	}
}

// exportOneSpan sets tracing up from the environment, records one span and
// shuts down, which exports it.
func exportOneSpan(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	setup, err := setUpTracing(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if setup == nil {
		t.Fatal("tracing is off")
	}
	_, sp := setup.tracer.Start(ctx, "persistence.Write", tracing.Attr{Key: tracing.KeyWorkflowID, Value: "wf"})
	sp.End(nil)
	if err := setup.shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

func (c *collected) check(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.names) != 1 || c.names[0] != "persistence.Write" || c.service != "sundial" || c.header != "secret" {
		t.Fatalf("collector got spans %v of service %q with header %q", c.names, c.service, c.header)
	}
}

func TestOTLPHTTPExport(t *testing.T) {
	var got collected
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req coltracepb.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" || proto.Unmarshal(body, &req) != nil {
			http.Error(w, "bad export", http.StatusBadRequest)
			return
		}
		got.add(&req, r.Header.Get("Api-Key"))
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "api-key=secret")
	exportOneSpan(t)
	got.check(t)
}

// fakeTraceService is an OTLP/gRPC collector.
type fakeTraceService struct {
	coltracepb.UnimplementedTraceServiceServer
	got *collected
}

func (f fakeTraceService) Export(ctx context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	header := ""
	if v := md.Get("api-key"); len(v) > 0 {
		header = v[0]
	}
	f.got.add(req, header)
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

func TestOTLPGRPCExport(t *testing.T) {
	var got collected
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer()
	coltracepb.RegisterTraceServiceServer(g, fakeTraceService{got: &got})
	go func() { _ = g.Serve(lis) }()
	defer g.Stop()
	t.Setenv("OTEL_TRACES_EXPORTER", "otlp")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+lis.Addr().String())
	t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "api-key=secret")
	exportOneSpan(t)
	got.check(t)
}

func TestOTLPSettingsRefuseBadValues(t *testing.T) {
	for _, env := range []map[string]string{
		{"OTEL_EXPORTER_OTLP_TIMEOUT": "soon"},
		{"OTEL_EXPORTER_OTLP_HEADERS": "novalue"},
	} {
		if _, err := readOTLPSettings(func(k string) string { return env[k] }, "http/protobuf"); err == nil {
			t.Errorf("env %v accepted", env)
		}
	}
	if _, err := newOTLPClient("thrift", otlpSettings{}); err == nil {
		t.Error("protocol thrift accepted")
	}
}
