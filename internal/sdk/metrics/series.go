package metrics

import (
	"math"
	"sync"
	"sync/atomic"
)

// series is one labelled time series: a counter, a gauge or a histogram.
type series struct {
	labels []label

	counter atomic.Int64
	gauge   atomic.Uint64 // float64 bits

	mu      sync.Mutex
	buckets []uint64 // per upper bound, not cumulative
	sum     float64
	count   uint64
}

func newSeries(labels []label, buckets int) *series {
	return &series{labels: labels, buckets: make([]uint64, buckets)}
}

type counter struct{ s *series }

func (c counter) Add(delta int64) {
	if delta > 0 {
		c.s.counter.Add(delta)
	}
}

type gauge struct{ s *series }

func (g gauge) Set(value float64) { g.s.gauge.Store(math.Float64bits(value)) }

type histogram struct {
	s      *series
	bounds []float64
}

func (h histogram) Record(value float64) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	for i, upper := range h.bounds {
		if value <= upper {
			h.s.buckets[i]++
			break
		}
	}
	h.s.sum += value
	h.s.count++
}

// histogramSnapshot is a consistent copy of a histogram's state.
type histogramSnapshot struct {
	cumulative []uint64
	sum        float64
	count      uint64
}

func (s *series) snapshotHistogram() histogramSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := histogramSnapshot{cumulative: make([]uint64, len(s.buckets)), sum: s.sum, count: s.count}
	var running uint64
	for i, n := range s.buckets {
		running += n
		snap.cumulative[i] = running
	}
	return snap
}
