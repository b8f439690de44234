package worker_test

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/metrics"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

// TestSDKMetricsOfAWorkflowRun runs a workflow with an activity on Sundial's engine
// with a client that records into memory, and checks the metrics Temporal's SDK
// dashboards read: names, tags and values.
func TestSDKMetricsOfAWorkflowRun(t *testing.T) {
	addr := startEngine(t)
	rec := metrics.NewMemoryHandler()
	c, err := client.Dial(context.Background(), client.Options{HostPort: addr, Logger: slog.New(slog.DiscardHandler), MetricsHandler: rec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	startWorker(t, c, "metrics", worker.Options{}, func(w *worker.Worker) error {
		return errors.Join(w.RegisterWorkflow(GreetingWorkflow), worker.RegisterActivityFunc(w, greet))
	})
	ctx := testContext(t)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "metrics"}, "GreetingWorkflow", "Mo")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}

	wf := map[string]string{"namespace": "default", "task_queue": "metrics", "workflow_type": "GreetingWorkflow",
		"worker_type": "WorkflowWorker", "client_name": "sundial_go", "activity_type": "none"}
	act := map[string]string{"namespace": "default", "task_queue": "metrics", "workflow_type": "GreetingWorkflow",
		"worker_type": "ActivityWorker", "client_name": "sundial_go", "activity_type": "Greet"}
	for _, want := range []struct {
		name  string
		tags  map[string]string
		count int // observations (timers) or value (counters)
	}{
		{metrics.WorkflowCompleted, wf, 1},
		{metrics.WorkflowEndToEndLatency, wf, 1},
		{metrics.WorkflowTaskExecutionLatency, wf, 2},
		{metrics.WorkflowTaskScheduleToStartLatency, wf, 2},
		{metrics.WorkflowTaskQueuePollSucceed, wf, 2},
		{metrics.StickyCacheHit, wf, 1},
		{metrics.ActivityScheduleToStartLatency, act, 1},
		{metrics.ActivityExecutionLatency, act, 1},
		{metrics.ActivitySucceedEndToEndLatency, act, 1},
		{metrics.WorkerStart, map[string]string{"worker_type": "WorkflowWorker", "task_queue": "metrics"}, 1},
		{metrics.WorkerStart, map[string]string{"worker_type": "ActivityWorker", "task_queue": "metrics"}, 1},
		{metrics.TemporalRequest, map[string]string{"operation": "StartWorkflowExecution", "namespace": "default", "task_queue": "metrics"}, 1},
		{metrics.TemporalRequest, map[string]string{"operation": "RespondActivityTaskCompleted", "namespace": "default"}, 1},
		{metrics.TemporalRequest, map[string]string{"operation": "RespondWorkflowTaskCompleted", "namespace": "default"}, 2},
	} {
		s, ok := rec.Find(want.name, want.tags)
		if !ok {
			t.Errorf("no %s with tags %v", want.name, want.tags)
			continue
		}
		got := int(s.Value)
		if s.Kind == metrics.KindTimer {
			got = len(s.Values)
		}
		if got != want.count {
			t.Errorf("%s %v = %d, want %d", want.name, want.tags, got, want.count)
		}
	}
	if _, ok := rec.Find(metrics.ActivityExecutionFailed, nil); ok {
		t.Error("a successful activity counted as failed")
	}
	if s, ok := rec.Find(metrics.TemporalLongRequest, map[string]string{"operation": "PollActivityTaskQueue"}); !ok || s.Value < 1 {
		t.Errorf("activity polls are not counted as long requests: %+v", s)
	}
	if _, ok := rec.Find(metrics.TemporalRequest, map[string]string{"operation": "PollActivityTaskQueue"}); ok {
		t.Error("a poll was counted as an ordinary request")
	}
	// After the run only the pollers hold activity slots (a poll reserves one).
	free := worker.DefaultMaxConcurrentActivityExecutionSize - worker.DefaultMaxConcurrentActivityTaskPollers
	if s, ok := rec.Find(metrics.WorkerTaskSlotsAvailable, map[string]string{"worker_type": "ActivityWorker"}); !ok || s.Value < float64(free) {
		t.Errorf("activity slots available = %+v, want at least %d after the run", s, free)
	}
	// Every series of one metric has the same tag names, as Prometheus requires.
	names := map[string][]string{}
	for _, s := range rec.Snapshot() {
		keys := sortedKeys(s.Tags)
		if prev, ok := names[s.Name+string(s.Kind)]; ok && !equalStrings(prev, keys) {
			t.Errorf("%s has series with tags %v and %v", s.Name, prev, keys)
		}
		names[s.Name+string(s.Kind)] = keys
	}
}

