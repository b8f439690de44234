package activity

import (
	"context"

	"github.com/sundialdev/sundial/metrics"
)

// MetricMeter creates metrics: it is the worker's metrics.Handler (from
// client.Options.MetricsHandler), and every metric an activity creates through it
// carries the tags activity_type, workflow_type, namespace and task_queue. Creating a
// metric that already exists returns it again.
type MetricMeter = metrics.Handler

// MetricOptions describe a metric when it is created.
type MetricOptions = metrics.Options

// MetricCounter is a value that only goes up.
type MetricCounter = metrics.Counter

// MetricHistogram counts observed values in buckets.
type MetricHistogram = metrics.Histogram

// MetricGauge is a value that goes up and down.
type MetricGauge = metrics.Gauge

// MetricTimer counts observed durations in buckets.
type MetricTimer = metrics.Timer

// GetMetricMeter returns the metric meter of the running activity. Outside an activity, or
// when none is configured, it returns a meter that records nothing.
func GetMetricMeter(ctx context.Context) MetricMeter {
	if r, ok := current(ctx); ok && r.Meter() != nil {
		return r.Meter()
	}
	return metrics.NopHandler
}

// NopMetricMeter returns a meter whose metrics record nothing.
func NopMetricMeter() MetricMeter { return metrics.NopHandler }
