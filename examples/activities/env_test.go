package activities_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/examples/activities"
	"github.com/sundialdev/sundial/sundialtest"
)

// recorder implements the examples' cleanup, resource and external-system hooks.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(event string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event)
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func (r *recorder) Cleanup(ctx context.Context, kinds ...string) error {
	if ctx.Err() != nil {
		return errors.New("cleanup ran on a cancelled context")
	}
	r.add("cleanup " + strings.Join(kinds, ""))
	return nil
}

// resources adapts recorder to activities.Resources.
type resources struct{ *recorder }

func (r resources) Cleanup(ctx context.Context) error { return r.recorder.Cleanup(ctx) }

// cleaner adapts recorder to activities.Cleaner.
type cleaner struct{ *recorder }

func (c cleaner) Cleanup(ctx context.Context, kind string) error {
	return c.recorder.Cleanup(ctx, kind)
}

func runString(t *testing.T, env *sundialtest.ActivityEnvironment, fn any, args ...any) (string, error) {
	t.Helper()
	value, err := env.Run(context.Background(), fn, args...)
	if err != nil || value == nil {
		return "", err
	}
	var out string
	if err := value.Get(&out); err != nil {
		t.Fatal(err)
	}
	return out, nil
}

func TestBasicActivities(t *testing.T) {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	if out, err := runString(t, env, activities.ProcessData, "x"); err != nil || out != "Processed: x" {
		t.Errorf("ProcessData: %q %v", out, err)
	}
	named := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{
		Info: activity.Info{ActivityType: activities.CustomActivityName},
	})
	if out, err := runString(t, named, activities.MyActivity, "y"); err != nil || out != "Result: y" {
		t.Errorf("MyActivity: %q %v", out, err)
	}
}

func TestCancellableActivity(t *testing.T) {
	rec := &recorder{}
	c := &activities.Cancellable{Resources: resources{rec}}
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	out, err := runString(t, env, c.CancellableActivity, activities.CancellableInput{Duration: 30 * time.Millisecond, Tick: 5 * time.Millisecond})
	if err != nil || out != "Completed successfully" || len(env.Heartbeats()) == 0 {
		t.Errorf("uncancelled: %q %v, %d heartbeats", out, err, len(env.Heartbeats()))
	}

	env.Cancel(activity.CancelRequested)
	_, err = runString(t, env, c.CancellableActivity, activities.CancellableInput{Duration: time.Hour, Tick: time.Millisecond})
	var canceled *sundial.CanceledError
	if !errors.As(err, &canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	var detail string
	if err := canceled.Details(&detail); err != nil || detail != "cancelled gracefully" {
		t.Errorf("detail %q %v", detail, err)
	}
	if got := rec.list(); len(got) != 1 || got[0] != "cleanup " {
		t.Errorf("cleanups %v", got)
	}
}

func TestShutdownAwareActivity(t *testing.T) {
	partial := &activities.PartialResults{}
	s := &activities.ShutdownAware{Partial: partial, ItemDuration: 5 * time.Millisecond}
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	out, err := env.Run(context.Background(), s.ShutdownAwareActivity, []string{"a", "b"})
	var results []string
	if err != nil || out.Get(&results) != nil || strings.Join(results, "") != "AB" {
		t.Errorf("no shutdown: %v %v", results, err)
	}

	env = sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	// 400 items of 5ms: a shutdown a few items in lands long before the end, even
	// when a loaded machine delays it by a second.
	items := strings.Split(strings.Repeat("x", 400), "")
	go func() {
		time.Sleep(12 * time.Millisecond) // the scenario: shut down a few items into the run
		env.ShutdownWorker()
	}()
	_, err = env.Run(context.Background(), s.ShutdownAwareActivity, items)
	if err == nil || !strings.Contains(err.Error(), "partial results saved") {
		t.Fatalf("err %v", err)
	}
	saved := partial.Saved()
	if len(saved) != 1 || len(saved[0]) == 0 || len(saved[0]) == len(items) {
		t.Errorf("saved %v: want some but not all items", saved)
	}
}

func TestGracefulShutdownActivity(t *testing.T) {
	partial := &activities.PartialResults{}
	s := &activities.ShutdownAware{Partial: partial}
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	env.ShutdownWorker()
	_, err := env.Run(context.Background(), s.GracefulShutdownActivity, []string{"a", "b"})
	if err == nil || !strings.Contains(err.Error(), "saved 1 results") {
		t.Errorf("err %v", err)
	}
}

func TestDetailedCancellationHandlingPerReason(t *testing.T) {
	cases := []struct {
		reason  activity.CancelReason
		want    string
		cleanup string
	}{
		{activity.TimedOut, "Timed out, cleanup completed", "cleanup timeout"},
		{activity.CancelRequested, "Cancelled by request, cleanup completed", "cleanup cancellation"},
		{activity.WorkerShutdown, "Worker shutdown, cleanup completed", "cleanup shutdown"},
	}
	for _, tc := range cases {
		t.Run(tc.reason.String(), func(t *testing.T) {
			rec := &recorder{}
			d := &activities.DetailedCancellation{Cleaner: cleaner{rec}}
			env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
			env.Cancel(tc.reason)
			out, err := runString(t, env, d.DetailedCancellationHandling)
			if err != nil || out != tc.want {
				t.Errorf("got %q %v, want %q", out, err, tc.want)
			}
			if got := rec.list(); len(got) != 1 || got[0] != tc.cleanup {
				t.Errorf("cleanups %v, want %q", got, tc.cleanup)
			}
		})
	}
	t.Run("real timeout", func(t *testing.T) {
		rec := &recorder{}
		d := &activities.DetailedCancellation{Cleaner: cleaner{rec}}
		env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{
			Info: activity.Info{StartToCloseTimeout: 10 * time.Millisecond},
		})
		if out, err := runString(t, env, d.DetailedCancellationHandling); out != "Timed out, cleanup completed" || err != nil {
			t.Errorf("got %q %v", out, err)
		}
	})
}

