package activity

import "context"

// MetricMeter creates metrics. The worker's meter exports them in Prometheus' text format
// (see worker.Options.MetricsListenAddr); each metric an activity creates carries the
// labels activity_type, namespace and task_queue. Creating a metric that already exists
// with the same kind returns it again.
type MetricMeter interface {
	// Counter returns the counter called name.
	Counter(name string, opts MetricOptions) MetricCounter
	// Histogram returns the histogram called name.
	Histogram(name string, opts MetricOptions) MetricHistogram
	// Gauge returns the gauge called name.
	Gauge(name string, opts MetricOptions) MetricGauge
	// WithTags returns a meter whose metrics carry tags as labels, in addition to the
	// receiver's own.
	WithTags(tags map[string]string) MetricMeter
}

// MetricOptions describe a metric when it is created.
type MetricOptions struct {
	// Description is the metric's help text.
	Description string
	// Unit is the unit of the values, such as "seconds" or "bytes"; informational.
	Unit string
	// Buckets are a histogram's upper bounds, ascending. Empty means the default buckets
	// (0.005 to 10, suited to durations in seconds).
	Buckets []float64
}

// MetricCounter is a value that only goes up.
type MetricCounter interface {
	// Add adds delta, which must not be negative; a negative delta is ignored.
	Add(delta int64)
}

// MetricHistogram counts observed values in buckets.
type MetricHistogram interface {
	// Record observes one value.
	Record(value float64)
}

// MetricGauge is a value that goes up and down.
type MetricGauge interface {
	// Set sets the current value.
	Set(value float64)
}

// GetMetricMeter returns the metric meter of the running activity. Outside an activity, or
// when none is configured, it returns a meter that records nothing.
func GetMetricMeter(ctx context.Context) MetricMeter {
	if r, ok := current(ctx); ok && r.Meter() != nil {
		return r.Meter()
	}
	return NopMetricMeter()
}

// NopMetricMeter returns a meter whose metrics record nothing.
func NopMetricMeter() MetricMeter { return nopMeter{} }

type nopMeter struct{}

func (nopMeter) Counter(string, MetricOptions) MetricCounter     { return nopMetric{} }
func (nopMeter) Histogram(string, MetricOptions) MetricHistogram { return nopMetric{} }
func (nopMeter) Gauge(string, MetricOptions) MetricGauge         { return nopMetric{} }
func (nopMeter) WithTags(map[string]string) MetricMeter          { return nopMeter{} }

type nopMetric struct{}

func (nopMetric) Add(int64)      {}
func (nopMetric) Record(float64) {}
func (nopMetric) Set(float64)    {}
