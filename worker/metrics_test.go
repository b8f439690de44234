package worker

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/internal/sdk/fakeserver"
	"github.com/sundialdev/sundial/metrics"
)

// setupWithMetrics is setup with a client that records metrics into the returned
// handler.
func setupWithMetrics(t *testing.T) (*testBundle, *metrics.MemoryHandler) {
	t.Helper()
	srv, err := fakeserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	rec := metrics.NewMemoryHandler()
	c, err := client.Dial(context.Background(), client.Options{
		HostPort: srv.Addr(), Identity: "test-client", Logger: slog.New(slog.DiscardHandler), MetricsHandler: rec,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &testBundle{server: srv, client: c}, rec
}

func TestActivityMeterRecordsWithActivityTags(t *testing.T) {
	b, rec := setupWithMetrics(t)
	w := b.newWorker(t, Options{})
	err := w.RegisterActivityWithOptions(func(ctx context.Context, items int) error {
		meter := activity.GetMetricMeter(ctx)
		processed := meter.Counter("activity_items_processed", activity.MetricOptions{Description: "Items processed"})
		for range items {
			processed.Add(1)
		}
		meter.Histogram("activity_processing_duration", activity.MetricOptions{}).Record(0.3)
		return nil
	}, RegisterActivityOptions{Name: "Process"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, w)
	b.server.AddTask(newTask(t, "t1", "Process", []any{3}))
	b.awaitOutcome(t, "t1")

	tags := map[string]string{"activity_type": "Process", "namespace": "default", "task_queue": "test-queue",
		"workflow_type": newTask(t, "x", "Process", nil).GetWorkflowType().GetName(), "worker_type": "ActivityWorker"}
	if s, ok := rec.Find("activity_items_processed", tags); !ok || s.Value != 3 {
		t.Errorf("items counter = %+v, want 3 with tags %v\n%v", s, tags, rec.Snapshot())
	}
	if s, ok := rec.Find("activity_processing_duration", tags); !ok || len(s.Values) != 1 || s.Values[0] != 0.3 {
		t.Errorf("histogram = %+v, want one 0.3", s)
	}
}

func TestWorkerRecordsExecutionMetrics(t *testing.T) {
	b, rec := setupWithMetrics(t)
	w := b.newWorker(t, Options{})
	err := w.RegisterActivityWithOptions(func(ctx context.Context, kind string) error {
		switch kind {
		case "fail":
			return errors.New("failed")
		case "benign":
			return sundial.NewApplicationErrorWithOptions("expected", "Expected",
				sundial.ApplicationErrorOptions{Category: sundial.ApplicationErrorCategoryBenign})
		}
		return nil
	}, RegisterActivityOptions{Name: "Mixed"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, w)
	for _, kind := range []string{"ok", "fail", "benign"} {
		b.server.AddTask(newTask(t, kind, "Mixed", []any{kind}))
		b.awaitOutcome(t, kind)
	}
	tags := map[string]string{"activity_type": "Mixed", "namespace": "default", "task_queue": "test-queue"}
	if s, ok := rec.Find(metrics.ActivityExecutionLatency, tags); !ok || len(s.Values) != 3 {
		t.Errorf("execution latency = %+v, want 3 observations", s)
	}
	if s, ok := rec.Find(metrics.ActivityExecutionFailed, tags); !ok || s.Value != 1 {
		t.Errorf("failures = %+v, want 1 (benign errors do not count)", s)
	}
	if s, ok := rec.Find(metrics.ActivityScheduleToStartLatency, tags); !ok || len(s.Values) != 3 {
		t.Errorf("schedule-to-start = %+v, want 3 observations", s)
	}
}

// BenchmarkActivityTaskMetricsNop measures what the metrics calls of one activity
// task cost when no handler is configured.
func BenchmarkActivityTaskMetricsNop(b *testing.B) {
	m := newWorkerMetrics(metrics.NopHandler, "q")
	info := activity.Info{ActivityType: "A", WorkflowType: "W"}
	b.ReportAllocs()
	for b.Loop() {
		meter := m.forActivity(m.activity, info)
		m.activityScheduleToStart(meter, info)
		m.slots(m.activity, 1, 10)
		m.activityExecuted(meter, false, 0, outcomeCompleted, nil)
		m.activitySucceeded(meter, info)
	}
}
