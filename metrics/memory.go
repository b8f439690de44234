package metrics

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Kind is the kind of a recorded metric.
type Kind string

// The kinds of metrics.
const (
	KindCounter   Kind = "counter"
	KindGauge     Kind = "gauge"
	KindHistogram Kind = "histogram"
	KindTimer     Kind = "timer"
)

// Series is one metric with one set of tags, as a MemoryHandler holds it.
type Series struct {
	Name string
	Kind Kind
	Tags map[string]string
	// Value is a counter's total or a gauge's last value.
	Value float64
	// Values are a histogram's observations, or a timer's in seconds, in order.
	Values []float64
}

// MemoryHandler keeps every metric in memory, for tests: record through it, then read
// with Series or Snapshot. It is safe for concurrent use.
type MemoryHandler struct {
	store *memoryStore
	tags  map[string]string
}

type memoryStore struct {
	mu     sync.Mutex
	series map[string]*Series // by name, kind and tags
}

// NewMemoryHandler returns an empty MemoryHandler.
func NewMemoryHandler() *MemoryHandler {
	return &MemoryHandler{store: &memoryStore{series: make(map[string]*Series)}, tags: map[string]string{}}
}

// WithTags implements Handler.
func (m *MemoryHandler) WithTags(tags map[string]string) Handler {
	merged := maps.Clone(m.tags)
	maps.Copy(merged, tags)
	return &MemoryHandler{store: m.store, tags: merged}
}

// Counter implements Handler.
func (m *MemoryHandler) Counter(name string, _ Options) Counter {
	return memoryCounter{m.store.get(name, KindCounter, m.tags), m.store}
}

// Gauge implements Handler.
func (m *MemoryHandler) Gauge(name string, _ Options) Gauge {
	return memoryGauge{m.store.get(name, KindGauge, m.tags), m.store}
}

// Histogram implements Handler.
func (m *MemoryHandler) Histogram(name string, _ Options) Histogram {
	return memoryHistogram{m.store.get(name, KindHistogram, m.tags), m.store}
}

// Timer implements Handler.
func (m *MemoryHandler) Timer(name string, _ Options) Timer {
	return memoryTimer{m.store.get(name, KindTimer, m.tags), m.store}
}

// Snapshot returns a copy of every series, sorted by name, then kind, then tags.
func (m *MemoryHandler) Snapshot() []Series {
	m.store.mu.Lock()
	defer m.store.mu.Unlock()
	keys := slices.Sorted(maps.Keys(m.store.series))
	out := make([]Series, 0, len(keys))
	for _, k := range keys {
		s := *m.store.series[k]
		s.Tags = maps.Clone(s.Tags)
		s.Values = slices.Clone(s.Values)
		out = append(out, s)
	}
	return out
}

// Find returns the series called name whose tags include every tag of match, merged:
// counters and histogram observations summed, the last gauge value. The second result
// is false when no series matches.
func (m *MemoryHandler) Find(name string, match map[string]string) (Series, bool) {
	var found Series
	ok := false
	for _, s := range m.Snapshot() {
		if s.Name != name || !hasTags(s.Tags, match) {
			continue
		}
		if !ok {
			found, ok = s, true
			found.Tags = maps.Clone(match)
			continue
		}
		found.Value += s.Value
		found.Values = append(found.Values, s.Values...)
		if s.Kind == KindGauge {
			found.Value = s.Value
		}
	}
	return found, ok
}

func hasTags(tags, match map[string]string) bool {
	for k, v := range match {
		if tags[k] != v {
			return false
		}
	}
	return true
}

func (s *memoryStore) get(name string, kind Kind, tags map[string]string) *Series {
	key := seriesKey(name, kind, tags)
	s.mu.Lock()
	defer s.mu.Unlock()
	series, ok := s.series[key]
	if !ok {
		series = &Series{Name: name, Kind: kind, Tags: maps.Clone(tags)}
		s.series[key] = series
	}
	return series
}

func seriesKey(name string, kind Kind, tags map[string]string) string {
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('|')
	b.WriteString(string(kind))
	names := make([]string, 0, len(tags))
	for k := range tags {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		b.WriteByte('|')
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(tags[k])
	}
	return b.String()
}

type memoryCounter struct {
	s     *Series
	store *memoryStore
}

func (c memoryCounter) Add(delta int64) {
	if delta < 0 {
		return
	}
	c.store.mu.Lock()
	c.s.Value += float64(delta)
	c.store.mu.Unlock()
}

type memoryGauge struct {
	s     *Series
	store *memoryStore
}

func (g memoryGauge) Set(value float64) {
	g.store.mu.Lock()
	g.s.Value = value
	g.store.mu.Unlock()
}

type memoryHistogram struct {
	s     *Series
	store *memoryStore
}

func (h memoryHistogram) Record(value float64) {
	h.store.mu.Lock()
	h.s.Values = append(h.s.Values, value)
	h.store.mu.Unlock()
}

type memoryTimer struct {
	s     *Series
	store *memoryStore
}

func (t memoryTimer) Record(d time.Duration) {
	t.store.mu.Lock()
	t.s.Values = append(t.s.Values, d.Seconds())
	t.store.mu.Unlock()
}
