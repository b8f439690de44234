package oteltracing_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc"

	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/server/internal/telemetrytest"
	"github.com/sundialdev/sundial/server/oteltracing"
)

func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if kv.Key == attribute.Key(key) {
			return kv.Value.AsString()
		}
	}
	return ""
}

// TestSpansPerRPCAndTransaction: each RPC gets a span naming its namespace,
// workflow id and run id, and the store transactions it commits are its
// children, named the same way.
func TestSpansPerRPCAndTransaction(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	exporter := tracetest.NewInMemoryExporter()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer func() { _ = provider.Shutdown(context.Background()) }()
	tracer := oteltracing.New(provider)
	srv, err := server.New(server.Options{
		ListenAddr:        "127.0.0.1:0",
		DatabasePath:      ":memory:",
		Logger:            slog.New(slog.DiscardHandler),
		Tracer:            tracer,
		GRPCServerOptions: []grpc.ServerOption{tracer.GRPCServerOption()},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Stop(context.Background()) }()
	if err := telemetrytest.Run(ctx, srv.Addr()); err != nil {
		t.Fatal(err)
	}

	spans := exporter.GetSpans().Snapshots()
	var start sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == "temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution" && attr(s, "temporalWorkflowID") == "greet" {
			start = s
		}
	}
	if start == nil {
		t.Fatalf("no StartWorkflowExecution span for greet among %d spans", len(spans))
	}
	runID := attr(start, "temporalRunID")
	if attr(start, "temporalNamespace") != "default" || runID == "" {
		t.Fatalf("start span attributes = %v", start.Attributes())
	}
	var write sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == "persistence.Write" && s.Parent().SpanID() == start.SpanContext().SpanID() {
			write = s
		}
	}
	if write == nil {
		t.Fatal("the start's store transaction has no span under the RPC's span")
	}
	if write.SpanContext().TraceID() != start.SpanContext().TraceID() {
		t.Fatal("the transaction span is in another trace")
	}
	if attr(write, "temporalWorkflowID") != "greet" || attr(write, "temporalRunID") != runID || attr(write, "temporalNamespaceID") == "" {
		t.Fatalf("transaction span attributes = %v", write.Attributes())
	}
	// A call naming a run by WorkflowExecution carries its ids too.
	found := false
	for _, s := range spans {
		if s.Name() == "temporal.api.workflowservice.v1.WorkflowService/TerminateWorkflowExecution" {
			found = attr(s, "temporalWorkflowID") == "wait" && attr(s, "temporalNamespace") == "default"
		}
	}
	if !found {
		t.Fatal("no TerminateWorkflowExecution span naming workflow wait")
	}
}
