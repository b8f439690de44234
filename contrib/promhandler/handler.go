// Package promhandler records the SDK's metrics with the Prometheus client library
// (github.com/prometheus/client_golang):
//
//	reg := prometheus.NewRegistry()
//	c, err := client.Dial(ctx, client.Options{MetricsHandler: promhandler.NewHandler(promhandler.Options{Registerer: reg})})
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// Names follow the conventions of Temporal's Prometheus setups, which Temporal's SDK
// dashboards query: counters get the suffix _total (temporal_request_total), timers
// become histograms in seconds with the suffix _seconds
// (temporal_request_latency_seconds_bucket); gauges and histograms keep their names.
// Characters Prometheus does not allow in names become underscores.
//
// Prometheus wants every series of a metric to have the same label names. The SDK's
// own metrics always do (tags that do not apply are "none"); a metric recorded with
// other label names than its first use is dropped and reported to Options.OnError.
package promhandler

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"

	"github.com/sundialdev/sundial/metrics"
)

// DefaultTimerBuckets are the timer bounds, in seconds, used when Options has none:
// from 1 ms to 5 minutes, which covers calls, polls and most activities.
var DefaultTimerBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}

// Options configure NewHandler.
type Options struct {
	// Registerer receives every metric; required. Handlers sharing one registerer
	// share the metrics they both record.
	Registerer prom.Registerer
	// TimerBuckets are the bounds of timers, in seconds; default DefaultTimerBuckets.
	TimerBuckets []float64
	// HistogramBuckets are the bounds of histograms created without buckets; default
	// prometheus.DefBuckets.
	HistogramBuckets []float64
	// OnError receives the metrics that could not be registered (a name used with two
	// kinds or two sets of label names); their values are dropped. Default: ignore.
	OnError func(error)
}

// Handler implements metrics.Handler on a Prometheus registerer.
type Handler struct {
	reg  *registry
	tags map[string]string
}

var _ metrics.Handler = (*Handler)(nil)

// NewHandler returns a handler that registers its metrics in opts.Registerer.
func NewHandler(opts Options) *Handler {
	if opts.Registerer == nil {
		panic("promhandler.NewHandler: Options.Registerer is nil")
	}
	if len(opts.TimerBuckets) == 0 {
		opts.TimerBuckets = DefaultTimerBuckets
	}
	if len(opts.HistogramBuckets) == 0 {
		opts.HistogramBuckets = prom.DefBuckets
	}
	if opts.OnError == nil {
		opts.OnError = func(error) {}
	}
	return &Handler{reg: &registry{opts: opts, families: make(map[string]*family)}, tags: map[string]string{}}
}

// WithTags implements metrics.Handler.
func (h *Handler) WithTags(tags map[string]string) metrics.Handler {
	merged := maps.Clone(h.tags)
	for k, v := range tags {
		merged[sanitize(k)] = v
	}
	return &Handler{reg: h.reg, tags: merged}
}

// Counter implements metrics.Handler.
func (h *Handler) Counter(name string, opts metrics.Options) metrics.Counter {
	name = sanitize(name)
	if !strings.HasSuffix(name, "_total") {
		name += "_total"
	}
	v, ok := h.reg.vector(name, kindCounter, opts, h.tags).(*prom.CounterVec)
	if !ok {
		return metrics.NopHandler.Counter(name, opts)
	}
	return counter{v.WithLabelValues(labelValues(h.tags)...)}
}

// Gauge implements metrics.Handler.
func (h *Handler) Gauge(name string, opts metrics.Options) metrics.Gauge {
	v, ok := h.reg.vector(sanitize(name), kindGauge, opts, h.tags).(*prom.GaugeVec)
	if !ok {
		return metrics.NopHandler.Gauge(name, opts)
	}
	return v.WithLabelValues(labelValues(h.tags)...)
}

