package worker

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
)

func TestMetricsEndpointServesActivityMetrics(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{MetricsListenAddr: "127.0.0.1:0"})
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

	resp, err := http.Get("http://" + w.MetricsAddr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	text := string(body)
	for _, want := range []string{
		"# HELP activity_items_processed Items processed\n",
		`activity_items_processed{activity_type="Process",namespace="default",task_queue="test-queue"} 3` + "\n",
		`activity_processing_duration_count{activity_type="Process",namespace="default",task_queue="test-queue"} 1` + "\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}
	w.Stop()
	if _, err := http.Get("http://" + w.MetricsAddr().String() + "/metrics"); err == nil {
		t.Error("the metrics endpoint must close with the worker")
	}
}

func TestWorkerRecordsExecutionMetrics(t *testing.T) {
	b := setup(t)
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
	rec := httptest.NewRecorder()
	w.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	text := rec.Body.String()
	labels := `{activity_type="Mixed",namespace="default",task_queue="test-queue"}`
	for _, want := range []string{
		"temporal_activity_execution_latency_count" + labels + " 3\n",
		"temporal_activity_execution_failed" + labels + " 1\n",
		"temporal_activity_schedule_to_start_latency_count" + labels + " 3\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}
}
