// Package prommetrics records a Sundial server's metrics with the Prometheus
// client library. It is a separate package so that programs embedding the
// server without metrics do not link Prometheus:
//
//	reg := prometheus.NewRegistry()
//	srv, err := server.New(server.Options{Metrics: prommetrics.New(reg)})
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
package prommetrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sundialdev/sundial/internal/metrics"
)

// Registry creates the server's instruments in a Prometheus registerer. It
// panics, as prometheus.MustRegister does, when a name is registered twice:
// give each server (and each Start) a registerer of its own, or wrap a shared
// one with prometheus.WrapRegistererWith to tell the servers apart.
type Registry struct {
	reg prometheus.Registerer
}

// New returns a Registry that registers every instrument in reg.
func New(reg prometheus.Registerer) *Registry {
	return &Registry{reg: reg}
}

var _ metrics.Registry = (*Registry)(nil)

// Counter implements metrics.Registry.
func (r *Registry) Counter(name, help string, labelNames ...string) metrics.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labelNames)
	r.reg.MustRegister(v)
	return counterVec{v}
}

// Gauge implements metrics.Registry.
func (r *Registry) Gauge(name, help string, labelNames ...string) metrics.GaugeVec {
	v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labelNames)
	r.reg.MustRegister(v)
	return gaugeVec{v}
}

// Histogram implements metrics.Registry.
func (r *Registry) Histogram(name, help string, buckets []float64, labelNames ...string) metrics.HistogramVec {
	v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labelNames)
	r.reg.MustRegister(v)
	return histogramVec{v}
}

// GaugeFunc implements metrics.Registry.
func (r *Registry) GaugeFunc(name, help string, labelNames []string, collect func(emit metrics.Emit)) {
	r.reg.MustRegister(&funcCollector{
		desc:    prometheus.NewDesc(name, help, labelNames, nil),
		collect: collect,
	})
}

type counterVec struct{ v *prometheus.CounterVec }

func (c counterVec) With(labelValues ...string) metrics.Counter {
	return c.v.WithLabelValues(labelValues...)
}

type gaugeVec struct{ v *prometheus.GaugeVec }

func (g gaugeVec) With(labelValues ...string) metrics.Gauge {
	return g.v.WithLabelValues(labelValues...)
}

type histogramVec struct{ v *prometheus.HistogramVec }

func (h histogramVec) With(labelValues ...string) metrics.Histogram {
	return h.v.WithLabelValues(labelValues...)
}

// funcCollector reads a GaugeFunc's values when the registry is gathered.
type funcCollector struct {
	desc    *prometheus.Desc
	collect func(emit metrics.Emit)
}

func (c *funcCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *funcCollector) Collect(ch chan<- prometheus.Metric) {
	c.collect(func(value float64, labelValues ...string) {
		m, err := prometheus.NewConstMetric(c.desc, prometheus.GaugeValue, value, labelValues...)
		if err != nil {
			// Wrong label count: a programming error; report it instead of
			// dropping the value silently.
			m = prometheus.NewInvalidMetric(c.desc, err)
		}
		ch <- m
	})
}
