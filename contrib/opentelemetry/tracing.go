package opentelemetry

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	commonpb "go.temporal.io/api/common/v1"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/interceptor"
)

// DefaultHeaderKey is the Temporal header field the span context travels in: the one
// Temporal's tracing interceptors use, so traces continue across SDKs.
const DefaultHeaderKey = "_tracer-data"

// DefaultTextMapPropagator encodes the span context as W3C trace context and baggage,
// as Temporal's OpenTelemetry interceptors do by default.
var DefaultTextMapPropagator propagation.TextMapPropagator = propagation.NewCompositeTextMapPropagator(
	propagation.TraceContext{}, propagation.Baggage{})

// TracerOptions configure NewTracer.
type TracerOptions struct {
	// Tracer creates the spans; default the global tracer provider's tracer
	// "sundial-sdk-go".
	Tracer trace.Tracer
	// TextMapPropagator writes span contexts into headers and reads them back; default
	// DefaultTextMapPropagator.
	TextMapPropagator propagation.TextMapPropagator
	// HeaderKey is the header field; default DefaultHeaderKey.
	HeaderKey string
	// OnError receives headers that could not be written or read; the span goes on
	// without them. Default: ignore.
	OnError func(error)
}

// Tracer implements interceptor.Tracer with OpenTelemetry. Set it as
// client.Options.Tracer.
//
// Span names are Operation:Name (StartWorkflow:OrderWorkflow, RunActivity:Charge...),
// spans that send work elsewhere are of kind client and the others of kind server, and
// the span context travels in the header field "_tracer-data" as a JSON payload of the
// propagator's fields, all as in Temporal's OpenTelemetry interceptors, so a trace
// started by one SDK's client continues in another SDK's worker.
type Tracer struct {
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
	headerKey  string
	onError    func(error)
}

var _ interceptor.Tracer = (*Tracer)(nil)

// NewTracer returns a Tracer.
func NewTracer(opts TracerOptions) *Tracer {
	if opts.Tracer == nil {
		opts.Tracer = otel.GetTracerProvider().Tracer("sundial-sdk-go")
	}
	if opts.TextMapPropagator == nil {
		opts.TextMapPropagator = DefaultTextMapPropagator
	}
	if opts.HeaderKey == "" {
		opts.HeaderKey = DefaultHeaderKey
	}
	if opts.OnError == nil {
		opts.OnError = func(error) {}
	}
	return &Tracer{tracer: opts.Tracer, propagator: opts.TextMapPropagator, headerKey: opts.HeaderKey, onError: opts.OnError}
}

// StartSpan implements interceptor.Tracer.
func (t *Tracer) StartSpan(ctx context.Context, opts interceptor.StartSpanOptions) (context.Context, func(error)) {
	if !trace.SpanContextFromContext(ctx).IsValid() && opts.ParentHeader != nil {
		ctx = t.ContextFromHeader(ctx, opts.ParentHeader)
	}
	kind := trace.SpanKindServer
	if opts.Header != nil {
		kind = trace.SpanKindClient
	}
	startOpts := []trace.SpanStartOption{trace.WithSpanKind(kind)}
	if !opts.Time.IsZero() {
		startOpts = append(startOpts, trace.WithTimestamp(opts.Time))
	}
	if len(opts.Tags) > 0 {
		attrs := make([]attribute.KeyValue, 0, len(opts.Tags))
		for _, k := range slices.Sorted(maps.Keys(opts.Tags)) {
			attrs = append(attrs, attribute.String(k, opts.Tags[k]))
		}
		startOpts = append(startOpts, trace.WithAttributes(attrs...))
	}
	ctx, span := t.tracer.Start(ctx, opts.Operation+":"+opts.Name, startOpts...)
	if opts.Header != nil {
		if err := t.writeHeader(ctx, opts.Header); err != nil {
			t.onError(err)
		}
	}
	return ctx, func(err error) { endSpan(span, err) }
}

// ContextFromHeader implements interceptor.Tracer.
func (t *Tracer) ContextFromHeader(ctx context.Context, header map[string]*commonpb.Payload) context.Context {
	payload := header[t.headerKey]
	if payload == nil {
		return ctx
	}
	var fields map[string]string
	if err := converter.GetDefaultDataConverter().FromPayload(payload, &fields); err != nil {
		t.onError(fmt.Errorf("reading the span context of header %q: %w", t.headerKey, err))
		return ctx
	}
	return t.propagator.Extract(ctx, propagation.MapCarrier(fields))
}

// writeHeader puts the span context of ctx into header.
func (t *Tracer) writeHeader(ctx context.Context, header map[string]*commonpb.Payload) error {
	fields := propagation.MapCarrier{}
	t.propagator.Inject(ctx, fields)
	if len(fields) == 0 {
		return nil
	}
	payload, err := converter.GetDefaultDataConverter().ToPayload(map[string]string(fields))
	if err != nil {
		return fmt.Errorf("writing the span context into header %q: %w", t.headerKey, err)
	}
	header[t.headerKey] = payload
	return nil
}

// endSpan records err on span, marking it failed unless err is a benign application
// error, and ends it.
func endSpan(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		var app *sundial.ApplicationError
		if !errors.As(err, &app) || app.Category() != sundial.ApplicationErrorCategoryBenign {
			span.SetStatus(codes.Error, err.Error())
		}
	}
	span.End()
}
