package server

import (
	"sync"
	"sync/atomic"

	"github.com/sundialdev/sundial/internal/metrics"
)

// reusedMetrics lets several engines, one after another, create the same
// instruments on one registry: on PostgreSQL a node starts a new engine
// each time it becomes active, and registries may panic on a name created
// twice. Each instrument is created once and handed out again; a GaugeFunc
// reads the collect function registered last (the current engine's).
type reusedMetrics struct {
	reg metrics.Registry

	mu         sync.Mutex
	counters   map[string]metrics.CounterVec
	gauges     map[string]metrics.GaugeVec
	histograms map[string]metrics.HistogramVec
	funcs      map[string]*atomic.Pointer[func(metrics.Emit)]
}

func newReusedMetrics(reg metrics.Registry) *reusedMetrics {
	return &reusedMetrics{
		reg:        reg,
		counters:   map[string]metrics.CounterVec{},
		gauges:     map[string]metrics.GaugeVec{},
		histograms: map[string]metrics.HistogramVec{},
		funcs:      map[string]*atomic.Pointer[func(metrics.Emit)]{},
	}
}

func (m *reusedMetrics) Counter(name, help string, labelNames ...string) metrics.CounterVec {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.counters[name]; ok {
		return v
	}
	v := m.reg.Counter(name, help, labelNames...)
	m.counters[name] = v
	return v
}

func (m *reusedMetrics) Gauge(name, help string, labelNames ...string) metrics.GaugeVec {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.gauges[name]; ok {
		return v
	}
	v := m.reg.Gauge(name, help, labelNames...)
	m.gauges[name] = v
	return v
}

func (m *reusedMetrics) Histogram(name, help string, buckets []float64, labelNames ...string) metrics.HistogramVec {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.histograms[name]; ok {
		return v
	}
	v := m.reg.Histogram(name, help, buckets, labelNames...)
	m.histograms[name] = v
	return v
}

func (m *reusedMetrics) GaugeFunc(name, help string, labelNames []string, collect func(emit metrics.Emit)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if current, ok := m.funcs[name]; ok {
		current.Store(&collect)
		return
	}
	current := &atomic.Pointer[func(metrics.Emit)]{}
	current.Store(&collect)
	m.funcs[name] = current
	m.reg.GaugeFunc(name, help, labelNames, func(emit metrics.Emit) { (*current.Load())(emit) })
}
