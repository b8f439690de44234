// Package metrics is the engine's view of metrics: counters, gauges and
// histograms with labels, behind small interfaces so that the engine and the
// store never import a metrics library. The server hands the engine a
// Registry; NoOp, the default, records nothing and costs nothing.
//
// Instruments are resolved once: a caller asks a vector for the child of one
// label set (With) and keeps it, so that recording on a hot path is one call
// on an already resolved child, without allocation or map lookups.
package metrics

import "time"

// Counter only goes up.
type Counter interface {
	Add(delta float64)
}

// Gauge goes up and down.
type Gauge interface {
	Set(value float64)
	Add(delta float64)
}

// Histogram samples observations (durations in seconds, sizes, counts).
type Histogram interface {
	Observe(value float64)
}

// CounterVec is a family of counters told apart by label values.
type CounterVec interface {
	// With returns the counter of the given label values, one per label
	// name, in the order the names were declared.
	With(labelValues ...string) Counter
}

// GaugeVec is a family of gauges told apart by label values.
type GaugeVec interface {
	With(labelValues ...string) Gauge
}

// HistogramVec is a family of histograms told apart by label values.
type HistogramVec interface {
	With(labelValues ...string) Histogram
}

// Emit reports one value of a GaugeFunc for one set of label values.
type Emit func(value float64, labelValues ...string)

// Registry creates instruments. Creating the same name twice is a
// programming error an implementation may panic on.
type Registry interface {
	Counter(name, help string, labelNames ...string) CounterVec
	Gauge(name, help string, labelNames ...string) GaugeVec
	Histogram(name, help string, buckets []float64, labelNames ...string) HistogramVec
	// GaugeFunc registers a gauge computed when metrics are read: collect
	// calls emit once per label set it reports. Nothing is recorded between
	// reads, so it suits values the engine already keeps (queue lengths,
	// cache sizes). collect runs on the reader's goroutine and must be safe
	// to call concurrently with everything else.
	GaugeFunc(name, help string, labelNames []string, collect func(emit Emit))
}

// LatencyBuckets are the histogram bounds, in seconds, of every latency the
// server reports: from half a millisecond to a minute.
var LatencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// SizeBuckets are the histogram bounds of counts such as transitions per
// group commit.
var SizeBuckets = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}

// ObserveDuration records d in seconds.
func ObserveDuration(h Histogram, d time.Duration) {
	h.Observe(d.Seconds())
}

// OrNoOp returns r, or NoOp when r is nil.
func OrNoOp(r Registry) Registry {
	if r == nil {
		return NoOp
	}
	return r
}
