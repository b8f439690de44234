// Package oteltracing traces a Sundial server with OpenTelemetry: a span per
// RPC (from otelgrpc's stats handler, joining the caller's trace through the
// W3C trace-context headers) and a span per store transaction, both carrying
// the namespace, workflow id and run id. It is a separate package so that
// programs embedding the server without tracing do not link OpenTelemetry:
//
//	t := oteltracing.New(tracerProvider)
//	srv, err := server.New(server.Options{
//		Tracer:            t,
//		GRPCServerOptions: []grpc.ServerOption{t.GRPCServerOption()},
//	})
package oteltracing

import (
	"context"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"

	"github.com/sundialdev/sundial/internal/tracing"
)

// instrumentationName names the tracer of the store spans.
const instrumentationName = "github.com/sundialdev/sundial/server"

// Tracer traces with an OpenTelemetry tracer provider.
type Tracer struct {
	provider trace.TracerProvider
	tracer   trace.Tracer
}

var _ tracing.Tracer = (*Tracer)(nil)

// New returns a Tracer whose spans go to provider.
func New(provider trace.TracerProvider) *Tracer {
	return &Tracer{provider: provider, tracer: provider.Tracer(instrumentationName)}
}

// GRPCServerOption starts a span per RPC, as a child of the span the
// caller's W3C trace-context headers name.
func (t *Tracer) GRPCServerOption() grpc.ServerOption {
	return grpc.StatsHandler(otelgrpc.NewServerHandler(
		otelgrpc.WithTracerProvider(t.provider),
		otelgrpc.WithPropagators(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})),
	))
}

// Start implements tracing.Tracer.
func (t *Tracer) Start(ctx context.Context, name string, attrs ...tracing.Attr) (context.Context, tracing.Span) {
	ctx, sp := t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(convert(attrs)...))
	return ctx, span{sp}
}

// Annotate implements tracing.Tracer.
func (t *Tracer) Annotate(ctx context.Context, attrs ...tracing.Attr) {
	sp := trace.SpanFromContext(ctx)
	if sp.IsRecording() {
		sp.SetAttributes(convert(attrs)...)
	}
}

func convert(attrs []tracing.Attr) []attribute.KeyValue {
	out := make([]attribute.KeyValue, len(attrs))
	for i, a := range attrs {
		out[i] = attribute.String(a.Key, a.Value)
	}
	return out
}

type span struct{ trace.Span }

// End implements tracing.Span.
func (s span) End(err error) {
	if err != nil {
		s.RecordError(err)
		s.SetStatus(codes.Error, err.Error())
	}
	s.Span.End()
}