type criticalWork struct{ *recorder }

func (w criticalWork) Perform(ctx context.Context, data string) (string, error) {
	if ctx.Err() != nil {
		return "", errors.New("critical section interrupted")
	}
	w.add("perform")
	return " done " + data + " ", nil
}

func (w criticalWork) ReleaseResources(ctx context.Context) error {
	if ctx.Err() != nil {
		return errors.New("release interrupted")
	}
	w.add("release")
	return nil
}

func TestShieldedCriticalSection(t *testing.T) {
	rec := &recorder{}
	s := &activities.Shielded{Work: criticalWork{rec}}
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	if out, err := runString(t, env, s.ActivityWithCleanup, "x"); err != nil || out != "done x" {
		t.Errorf("got %q %v", out, err)
	}
	env.Cancel(activity.CancelRequested)
	if out, err := runString(t, env, s.ActivityWithCleanup, "y"); err != nil || out != "Cancelled after cleanup" {
		t.Errorf("got %q %v", out, err)
	}
	if got := strings.Join(rec.list(), ","); got != "perform,release,perform,release" {
		t.Errorf("events %s", got)
	}
}

type external struct {
	mu     sync.Mutex
	tokens map[string][]byte
}

func (e *external) StartTask(_ context.Context, taskID string, token []byte) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tokens == nil {
		e.tokens = map[string][]byte{}
	}
	e.tokens[taskID] = token
	return nil
}

func (e *external) token(taskID string) []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.tokens[taskID]
}

func TestAsyncCompletionActivity(t *testing.T) {
	ext := &external{}
	a := &activities.AsyncCompletion{External: ext}
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{
		Info: activity.Info{TaskToken: []byte("tok")},
	})
	_, err := runString(t, env, a.AsyncCompletionActivity, "task-9")
	if !errors.Is(err, sundial.ErrResultPending) || string(ext.token("task-9")) != "tok" {
		t.Errorf("err %v, token %q", err, ext.token("task-9"))
	}
}

// metricMeter counts counter additions and histogram records by name.
type metricMeter struct {
	activity.MetricMeter
	mu     sync.Mutex
	values map[string]float64
}

type recordFunc func(float64)

func (f recordFunc) Add(d int64)      { f(float64(d)) }
func (f recordFunc) Record(v float64) { f(v) }

func (m *metricMeter) add(name string, v float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.values[name] += v
}

func (m *metricMeter) Counter(name string, _ activity.MetricOptions) activity.MetricCounter {
	return recordFunc(func(v float64) { m.add(name, v) })
}

func (m *metricMeter) Histogram(name string, _ activity.MetricOptions) activity.MetricHistogram {
	return recordFunc(func(float64) { m.add(name+"_count", 1) })
}

