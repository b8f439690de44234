package activities_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/contrib/promhandler"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/examples/activities"
	"github.com/sundialdev/sundial/internal/sdk/fakeserver"
	"github.com/sundialdev/sundial/worker"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// harness is a worker running against the fake WorkflowService.
type harness struct {
	server *fakeserver.Server
	client *client.Client
	worker *worker.Worker
}

func newHarness(t *testing.T, opts worker.Options, register func(w *worker.Worker) error) *harness {
	t.Helper()
	return newHarnessWithClient(t, client.Options{}, opts, register)
}

// newHarnessWithClient is newHarness with client options of the test's own.
func newHarnessWithClient(t *testing.T, copts client.Options, opts worker.Options, register func(w *worker.Worker) error) *harness {
	t.Helper()
	srv, err := fakeserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	copts.HostPort, copts.Logger = srv.Addr(), slog.New(slog.DiscardHandler)
	c, err := client.Dial(context.Background(), copts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	w := worker.New(c, "examples", opts)
	if err := register(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return &harness{server: srv, client: c, worker: w}
}

// addTask queues a task; token doubles as activity id, and the workflow id is "wf-"+token.
func (h *harness) addTask(t *testing.T, token, activityType string, args []any, adjust ...func(*workflowservice.PollActivityTaskQueueResponse)) {
	t.Helper()
	input, err := converter.GetDefaultDataConverter().ToPayloads(args...)
	if err != nil {
		t.Fatal(err)
	}
	now := timestamppb.Now()
	task := &workflowservice.PollActivityTaskQueueResponse{
		TaskToken:                   []byte(token),
		WorkflowNamespace:           "default",
		WorkflowType:                &commonpb.WorkflowType{Name: "ExampleWorkflow"},
		WorkflowExecution:           &commonpb.WorkflowExecution{WorkflowId: "wf-" + token, RunId: "run-" + token},
		ActivityType:                &commonpb.ActivityType{Name: activityType},
		ActivityId:                  token,
		Input:                       input,
		ScheduledTime:               now,
		CurrentAttemptScheduledTime: now,
		StartedTime:                 now,
		Attempt:                     1,
		StartToCloseTimeout:         durationpb.New(time.Minute),
		HeartbeatTimeout:            durationpb.New(10 * time.Second),
	}
	for _, f := range adjust {
		f(task)
	}
	h.server.AddTask(task)
}

func (h *harness) await(t *testing.T, cond func(v fakeserver.View) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.server.Await(ctx, cond); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) outcome(t *testing.T, token string) fakeserver.Outcome {
	t.Helper()
	h.await(t, func(v fakeserver.View) bool { _, ok := v.Outcome(token); return ok })
	o, _ := h.server.Outcome(token)
	return o
}

func decodeString(t *testing.T, payloads *commonpb.Payloads) string {
	t.Helper()
	var s string
	if err := converter.GetDefaultDataConverter().FromPayloads(payloads, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestWorkerRunsBasicActivities(t *testing.T) {
	h := newHarness(t, worker.Options{}, func(w *worker.Worker) error {
		if err := w.RegisterActivity(activities.ProcessData); err != nil {
			return err
		}
		return w.RegisterActivityWithOptions(activities.MyActivity, worker.RegisterActivityOptions{Name: activities.CustomActivityName})
	})
	h.addTask(t, "t1", "ProcessData", []any{"x"})
	h.addTask(t, "t2", activities.CustomActivityName, []any{"y"})
	if got := decodeString(t, h.outcome(t, "t1").Result); got != "Processed: x" {
		t.Errorf("got %q", got)
	}
	if got := decodeString(t, h.outcome(t, "t2").Result); got != "Result: y" {
		t.Errorf("got %q", got)
	}
}

func TestWorkerLongRunningTaskSendsProgress(t *testing.T) {
	h := newHarness(t, worker.Options{}, func(w *worker.Worker) error { return w.RegisterActivity(activities.LongRunningTask) })
	h.addTask(t, "t1", "LongRunningTask", []any{[]string{"a", "b", "c"}})
	o := h.outcome(t, "t1")
	var results []string
	if err := converter.GetDefaultDataConverter().FromPayloads(o.Result, &results); err != nil || strings.Join(results, "") != "ABC" {
		t.Errorf("results %v %v", results, err)
	}
	heartbeats := h.server.Heartbeats("t1")
	if len(heartbeats) == 0 {
		t.Fatal("no heartbeat reached the server")
	}
	var first activities.Progress
	if err := converter.GetDefaultDataConverter().FromPayloads(heartbeats[0].Details, &first); err != nil || first.Processed != 1 || first.Total != 3 {
		t.Errorf("first heartbeat %+v %v", first, err)
	}
}

func TestWorkerCancellableActivityIsReportedCanceled(t *testing.T) {
	rec := &recorder{}
	c := &activities.Cancellable{Resources: resources{rec}}
	h := newHarness(t, worker.Options{}, func(w *worker.Worker) error { return w.RegisterActivity(c.CancellableActivity) })
	h.server.ReplyToHeartbeats("t1", &workflowservice.RecordActivityTaskHeartbeatResponse{CancelRequested: true})
	h.addTask(t, "t1", "CancellableActivity", []any{activities.CancellableInput{Duration: time.Hour, Tick: 5 * time.Millisecond}})
	o := h.outcome(t, "t1")
	if o.Kind != fakeserver.Canceled || decodeString(t, o.Details) != "cancelled gracefully" {
		t.Errorf("outcome %+v", o)
	}
	if len(rec.list()) != 1 {
		t.Errorf("cleanups %v", rec.list())
	}
}

func TestWorkerShutdownAwareActivitySavesPartialResults(t *testing.T) {
	partial := &activities.PartialResults{}
	s := &activities.ShutdownAware{Partial: partial, ItemDuration: 10 * time.Millisecond}
	h := newHarness(t, worker.Options{GracefulShutdownTimeout: 10 * time.Second}, func(w *worker.Worker) error {
		return w.RegisterActivity(s.ShutdownAwareActivity)
	})
	items := make([]string, 1000)
	for i := range items {
		items[i] = "x"
	}
	h.addTask(t, "t1", "ShutdownAwareActivity", []any{items})
	h.await(t, func(v fakeserver.View) bool { return v.Polls() >= 3 }) // a poller took the task and polled again
	// The scenario: a few 10ms items are done when the worker stops.
	time.Sleep(30 * time.Millisecond)
	h.worker.Stop()
	o, ok := h.server.Outcome("t1")
	if !ok || o.Kind != fakeserver.Failed || !strings.Contains(o.Failure.GetMessage(), "partial results saved") {
		t.Fatalf("outcome %+v %v", o, ok)
	}
	if saved := partial.Saved(); len(saved) != 1 || len(saved[0]) == 0 {
		t.Errorf("saved %v", saved)
	}
}

func TestWorkerDetailedCancellationHandling(t *testing.T) {
	rec := &recorder{}
	d := &activities.DetailedCancellation{Cleaner: cleaner{rec}}
	h := newHarness(t, worker.Options{}, func(w *worker.Worker) error { return w.RegisterActivity(d.DetailedCancellationHandling) })

	h.server.ReplyToHeartbeats("requested", &workflowservice.RecordActivityTaskHeartbeatResponse{CancelRequested: true})
	h.addTask(t, "requested", "DetailedCancellationHandling", nil)
	if o := h.outcome(t, "requested"); o.Kind != fakeserver.Completed || decodeString(t, o.Result) != "Cancelled by request, cleanup completed" {
		t.Errorf("cancel requested: %+v", o)
	}

	h.addTask(t, "timeout", "DetailedCancellationHandling", nil, func(task *workflowservice.PollActivityTaskQueueResponse) {
		task.StartToCloseTimeout = durationpb.New(30 * time.Millisecond)
	})
	h.addTask(t, "shutdown", "DetailedCancellationHandling", nil)
	h.await(t, func(v fakeserver.View) bool {
		return len(v.Heartbeats("timeout")) > 0 && len(v.Heartbeats("shutdown")) > 0
	})
	time.Sleep(50 * time.Millisecond) // past the 30ms timeout
	h.worker.Stop()
	if o, ok := h.server.Outcome("timeout"); ok {
		t.Errorf("a timed-out attempt must not be reported: %+v", o)
	}
	if o, _ := h.server.Outcome("shutdown"); o.Kind != fakeserver.Completed || decodeString(t, o.Result) != "Worker shutdown, cleanup completed" {
		t.Errorf("shutdown: %+v", o)
	}
	got := strings.Join(rec.list(), ",")
	for _, kind := range []string{"cleanup cancellation", "cleanup timeout", "cleanup shutdown"} {
		if !strings.Contains(got, kind) {
			t.Errorf("cleanups %s lack %s", got, kind)
		}
	}
}

// completingSystem completes each task with the client as soon as it receives it.
type completingSystem struct {
	client *client.Client
	byID   bool
}

func (s *completingSystem) StartTask(_ context.Context, taskID string, token []byte) error {
	go func() {
		ctx := context.Background()
		if s.byID {
			_ = s.client.CompleteActivityByID(ctx, "default", "wf-"+taskID, "", taskID, "External completion result", nil)
			return
		}
		_ = s.client.CompleteActivity(ctx, token, "External completion result", nil)
	}()
	return nil
}

func TestWorkerAsyncCompletionFinishedByAClient(t *testing.T) {
	ext := &completingSystem{}
	a := &activities.AsyncCompletion{External: ext}
	h := newHarness(t, worker.Options{}, func(w *worker.Worker) error { return w.RegisterActivity(a.AsyncCompletionActivity) })
	ext.client = h.client
	h.addTask(t, "t1", "AsyncCompletionActivity", []any{"t1"})
	if o := h.outcome(t, "t1"); o.Kind != fakeserver.Completed || o.ByID || decodeString(t, o.Result) != "External completion result" {
		t.Errorf("by token: %+v", o)
	}
	ext.byID = true
	h.addTask(t, "t2", "AsyncCompletionActivity", []any{"t2"})
	if o := h.outcome(t, "t2"); o.Kind != fakeserver.Completed || !o.ByID {
		t.Errorf("by id: %+v", o)
	}
}

func TestWorkerDynamicActivity(t *testing.T) {
	h := newHarness(t, worker.Options{}, func(w *worker.Worker) error { return w.RegisterDynamicActivity(activities.DynamicActivity) })
	h.addTask(t, "t1", "add_numbers", []any{20, 22})
	if got := decodeString(t, h.outcome(t, "t1").Result); got != "Math result: 42" {
		t.Errorf("got %q", got)
	}
}

func TestWorkerMetricsActivityShowsOnPrometheusEndpoint(t *testing.T) {
	reg := prometheus.NewRegistry()
	handler := promhandler.NewHandler(promhandler.Options{Registerer: reg, OnError: func(err error) { t.Error(err) }})
	h := newHarnessWithClient(t, client.Options{MetricsHandler: handler}, worker.Options{}, func(w *worker.Worker) error {
		return w.RegisterActivity(activities.MetricsActivity)
	})
	h.addTask(t, "t1", "MetricsActivity", []any{25})
	h.outcome(t, "t1")
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	want := `activity_items_processed_total{activity_type="MetricsActivity",client_name="sundial_go",namespace="default",task_queue="examples",worker_type="ActivityWorker",workflow_type="ExampleWorkflow"} 25`
	if !strings.Contains(string(body), want) {
		t.Errorf("metrics lack %s:\n%s", want, body)
	}
	if !strings.Contains(string(body), "# TYPE activity_processing_duration histogram") {
		t.Errorf("metrics lack the histogram:\n%s", body)
	}
}

func TestWorkerInfoLoggingActivity(t *testing.T) {
	logs := &textRecorder{}
	h := newHarness(t, worker.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))}, func(w *worker.Worker) error {
		return w.RegisterActivity(activities.InfoLoggingActivity)
	})
	h.addTask(t, "t1", "InfoLoggingActivity", []any{"data"}, func(task *workflowservice.PollActivityTaskQueueResponse) {
		task.Priority = &commonpb.Priority{PriorityKey: 2}
	})
	if got := decodeString(t, h.outcome(t, "t1").Result); got != "Processed data in attempt 1" {
		t.Errorf("got %q", got)
	}
	text := logs.String()
	for _, want := range []string{
		`msg="Activity started" activity_id=t1 activity_type=InfoLoggingActivity attempt=1 workflow_id=wf-t1 workflow_run_id=run-t1 workflow_type=ExampleWorkflow namespace=default task_queue=examples`,
		"workflow=ExampleWorkflow:wf-t1", "heartbeat_timeout=10s", "priority_key=2",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("logs lack %q:\n%s", want, text)
		}
	}
}

