// Package metrics is the SDK's metrics interface: the client, the worker and the
// activities it runs record counters, gauges, histograms and timers through a Handler,
// and an adapter turns them into the metrics of a monitoring library. The SDK ships
// adapters for the Prometheus client library (contrib/promhandler) and the
// OpenTelemetry metric API (contrib/opentelemetry); anything else takes a few dozen
// lines.
//
// The SDK records the metrics of Temporal's SDKs under their names and tags (see
// names.go), so dashboards made for Temporal's Go SDK work with Sundial's.
//
// Without a handler (client.Options.MetricsHandler unset) nothing is recorded and the
// SDK skips the work of building tags.
package metrics

import "time"

// Handler creates metrics. A handler carries a set of tags that every metric it
// creates is labelled with; WithTags derives a handler with more. Creating a metric
// that already exists returns it again. Implementations must be safe for concurrent
// use.
type Handler interface {
	// WithTags returns a handler whose metrics carry tags in addition to the
	// receiver's; a tag of the same name replaces the receiver's.
	WithTags(tags map[string]string) Handler
	// Counter returns the counter called name.
	Counter(name string, opts Options) Counter
	// Gauge returns the gauge called name.
	Gauge(name string, opts Options) Gauge
	// Histogram returns the histogram called name, for plain numbers.
	Histogram(name string, opts Options) Histogram
	// Timer returns the timer called name, for durations. Adapters record timers as
	// histograms in seconds.
	Timer(name string, opts Options) Timer
}

// Options describe a metric when it is created. Every field is optional.
type Options struct {
	// Description is the metric's help text.
	Description string
	// Unit is the unit of the values, such as "bytes"; informational. Timers are in
	// seconds whatever it says.
	Unit string
	// Buckets are a histogram's upper bounds, ascending. Empty means the adapter's
	// default buckets.
	Buckets []float64
}

// Counter is a value that only goes up.
type Counter interface {
	// Add adds delta, which must not be negative; a negative delta is ignored.
	Add(delta int64)
}

// Gauge is a value that goes up and down.
type Gauge interface {
	// Set sets the current value.
	Set(value float64)
}

// Histogram counts observed values in buckets.
type Histogram interface {
	// Record observes one value.
	Record(value float64)
}

// Timer counts observed durations in buckets.
type Timer interface {
	// Record observes one duration.
	Record(d time.Duration)
}

// NopHandler is a handler whose metrics record nothing.
var NopHandler Handler = nopHandler{}

// IsNop reports whether h records nothing: nil or NopHandler. The SDK checks it to skip
// building tags when no handler is configured.
func IsNop(h Handler) bool {
	if h == nil {
		return true
	}
	_, nop := h.(nopHandler)
	return nop
}

type nopHandler struct{}

func (nopHandler) WithTags(map[string]string) Handler  { return nopHandler{} }
func (nopHandler) Counter(string, Options) Counter     { return nopMetric{} }
func (nopHandler) Gauge(string, Options) Gauge         { return nopMetric{} }
func (nopHandler) Histogram(string, Options) Histogram { return nopMetric{} }
func (nopHandler) Timer(string, Options) Timer         { return nopTimer{} }

type nopMetric struct{}

func (nopMetric) Add(int64)      {}
func (nopMetric) Set(float64)    {}
func (nopMetric) Record(float64) {}

type nopTimer struct{}

func (nopTimer) Record(time.Duration) {}