func TestMetricsActivity(t *testing.T) {
	meter := &metricMeter{MetricMeter: activity.NopMetricMeter(), values: map[string]float64{}}
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{MetricMeter: meter})
	out, err := runString(t, env, activities.MetricsActivity, 25)
	if err != nil || !strings.HasPrefix(out, "Processed 25 items in ") {
		t.Errorf("got %q %v", out, err)
	}
	if meter.values["activity_items_processed"] != 25 || meter.values["activity_processing_duration_count"] != 1 {
		t.Errorf("metrics %v", meter.values)
	}
}

// textRecorder collects log output as text.
type textRecorder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (r *textRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.b.Write(p)
}

func (r *textRecorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.b.String()
}

func TestInfoAndLoggingActivities(t *testing.T) {
	logs := &textRecorder{}
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Info: activity.Info{ActivityType: "info_logging_activity", Attempt: 2, WorkflowID: "wf-1", WorkflowType: "Orders",
			HeartbeatTimeout: time.Second, StartToCloseTimeout: time.Minute, Priority: sundial.Priority{PriorityKey: 3}},
	})
	for _, fn := range []any{activities.TrackedActivity, activities.InfoLoggingActivity} {
		if out, err := runString(t, env, fn, "data"); err != nil || out != "Processed data in attempt 2" {
			t.Errorf("got %q %v", out, err)
		}
	}
	if out, err := runString(t, env, activities.LoggingActivity, "hi"); err != nil || out != "Logged: hi" {
		t.Errorf("got %q %v", out, err)
	}
	text := logs.String()
	for _, want := range []string{
		"Processing activity info_logging_activity (attempt 2) for workflow wf-1",
		"workflow=Orders:wf-1", "heartbeat_timeout=1s", "priority_key=3", "start_to_close_timeout=1m0s",
		"custom_field=custom_value", "level=WARN",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("logs lack %q:\n%s", want, text)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if !strings.Contains(line, "activity_id=test") || !strings.Contains(line, "workflow_id=wf-1") || !strings.Contains(line, "attempt=2") {
			t.Errorf("record without activity context: %s", line)
		}
	}

	var inside string
	if _, err := env.Run(context.Background(), func(ctx context.Context) error {
		inside = activities.ConditionalLogic(ctx)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if inside != "in activity" || activities.ConditionalLogic(context.Background()) != "outside activity" {
		t.Errorf("conditional logic: %q", inside)
	}
}

func TestRobustDataProcessor(t *testing.T) {
	partial := &activities.PartialResults{}
	r := &activities.Robust{Partial: partial, ProcessItem: func(_ context.Context, item map[string]any) (map[string]any, error) {
		if item["bad"] == true {
			return nil, errors.New("bad item")
		}
		return item, nil
	}}
	data := []map[string]any{{"n": 1}, {"bad": true}, {"n": 3}, {"n": 4}}
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{
		Info: activity.Info{ActivityType: activities.RobustDataProcessorName, WorkflowID: "wf"},
	})
	value, err := env.Run(context.Background(), r.Process, activities.RobustInput{Data: data, BatchSize: 2})
	var result activities.RobustResult
	if err != nil || value.Get(&result) != nil {
		t.Fatal(err)
	}
	if result.ProcessedItems != 3 || result.TotalItems != 4 || result.SuccessRate != 0.75 || result.WorkflowID != "wf" || result.Stopped != "" {
		t.Errorf("result %+v", result)
	}
	// A batch heartbeat follows every second item, unless that item failed (as the seed's does).
	if hb := env.Heartbeats(); len(hb) != 1 || hb[0][0] != (activities.BatchProgress{Processed: 3, Total: 4, SuccessRate: 0.75}) {
		t.Errorf("heartbeats %v", hb)
	}

	env.ShutdownWorker()
	value, err = env.Run(context.Background(), r.Process, activities.RobustInput{Data: data})
	if err != nil || value.Get(&result) != nil || result.Stopped != "worker shutdown" || len(partial.Saved()) != 1 {
		t.Errorf("after shutdown: %+v %v, saved %v", result, err, partial.Saved())
	}
}

func TestQueryExternalServiceNeedsAClient(t *testing.T) {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	if _, err := runString(t, env, activities.QueryExternalService, "u1"); err == nil {
		t.Error("without a client the activity must fail")
	}
}