func TestWorkerQueryExternalServiceUsesTheClient(t *testing.T) {
	h := newHarness(t, worker.Options{}, func(w *worker.Worker) error { return w.RegisterActivity(activities.QueryExternalService) })
	h.addTask(t, "t1", "QueryExternalService", []any{"u7"})
	h.await(t, func(v fakeserver.View) bool { _, ok := v.StartedWorkflow("external-u7"); return ok })
	req, _ := h.server.StartedWorkflow("external-u7")
	if req.GetWorkflowType().GetName() != "external_workflow" || req.GetTaskQueue().GetName() != "external-queue" {
		t.Errorf("start request %v", req)
	}
	result, err := converter.GetDefaultDataConverter().ToPayloads("profile of u7")
	if err != nil {
		t.Fatal(err)
	}
	h.server.CompleteWorkflow("external-u7", result)
	if got := decodeString(t, h.outcome(t, "t1").Result); got != "profile of u7" {
		t.Errorf("got %q", got)
	}
}

func TestWorkerRobustDataProcessor(t *testing.T) {
	r := &activities.Robust{Partial: &activities.PartialResults{}, ProcessItem: func(_ context.Context, item map[string]any) (map[string]any, error) {
		return item, nil
	}}
	h := newHarness(t, worker.Options{}, func(w *worker.Worker) error {
		return worker.RegisterActivityFunc(w, activity.DefineNamed(activities.RobustDataProcessorName, r.Process))
	})
	h.addTask(t, "t1", activities.RobustDataProcessorName, []any{activities.RobustInput{Data: []map[string]any{{"a": 1}, {"b": 2}}}})
	var result activities.RobustResult
	if err := converter.GetDefaultDataConverter().FromPayloads(h.outcome(t, "t1").Result, &result); err != nil {
		t.Fatal(err)
	}
	if result.ProcessedItems != 2 || result.ActivityID != "t1" || result.WorkflowID != "wf-t1" {
		t.Errorf("result %+v", result)
	}
}