// Histogram implements metrics.Handler.
func (h *Handler) Histogram(name string, opts metrics.Options) metrics.Histogram {
	v, ok := h.reg.vector(sanitize(name), kindHistogram, opts, h.tags).(*prom.HistogramVec)
	if !ok {
		return metrics.NopHandler.Histogram(name, opts)
	}
	return histogram{v.WithLabelValues(labelValues(h.tags)...)}
}

// Timer implements metrics.Handler.
func (h *Handler) Timer(name string, opts metrics.Options) metrics.Timer {
	name = sanitize(name)
	if !strings.HasSuffix(name, "_seconds") {
		name += "_seconds"
	}
	v, ok := h.reg.vector(name, kindTimer, opts, h.tags).(*prom.HistogramVec)
	if !ok {
		return metrics.NopHandler.Timer(name, opts)
	}
	return timer{v.WithLabelValues(labelValues(h.tags)...)}
}

type kind int

const (
	kindCounter kind = iota
	kindGauge
	kindHistogram
	kindTimer
)

// registry holds one vector per metric name, shared by a handler and those derived
// from it.
type registry struct {
	opts     Options
	mu       sync.Mutex
	families map[string]*family
}

type family struct {
	kind   kind
	labels []string
	vector prom.Collector // nil when registration failed
}

// vector returns the metric's vector, registering it on first use; nil (and a report
// to OnError) when name exists with another kind or other labels, or cannot be
// registered.
func (r *registry) vector(name string, k kind, opts metrics.Options, tags map[string]string) prom.Collector {
	labels := slices.Sorted(maps.Keys(tags))
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.families[name]; ok {
		if f.kind != k || !slices.Equal(f.labels, labels) {
			r.opts.OnError(fmt.Errorf("metric %s: recorded with labels %v, but it exists with labels %v (or another kind); value dropped",
				name, labels, f.labels))
			return nil
		}
		return f.vector
	}
	v := r.newVector(name, k, opts, labels)
	if err := r.opts.Registerer.Register(v); err != nil {
		// Another handler on the same registerer made the same metric: share it.
		var already prom.AlreadyRegisteredError
		if errors.As(err, &already) {
			v = already.ExistingCollector
		} else {
			r.opts.OnError(fmt.Errorf("registering metric %s: %w", name, err))
			v = nil
		}
	}
	r.families[name] = &family{kind: k, labels: labels, vector: v}
	if v == nil {
		return nil
	}
	return v
}

func (r *registry) newVector(name string, k kind, opts metrics.Options, labels []string) prom.Collector {
	help := opts.Description
	if help == "" {
		help = name
	}
	switch k {
	case kindCounter:
		return prom.NewCounterVec(prom.CounterOpts{Name: name, Help: help}, labels)
	case kindGauge:
		return prom.NewGaugeVec(prom.GaugeOpts{Name: name, Help: help}, labels)
	case kindTimer:
		return prom.NewHistogramVec(prom.HistogramOpts{Name: name, Help: help, Buckets: r.opts.TimerBuckets}, labels)
	default:
		buckets := r.opts.HistogramBuckets
		if len(opts.Buckets) > 0 {
			buckets = slices.Compact(slices.Sorted(slices.Values(opts.Buckets)))
		}
		return prom.NewHistogramVec(prom.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	}
}

// labelValues are the tag values in the order of their sorted names.
func labelValues(tags map[string]string) []string {
	names := slices.Sorted(maps.Keys(tags))
	values := make([]string, len(names))
	for i, n := range names {
		values[i] = tags[n]
	}
	return values
}

// sanitize maps a metric or label name to Prometheus' alphabet: letters, digits and
// underscores, not starting with a digit.
func sanitize(name string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_', r >= '0' && r <= '9' && i > 0:
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			b.WriteByte('_')
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

type counter struct{ c prom.Counter }

func (c counter) Add(delta int64) {
	if delta > 0 {
		c.c.Add(float64(delta))
	}
}

type histogram struct{ o prom.Observer }

func (h histogram) Record(value float64) { h.o.Observe(value) }

type timer struct{ o prom.Observer }

func (t timer) Record(d time.Duration) { t.o.Observe(d.Seconds()) }
