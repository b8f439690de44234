// Package opentelemetry connects the SDK to OpenTelemetry: MetricsHandler records the
// SDK's metrics with the OpenTelemetry metric API, and TracingInterceptor (see
// tracing.go) creates spans for client calls, workflows and activities and carries
// the trace across them in Temporal headers, as Temporal's own OpenTelemetry
// interceptors do, so that one trace spans Sundial and Temporal SDKs.
package opentelemetry

import (
	"context"
	"maps"
	"slices"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/sundialdev/sundial/metrics"
)

// MetricsHandlerOptions configure NewMetricsHandler.
type MetricsHandlerOptions struct {
	// Meter creates the instruments; default the global meter provider's meter
	// "sundial-sdk-go".
	Meter metric.Meter
	// InitialAttributes are added to every measurement.
	InitialAttributes attribute.Set
	// OnError receives the instruments that could not be created; their values are
	// dropped. Default: ignore.
	OnError func(error)
}

// MetricsHandler implements metrics.Handler with OpenTelemetry instruments: counters
// are Int64Counters, gauges Float64Gauges, histograms Float64Histograms, and timers
// Float64Histograms in seconds (unit "s"), which OpenTelemetry's Prometheus exporter
// names like Temporal's dashboards expect (temporal_request_latency_seconds).
type MetricsHandler struct {
	meter   metric.Meter
	attrs   attribute.Set
	onError func(error)
}

var _ metrics.Handler = MetricsHandler{}

// NewMetricsHandler returns a handler recording with opts.Meter.
func NewMetricsHandler(opts MetricsHandlerOptions) MetricsHandler {
	if opts.Meter == nil {
		opts.Meter = otel.GetMeterProvider().Meter("sundial-sdk-go")
	}
	if opts.OnError == nil {
		opts.OnError = func(error) {}
	}
	return MetricsHandler{meter: opts.Meter, attrs: opts.InitialAttributes, onError: opts.OnError}
}

// WithTags implements metrics.Handler.
func (h MetricsHandler) WithTags(tags map[string]string) metrics.Handler {
	kvs := h.attrs.ToSlice()
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		kvs = append(kvs, attribute.String(k, tags[k]))
	}
	// NewSet keeps the last value of a repeated key, so a tag replaces an older one.
	return MetricsHandler{meter: h.meter, attrs: attribute.NewSet(kvs...), onError: h.onError}
}

// Counter implements metrics.Handler.
func (h MetricsHandler) Counter(name string, opts metrics.Options) metrics.Counter {
	c, err := h.meter.Int64Counter(name, metric.WithDescription(opts.Description), metric.WithUnit(opts.Unit))
	if err != nil {
		h.onError(err)
		return metrics.NopHandler.Counter(name, opts)
	}
	return counter{c: c, opt: metric.WithAttributeSet(h.attrs)}
}

// Gauge implements metrics.Handler.
func (h MetricsHandler) Gauge(name string, opts metrics.Options) metrics.Gauge {
	g, err := h.meter.Float64Gauge(name, metric.WithDescription(opts.Description), metric.WithUnit(opts.Unit))
	if err != nil {
		h.onError(err)
		return metrics.NopHandler.Gauge(name, opts)
	}
	return gauge{g: g, opt: metric.WithAttributeSet(h.attrs)}
}

// Histogram implements metrics.Handler.
func (h MetricsHandler) Histogram(name string, opts metrics.Options) metrics.Histogram {
	options := []metric.Float64HistogramOption{metric.WithDescription(opts.Description), metric.WithUnit(opts.Unit)}
	if len(opts.Buckets) > 0 {
		options = append(options, metric.WithExplicitBucketBoundaries(slices.Compact(slices.Sorted(slices.Values(opts.Buckets)))...))
	}
	hist, err := h.meter.Float64Histogram(name, options...)
	if err != nil {
		h.onError(err)
		return metrics.NopHandler.Histogram(name, opts)
	}
	return histogram{h: hist, opt: metric.WithAttributeSet(h.attrs)}
}

// Timer implements metrics.Handler.
func (h MetricsHandler) Timer(name string, opts metrics.Options) metrics.Timer {
	hist, err := h.meter.Float64Histogram(name, metric.WithDescription(opts.Description), metric.WithUnit("s"))
	if err != nil {
		h.onError(err)
		return metrics.NopHandler.Timer(name, opts)
	}
	return timer{h: hist, opt: metric.WithAttributeSet(h.attrs)}
}

type counter struct {
	c   metric.Int64Counter
	opt metric.MeasurementOption
}

func (c counter) Add(delta int64) {
	if delta > 0 {
		c.c.Add(context.Background(), delta, c.opt)
	}
}

type gauge struct {
	g   metric.Float64Gauge
	opt metric.MeasurementOption
}

func (g gauge) Set(value float64) { g.g.Record(context.Background(), value, g.opt) }

type histogram struct {
	h   metric.Float64Histogram
	opt metric.MeasurementOption
}

func (h histogram) Record(value float64) { h.h.Record(context.Background(), value, h.opt) }

type timer struct {
	h   metric.Float64Histogram
	opt metric.MeasurementOption
}

func (t timer) Record(d time.Duration) { t.h.Record(context.Background(), d.Seconds(), t.opt) }
