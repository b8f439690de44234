package metrics_test

import (
	"testing"
	"time"

	"github.com/sundialdev/sundial/metrics"
)

func TestMemoryHandlerRecordsEveryKindWithTags(t *testing.T) {
	h := metrics.NewMemoryHandler()
	orders := h.WithTags(map[string]string{"task_queue": "orders"})
	orders.Counter("c", metrics.Options{}).Add(2)
	orders.Counter("c", metrics.Options{}).Add(-1) // ignored
	orders.WithTags(map[string]string{"task_queue": "billing"}).Counter("c", metrics.Options{}).Add(5)
	orders.Gauge("g", metrics.Options{}).Set(1)
	orders.Gauge("g", metrics.Options{}).Set(4)
	orders.Histogram("h", metrics.Options{}).Record(0.5)
	orders.Timer("t", metrics.Options{}).Record(250 * time.Millisecond)

	if s, ok := h.Find("c", map[string]string{"task_queue": "orders"}); !ok || s.Value != 2 {
		t.Errorf("orders counter = %+v", s)
	}
	if s, ok := h.Find("c", nil); !ok || s.Value != 7 {
		t.Errorf("all counters = %+v, want 7", s)
	}
	if s, ok := h.Find("g", nil); !ok || s.Value != 4 || s.Kind != metrics.KindGauge {
		t.Errorf("gauge = %+v", s)
	}
	if s, ok := h.Find("t", nil); !ok || len(s.Values) != 1 || s.Values[0] != 0.25 {
		t.Errorf("timer = %+v, want one 0.25 s", s)
	}
	if _, ok := h.Find("c", map[string]string{"task_queue": "shipping"}); ok {
		t.Error("found a series with tags nobody recorded")
	}
	if n := len(h.Snapshot()); n != 5 {
		t.Errorf("%d series, want 5", n)
	}
}

func TestIsNop(t *testing.T) {
	if !metrics.IsNop(nil) || !metrics.IsNop(metrics.NopHandler) || !metrics.IsNop(metrics.NopHandler.WithTags(nil)) {
		t.Error("nil and NopHandler must be no-ops")
	}
	if metrics.IsNop(metrics.NewMemoryHandler()) {
		t.Error("a recording handler is not a no-op")
	}
}

// BenchmarkNopHandler is the cost of recording through the no-op handler.
func BenchmarkNopHandler(b *testing.B) {
	h := metrics.NopHandler
	b.ReportAllocs()
	for b.Loop() {
		h.Counter(metrics.TemporalRequest, metrics.Options{}).Add(1)
		h.Timer(metrics.TemporalRequestLatency, metrics.Options{}).Record(time.Millisecond)
	}
}
