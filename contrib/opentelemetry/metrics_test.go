package opentelemetry_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/contrib/opentelemetry"
)

// TestMetricsHandlerWithManualReader runs a workflow with the OpenTelemetry handler
// and reads what the SDK's meter provider collected.
func TestMetricsHandlerWithManualReader(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = provider.Shutdown(context.Background()) })
	handler := opentelemetry.NewMetricsHandler(opentelemetry.MetricsHandlerOptions{
		Meter:   provider.Meter("test"),
		OnError: func(err error) { t.Error(err) },
	})
	runGreeting(t, startEngine(t), "otel-metrics", client.Options{MetricsHandler: handler})

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	byName := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			byName[m.Name] = m
		}
	}
	completed, ok := byName["temporal_workflow_completed"].Data.(metricdata.Sum[int64])
	if !ok || !completed.IsMonotonic || len(completed.DataPoints) != 1 || completed.DataPoints[0].Value != 1 {
		t.Fatalf("temporal_workflow_completed = %+v", byName["temporal_workflow_completed"])
	}
	attrs := completed.DataPoints[0].Attributes
	for k, want := range map[string]string{"workflow_type": "Greeting", "namespace": "default", "task_queue": "otel-metrics", "worker_type": "WorkflowWorker"} {
		if got, _ := attrs.Value(attribute.Key(k)); got.AsString() != want {
			t.Errorf("temporal_workflow_completed %s = %q, want %q", k, got.AsString(), want)
		}
	}
	latency := byName["temporal_activity_execution_latency"]
	hist, ok := latency.Data.(metricdata.Histogram[float64])
	if !ok || latency.Unit != "s" || len(hist.DataPoints) != 1 || hist.DataPoints[0].Count != 1 {
		t.Fatalf("temporal_activity_execution_latency = %+v", latency)
	}
	if got, _ := hist.DataPoints[0].Attributes.Value("activity_type"); got.AsString() != "Greet" {
		t.Errorf("activity_type = %q", got.AsString())
	}
	slots, ok := byName["temporal_worker_task_slots_available"].Data.(metricdata.Gauge[float64])
	if !ok || len(slots.DataPoints) == 0 {
		t.Errorf("temporal_worker_task_slots_available = %+v", byName["temporal_worker_task_slots_available"])
	}
	requests, ok := byName["temporal_request"].Data.(metricdata.Sum[int64])
	if !ok || len(requests.DataPoints) == 0 {
		t.Errorf("temporal_request = %+v", byName["temporal_request"])
	}
}
