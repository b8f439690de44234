package metrics

import "github.com/sundialdev/sundial/activity"

// meter implements activity.MetricMeter on a Registry, with a fixed set of labels.
type meter struct {
	registry *Registry
	labels   []label
}

func (m meter) Counter(name string, opts activity.MetricOptions) activity.MetricCounter {
	s, _ := m.registry.lookup(name, kindCounter, opts, m.labels)
	if s == nil {
		return activity.NopMetricMeter().Counter(name, opts)
	}
	return counter{s: s}
}

func (m meter) Gauge(name string, opts activity.MetricOptions) activity.MetricGauge {
	s, _ := m.registry.lookup(name, kindGauge, opts, m.labels)
	if s == nil {
		return activity.NopMetricMeter().Gauge(name, opts)
	}
	return gauge{s: s}
}

func (m meter) Histogram(name string, opts activity.MetricOptions) activity.MetricHistogram {
	s, bounds := m.registry.lookup(name, kindHistogram, opts, m.labels)
	if s == nil {
		return activity.NopMetricMeter().Histogram(name, opts)
	}
	return histogram{s: s, bounds: bounds}
}

func (m meter) WithTags(tags map[string]string) activity.MetricMeter {
	return meter{registry: m.registry, labels: mergeLabels(m.labels, tags)}
}
