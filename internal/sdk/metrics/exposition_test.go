package metrics

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sundialdev/sundial/activity"
)

func TestWriteTextRendersEveryKindSorted(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	m := reg.Meter().WithTags(map[string]string{"task_queue": "orders"})

	items := m.Counter("items_processed", activity.MetricOptions{Description: "Items processed"})
	items.Add(2)
	items.Add(3)
	items.Add(-7) // ignored: counters only go up
	m.WithTags(map[string]string{"activity_type": "Charge"}).Counter("items_processed", activity.MetricOptions{}).Add(1)
	m.Gauge("queue.depth", activity.MetricOptions{Description: "Depth\nof \\queue"}).Set(2.5)
	h := m.Histogram("duration", activity.MetricOptions{Buckets: []float64{1, 0.5, 1}})
	h.Record(0.2)
	h.Record(0.7)
	h.Record(3)

	var b strings.Builder
	if err := reg.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `# TYPE duration histogram
duration_bucket{task_queue="orders",le="0.5"} 1
duration_bucket{task_queue="orders",le="1"} 2
duration_bucket{task_queue="orders",le="+Inf"} 3
duration_sum{task_queue="orders"} 3.9
duration_count{task_queue="orders"} 3
# HELP items_processed Items processed
# TYPE items_processed counter
items_processed{activity_type="Charge",task_queue="orders"} 1
items_processed{task_queue="orders"} 5
# HELP queue_depth Depth\nof \\queue
# TYPE queue_depth gauge
queue_depth{task_queue="orders"} 2.5
`
	if got := b.String(); got != want {
		t.Errorf("exposition mismatch\ngot:\n%s\nwant:\n%s", got, want)
	}
}

func TestSameNameAndLabelsShareOneSeries(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	reg.Meter().Counter("c", activity.MetricOptions{}).Add(1)
	reg.Meter().Counter("c", activity.MetricOptions{}).Add(1)
	var b strings.Builder
	if err := reg.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "c 2\n") {
		t.Errorf("want one series with value 2, got:\n%s", b.String())
	}
}

func TestKindConflictRecordsNothing(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	reg.Meter().Counter("x", activity.MetricOptions{}).Add(4)
	reg.Meter().Gauge("x", activity.MetricOptions{}).Set(99)
	var b strings.Builder
	if err := reg.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "# TYPE x counter\nx 4\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLabelValuesAreEscapedAndNamesSanitized(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	reg.Meter().WithTags(map[string]string{"bad-label": "a\"b\\c\nd"}).Gauge("9lives", activity.MetricOptions{}).Set(1)
	var b strings.Builder
	if err := reg.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "# TYPE _9lives gauge\n_9lives{bad_label=\"a\\\"b\\\\c\\nd\"} 1\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestHandlerServesTextFormat(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	reg.Meter().Counter("served_total", activity.MetricOptions{}).Add(1)
	srv := httptest.NewServer(reg.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != ContentType {
		t.Errorf("content type %q, want %q", ct, ContentType)
	}
	if !strings.Contains(string(body), "served_total 1\n") {
		t.Errorf("body %q lacks the counter", body)
	}
}
