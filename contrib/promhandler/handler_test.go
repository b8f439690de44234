package promhandler_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/contrib/promhandler"
	"github.com/sundialdev/sundial/metrics"
	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

func scrape(t *testing.T, reg *prom.Registry) string {
	t.Helper()
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %v, status %d:\n%s", err, resp.StatusCode, body)
	}
	return string(body)
}

func TestKindsNamesAndLabels(t *testing.T) {
	reg := prom.NewRegistry()
	var errs []error
	h := promhandler.NewHandler(promhandler.Options{Registerer: reg, OnError: func(err error) { errs = append(errs, err) }})
	tagged := h.WithTags(map[string]string{"task_queue": "orders", "bad-label": "x"})
	tagged.Counter("items.processed", metrics.Options{Description: "Items"}).Add(2)
	tagged.Counter("items.processed", metrics.Options{}).Add(3)
	tagged.Counter("items.processed", metrics.Options{}).Add(-9) // ignored
	tagged.Gauge("depth", metrics.Options{}).Set(2.5)
	tagged.Histogram("size", metrics.Options{Buckets: []float64{10, 1, 10}}).Record(5)
	tagged.Timer("temporal_request_latency", metrics.Options{}).Record(1500 * time.Millisecond)
	// Other label names than the first use: dropped and reported.
	h.Counter("items.processed", metrics.Options{}).Add(1)
	if len(errs) != 1 {
		t.Errorf("errors = %v, want one for the inconsistent labels", errs)
	}
	text := scrape(t, reg)
	for _, want := range []string{
		"# HELP items_processed_total Items\n",
		`items_processed_total{bad_label="x",task_queue="orders"} 5` + "\n",
		`depth{bad_label="x",task_queue="orders"} 2.5` + "\n",
		`size_bucket{bad_label="x",task_queue="orders",le="1"} 0` + "\n",
		`size_bucket{bad_label="x",task_queue="orders",le="10"} 1` + "\n",
		`temporal_request_latency_seconds_bucket{bad_label="x",task_queue="orders",le="1"} 0` + "\n",
		`temporal_request_latency_seconds_bucket{bad_label="x",task_queue="orders",le="2.5"} 1` + "\n",
		`temporal_request_latency_seconds_sum{bad_label="x",task_queue="orders"} 1.5` + "\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("scrape lacks %q:\n%s", want, text)
		}
	}
}

func TestHandlersShareARegistry(t *testing.T) {
	reg := prom.NewRegistry()
	fail := func(err error) { t.Error(err) }
	for range 2 {
		promhandler.NewHandler(promhandler.Options{Registerer: reg, OnError: fail}).Counter("shared", metrics.Options{}).Add(1)
	}
	if text := scrape(t, reg); !strings.Contains(text, "shared_total 2\n") {
		t.Errorf("want one series counting both handlers:\n%s", text)
	}
}

func greet(_ context.Context, name string) (string, error) { return "Hello, " + name, nil }

func greeting(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var s string
	err := workflow.ExecuteActivity(ctx, "Greet", name).Get(ctx, &s)
	return s, err
}

// TestWorkflowRunScrapesUnderDashboardNames runs a workflow on Sundial's engine with the
// handler and checks the scrape holds the series Temporal's Go SDK dashboard (the tally
// one) queries, with the labels it groups by.
func TestWorkflowRunScrapesUnderDashboardNames(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	srv, err := server.New(server.Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:", Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })

	reg := prom.NewRegistry()
	handler := promhandler.NewHandler(promhandler.Options{Registerer: reg, OnError: func(err error) { t.Error(err) }})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.Options{HostPort: srv.Addr(), Logger: logger, MetricsHandler: handler})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w := worker.New(c, "prom", worker.Options{Logger: logger})
	if err := errors.Join(w.RegisterWorkflowWithOptions(greeting, worker.RegisterWorkflowOptions{Name: "Greeting"}),
		w.RegisterActivityWithOptions(greet, worker.RegisterActivityOptions{Name: "Greet"})); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "prom"}, "Greeting", "Mo")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	text := scrape(t, reg)
	for _, want := range []string{
		`temporal_request_total{activity_type="none",client_name="sundial_go",namespace="default",operation="StartWorkflowExecution",task_queue="prom",worker_type="none",workflow_type="none"} 1`,
		`temporal_request_latency_seconds_bucket{activity_type="none",client_name="sundial_go",namespace="default",operation="StartWorkflowExecution",task_queue="prom",worker_type="none",workflow_type="none",le="+Inf"} 1`,
		`temporal_long_request_total{activity_type="none",client_name="sundial_go",namespace="default",operation="PollActivityTaskQueue",task_queue="prom",worker_type="none",workflow_type="none"}`,
		`temporal_workflow_completed_total{activity_type="none",client_name="sundial_go",namespace="default",task_queue="prom",worker_type="WorkflowWorker",workflow_type="Greeting"} 1`,
		`temporal_workflow_endtoend_latency_seconds_count{activity_type="none",client_name="sundial_go",namespace="default",task_queue="prom",worker_type="WorkflowWorker",workflow_type="Greeting"} 1`,
		`temporal_workflow_task_execution_latency_seconds_count{activity_type="none",client_name="sundial_go",namespace="default",task_queue="prom",worker_type="WorkflowWorker",workflow_type="Greeting"} 2`,
		`temporal_workflow_task_schedule_to_start_latency_seconds_count{activity_type="none",client_name="sundial_go",namespace="default",task_queue="prom",worker_type="WorkflowWorker",workflow_type="Greeting"} 2`,
		`temporal_workflow_task_queue_poll_succeed_total{activity_type="none",client_name="sundial_go",namespace="default",task_queue="prom",worker_type="WorkflowWorker",workflow_type="Greeting"} 2`,
		`temporal_activity_execution_latency_seconds_count{activity_type="Greet",client_name="sundial_go",namespace="default",task_queue="prom",worker_type="ActivityWorker",workflow_type="Greeting"} 1`,
		`temporal_activity_schedule_to_start_latency_seconds_count{activity_type="Greet",client_name="sundial_go",namespace="default",task_queue="prom",worker_type="ActivityWorker",workflow_type="Greeting"} 1`,
		`temporal_activity_succeed_endtoend_latency_seconds_count{activity_type="Greet",client_name="sundial_go",namespace="default",task_queue="prom",worker_type="ActivityWorker",workflow_type="Greeting"} 1`,
		`temporal_sticky_cache_hit_total{activity_type="none",client_name="sundial_go",namespace="default",task_queue="prom",worker_type="WorkflowWorker",workflow_type="Greeting"} 1`,
		`temporal_sticky_cache_size{activity_type="none",client_name="sundial_go",namespace="default",task_queue="prom",worker_type="WorkflowWorker",workflow_type="none"} 0`,
		`temporal_worker_start_total{activity_type="none",client_name="sundial_go",namespace="default",task_queue="prom",worker_type="ActivityWorker",workflow_type="none"} 1`,
		`temporal_poller_start_total{activity_type="none",client_name="sundial_go",namespace="default",task_queue="prom",worker_type="WorkflowWorker",workflow_type="none"} 2`,
		`temporal_worker_task_slots_available{activity_type="none",client_name="sundial_go",namespace="default",task_queue="prom",worker_type="WorkflowWorker",workflow_type="none"} 1000`,
		`temporal_worker_task_slots_used{activity_type="none",client_name="sundial_go",namespace="default",task_queue="prom",worker_type="WorkflowWorker",workflow_type="none"} 0`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}