// TestSDKMetricsOfAFailedRequest checks the failure counter and its status code.
func TestSDKMetricsOfAFailedRequest(t *testing.T) {
	addr := startEngine(t)
	rec := metrics.NewMemoryHandler()
	c, err := client.Dial(context.Background(), client.Options{HostPort: addr, Logger: slog.New(slog.DiscardHandler), MetricsHandler: rec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.SignalWorkflow(ctx, "no-such-workflow", "", "hello", nil); err == nil {
		t.Fatal("signal to a missing workflow succeeded")
	}
	s, ok := rec.Find(metrics.TemporalRequestFailure, map[string]string{"operation": "SignalWorkflowExecution", "status_code": "NOT_FOUND"})
	if !ok || s.Value != 1 {
		t.Errorf("failure counter = %+v, want 1 NOT_FOUND", s)
	}
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

func equalStrings(a, b []string) bool { return slices.Equal(a, b) }

// TestSDKMetricsOfFailuresLocalActivitiesAndEvictions covers the outcomes the happy
// path does not: a failed run, a local activity, and a run pushed out of a full cache.
func TestSDKMetricsOfFailuresLocalActivitiesAndEvictions(t *testing.T) {
	addr := startEngine(t)
	rec := metrics.NewMemoryHandler()
	c, err := client.Dial(context.Background(), client.Options{HostPort: addr, Logger: slog.New(slog.DiscardHandler), MetricsHandler: rec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	failing := func(ctx workflow.Context) error { return errors.New("broken") }
	local := func(ctx workflow.Context) (string, error) {
		ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second})
		var s string
		err := workflow.ExecuteLocalActivity(ctx, "Greet", "local").Get(ctx, &s)
		return s, err
	}
	waiting := func(ctx workflow.Context) error {
		workflow.GetSignalChannel(ctx, "go").Receive(ctx, nil)
		return nil
	}
	startWorker(t, c, "outcomes", worker.Options{StickyWorkflowCacheSize: 1}, func(w *worker.Worker) error {
		return errors.Join(
			w.RegisterWorkflowWithOptions(failing, worker.RegisterWorkflowOptions{Name: "Failing"}),
			w.RegisterWorkflowWithOptions(local, worker.RegisterWorkflowOptions{Name: "Local"}),
			w.RegisterWorkflowWithOptions(waiting, worker.RegisterWorkflowOptions{Name: "Waiting"}),
			worker.RegisterActivityFunc(w, greet))
	})
	ctx := testContext(t)
	execute := func(id, workflowType string) client.WorkflowRun {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "outcomes"}, workflowType)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
	if err := execute("failing", "Failing").Get(ctx, nil); err == nil {
		t.Fatal("the failing workflow succeeded")
	}
	if err := execute("local", "Local").Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// Two waiting runs in a cache of one: the second pushes the first out.
	first, second := execute("wait-1", "Waiting"), execute("wait-2", "Waiting")
	for _, id := range []string{"wait-1", "wait-2"} {
		waitFor(t, func() bool {
			s, _ := rec.Find(metrics.WorkflowTaskExecutionLatency, map[string]string{"workflow_type": "Waiting"})
			return len(s.Values) >= map[string]int{"wait-1": 1, "wait-2": 2}[id]
		})
	}
	for _, run := range []client.WorkflowRun{first, second} {
		if err := run.Signal(ctx, "go", nil); err != nil {
			t.Fatal(err)
		}
		if err := run.Get(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}

	for _, want := range []struct {
		name  string
		tags  map[string]string
		value float64
	}{
		{metrics.WorkflowFailed, map[string]string{"workflow_type": "Failing"}, 1},
		{metrics.LocalActivityTotal, map[string]string{"activity_type": "Greet", "workflow_type": "Local", "worker_type": "LocalActivityWorker"}, 1},
		{metrics.WorkflowCompleted, map[string]string{"workflow_type": "Waiting"}, 2},
		{metrics.StickyCacheForcedEvictions, map[string]string{"workflow_type": "Waiting"}, 1},
	} {
		if s, ok := rec.Find(want.name, want.tags); !ok || s.Value < want.value {
			t.Errorf("%s %v = %+v, want %v", want.name, want.tags, s, want.value)
		}
	}
	if s, ok := rec.Find(metrics.LocalActivityExecutionLatency, map[string]string{"activity_type": "Greet"}); !ok || len(s.Values) != 1 {
		t.Errorf("local activity latency = %+v, want one observation", s)
	}
	if _, ok := rec.Find(metrics.WorkflowCompleted, map[string]string{"workflow_type": "Failing"}); ok {
		t.Error("the failed run counted as completed")
	}
}

// waitFor polls cond until it holds, failing the test after 10 s; metrics have no
// notification to wait on.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	waitWithin(t, 10*time.Second, cond)
}

// waitWithin polls cond until it holds, failing the test after d. Only for
// state the server announces nowhere (metrics, version registration, drainage).
func waitWithin(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
