package sundialtest_test

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
	"github.com/sundialdev/sundial/sundialtest"
)

func Greet(ctx context.Context, name string) (string, error) {
	return "Hello, " + name + "!", nil
}

func TestRunReturnsTheEncodedResult(t *testing.T) {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	value, err := env.Run(context.Background(), Greet, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := value.Get(&got); err != nil {
		t.Fatal(err)
	}
	if got != "Hello, Ada!" {
		t.Errorf("got %q", got)
	}
}

func TestRunFuncIsTyped(t *testing.T) {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	greet := activity.DefineNamed("greet", Greet)
	got, err := sundialtest.RunFunc(context.Background(), env, greet, "Bob")
	if err != nil || got != "Hello, Bob!" {
		t.Errorf("got %q, %v", got, err)
	}
}

func TestRunRejectsWhatAWorkerWouldReject(t *testing.T) {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	if _, err := env.Run(context.Background(), func(ctx context.Context) int { return 1 }); err == nil {
		t.Error("a function without an error result must be refused")
	}
	if _, err := env.Run(context.Background(), Greet, make(chan int)); err == nil {
		t.Error("an argument the converter cannot encode must be refused")
	}
}

func TestInfoDefaultsAndOverrides(t *testing.T) {
	ctx := context.Background()
	if activity.IsActivity(ctx) {
		t.Error("a plain context is not an activity")
	}
	var seen activity.Info
	var inActivity bool
	var workflowID, runID string
	capture := func(ctx context.Context) error {
		seen = activity.GetInfo(ctx)
		inActivity = activity.IsActivity(ctx)
		workflowID, runID = activity.GetWorkflowID(ctx), activity.GetWorkflowRunID(ctx)
		return nil
	}

	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	if _, err := env.Run(ctx, capture); err != nil {
		t.Fatal(err)
	}
	if !inActivity || seen.ActivityID != "test" || seen.ActivityType != "TestActivity" || seen.Attempt != 1 ||
		seen.TaskQueue != "test" || seen.WorkflowID != "test" || workflowID != "test" || runID != "test-run" ||
		seen.StartedTime.IsZero() || !seen.Deadline.IsZero() {
		t.Errorf("defaults: %+v", seen)
	}

	env = sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{Info: activity.Info{
		ActivityType: "Charge", Attempt: 4, WorkflowID: "order-1", HeartbeatTimeout: time.Second,
		Priority: sundial.Priority{PriorityKey: 1, FairnessKey: "vip", FairnessWeight: 2},
	}})
	if _, err := env.Run(ctx, capture); err != nil {
		t.Fatal(err)
	}
	if seen.ActivityType != "Charge" || seen.Attempt != 4 || workflowID != "order-1" || seen.HeartbeatTimeout != time.Second ||
		seen.Priority.FairnessKey != "vip" {
		t.Errorf("overrides: %+v", seen)
	}
}

func TestGetInfoPanicsOutsideAnActivity(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "activity.GetInfo") {
			t.Errorf("recovered %v", r)
		}
	}()
	activity.GetInfo(context.Background())
}

func TestHeartbeatsAreCaptured(t *testing.T) {
	var callback [][]any
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{
		OnHeartbeat: func(details ...any) { callback = append(callback, details) },
	})
	_, err := env.Run(context.Background(), func(ctx context.Context, items []string) error {
		for i, item := range items {
			activity.RecordHeartbeat(ctx, i+1, item)
		}
		return nil
	}, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{1, "a"}, {2, "b"}}
	for _, got := range [][][]any{env.Heartbeats(), callback} {
		if len(got) != 2 || got[0][0] != 1 || got[1][1] != "b" {
			t.Errorf("heartbeats %v, want %v", got, want)
		}
	}
}

func TestHeartbeatDetailsOfThePreviousAttempt(t *testing.T) {
	resume := func(ctx context.Context) (int, error) {
		if !activity.HasHeartbeatDetails(ctx) {
			var n int
			if err := activity.GetHeartbeatDetails(ctx, &n); !errors.Is(err, sundial.ErrNoData) {
				return 0, errors.New("want ErrNoData on a first attempt")
			}
			return 0, nil
		}
		var done int
		if err := activity.GetHeartbeatDetails(ctx, &done); err != nil {
			return 0, err
		}
		return done, nil
	}
	first := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	second := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{HeartbeatDetails: []any{41}})
	for env, want := range map[*sundialtest.ActivityEnvironment]int{first: 0, second: 41} {
		value, err := env.Run(context.Background(), resume)
		if err != nil {
			t.Fatal(err)
		}
		var got int
		if err := value.Get(&got); err != nil || got != want {
			t.Errorf("resumed at %d (%v), want %d", got, err, want)
		}
	}
}

func TestCancelDeliversTheReasonOnce(t *testing.T) {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	started := make(chan struct{})
	var reasons []activity.CancelReason
	var cause error
	done := make(chan error, 1)
	go func() {
		_, err := env.Run(context.Background(), func(ctx context.Context) error {
			if activity.IsCanceled(ctx) || activity.CancellationReason(ctx) != activity.NotCanceled {
				return errors.New("canceled too early")
			}
			close(started)
			<-ctx.Done()
			reasons = append(reasons, activity.CancellationReason(ctx))
			env.Cancel(activity.WorkerShutdown) // a later cancellation changes nothing
			reasons = append(reasons, activity.CancellationReason(ctx))
			cause = context.Cause(ctx)
			return ctx.Err()
		})
		done <- err
	}()
	<-started
	env.Cancel(activity.CancelRequested)
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if len(reasons) != 2 || reasons[0] != activity.CancelRequested || reasons[1] != activity.CancelRequested {
		t.Errorf("reasons %v", reasons)
	}
	if !errors.Is(cause, activity.CancelRequested) {
		t.Errorf("context cause %v", cause)
	}
}

func TestCancelBeforeRunStartsCanceled(t *testing.T) {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	env.Cancel(activity.Paused)
	var reason activity.CancelReason
	_, err := env.Run(context.Background(), func(ctx context.Context) error {
		reason = activity.CancellationReason(ctx)
		return ctx.Err()
	})
	if !errors.Is(err, context.Canceled) || reason != activity.Paused {
		t.Errorf("err %v, reason %v", err, reason)
	}
}

func TestTimeoutFromInfo(t *testing.T) {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{
		Info: activity.Info{StartToCloseTimeout: 20 * time.Millisecond},
	})
	var reason activity.CancelReason
	var hasDeadline bool
	_, err := env.Run(context.Background(), func(ctx context.Context) error {
		_, hasDeadline = ctx.Deadline()
		<-ctx.Done()
		reason = activity.CancellationReason(ctx)
		return ctx.Err()
	})
	if !errors.Is(err, context.DeadlineExceeded) || reason != activity.TimedOut || !hasDeadline {
		t.Errorf("err %v, reason %v, deadline %v", err, reason, hasDeadline)
	}
}

func TestWithoutCancelShieldsACriticalSection(t *testing.T) {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	env.Cancel(activity.CancelRequested)
	value, err := env.Run(context.Background(), func(ctx context.Context) (string, error) {
		shielded := activity.WithoutCancel(ctx)
		if shielded.Err() != nil {
			return "", errors.New("shielded context is cancelled")
		}
		// Values survive: the shielded context still belongs to the activity.
		activity.RecordHeartbeat(shielded, "cleanup")
		if activity.GetInfo(shielded).ActivityID != "test" {
			return "", errors.New("info lost")
		}
		if !activity.IsCanceled(shielded) || activity.CancellationReason(shielded) != activity.CancelRequested {
			return "", errors.New("the activity's cancellation must stay visible")
		}
		return "cleaned up", nil
	})
	var got string
	if err != nil || value.Get(&got) != nil || got != "cleaned up" {
		t.Errorf("got %q, %v", got, err)
	}
	if len(env.Heartbeats()) != 1 {
		t.Errorf("heartbeats %v", env.Heartbeats())
	}
}

func TestWaitForCancel(t *testing.T) {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	var first, second bool
	waiting := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = env.Run(context.Background(), func(ctx context.Context) error {
			first = activity.WaitForCancel(ctx, 10*time.Millisecond)
			close(waiting)
			second = activity.WaitForCancel(ctx, 0)
			return nil
		})
	}()
	<-waiting
	env.Cancel(activity.CancelRequested)
	<-done
	if first || !second {
		t.Errorf("first wait %v (want false: timed out), second %v (want true)", first, second)
	}
}

func TestWorkerShutdownIsSignalledBeforeCancellation(t *testing.T) {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	var before, after, waited, canceled bool
	waiting := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = env.Run(context.Background(), func(ctx context.Context) error {
			before = activity.IsWorkerShutdown(ctx)
			if activity.WaitForWorkerShutdown(ctx, 5*time.Millisecond) {
				return errors.New("no shutdown yet")
			}
			close(waiting)
			<-activity.WorkerStopChannel(ctx)
			after = activity.IsWorkerShutdown(ctx)
			waited = activity.WaitForWorkerShutdown(ctx, 0)
			canceled = activity.IsCanceled(ctx)
			return nil
		})
	}()
	<-waiting
	env.ShutdownWorker()
	<-done
	if before || !after || !waited || canceled {
		t.Errorf("before %v after %v waited %v canceled %v", before, after, waited, canceled)
	}
	if activity.IsWorkerShutdown(context.Background()) || activity.WorkerStopChannel(context.Background()) != nil {
		t.Error("outside an activity there is no worker")
	}
}

func TestAsyncCompletionIsObserved(t *testing.T) {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{
		Info: activity.Info{TaskToken: []byte("token-1")},
	})
	var token []byte
	value, err := env.Run(context.Background(), func(ctx context.Context) (string, error) {
		token = activity.GetInfo(ctx).TaskToken
		return "", sundial.ErrResultPending
	})
	if !errors.Is(err, sundial.ErrResultPending) || value != nil || string(token) != "token-1" {
		t.Errorf("value %v, err %v, token %q", value, err, token)
	}
}

func TestPanicsBecomePanicErrors(t *testing.T) {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	_, err := env.Run(context.Background(), func(ctx context.Context) error { panic("kaboom") })
	var panicErr *sundial.PanicError
	if !errors.As(err, &panicErr) || panicErr.Error() != "kaboom" || panicErr.StackTrace() == "" {
		t.Errorf("err %v", err)
	}
}

// recordingHandler keeps every record's attributes.
type recordingHandler struct {
	mu      sync.Mutex
	attrs   []slog.Attr
	records []map[string]string
}

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	rec := map[string]string{"msg": r.Message}
	for _, a := range h.attrs {
		rec[a.Key] = a.Value.String()
	}
	r.Attrs(func(a slog.Attr) bool { rec[a.Key] = a.Value.String(); return true })
	h.records = append(h.records, rec)
	return nil
}
func (h *recordingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &sharedHandler{root: h, attrs: attrs}
}
func (h *recordingHandler) WithGroup(string) slog.Handler { return h }

// sharedHandler adds attributes and records into its root.
type sharedHandler struct {
	root  *recordingHandler
	attrs []slog.Attr
}

func (h *sharedHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *sharedHandler) Handle(ctx context.Context, r slog.Record) error {
	r = r.Clone()
	r.AddAttrs(h.attrs...)
	return h.root.Handle(ctx, r)
}
func (h *sharedHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &sharedHandler{root: h.root, attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...)}
}
func (h *sharedHandler) WithGroup(string) slog.Handler { return h }

func TestLoggerCarriesActivityContext(t *testing.T) {
	handler := &recordingHandler{}
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{
		Logger: slog.New(handler),
		Info:   activity.Info{ActivityID: "a-1", Attempt: 2, WorkflowID: "wf", WorkflowRunID: "run", WorkflowType: "Order", TaskQueue: "q"},
	})
	_, err := env.Run(context.Background(), func(ctx context.Context) error {
		activity.Logger(ctx).Info("processing", "item", 3)
		activity.Logger(ctx).Warn("careful")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(handler.records) != 2 {
		t.Fatalf("records %v", handler.records)
	}
	want := map[string]string{"activity_id": "a-1", "activity_type": "TestActivity", "attempt": "2", "workflow_id": "wf",
		"workflow_run_id": "run", "workflow_type": "Order", "namespace": "default", "task_queue": "q", "item": "3"}
	for k, v := range want {
		if handler.records[0][k] != v {
			t.Errorf("attribute %s = %q, want %q (record %v)", k, handler.records[0][k], v, handler.records[0])
		}
	}
	if handler.records[1]["activity_id"] != "a-1" {
		t.Errorf("every record must carry the context: %v", handler.records[1])
	}
}

// countingMeter counts counter additions by name.
type countingMeter struct {
	activity.MetricMeter
	mu     sync.Mutex
	counts map[string]int64
}

func (m *countingMeter) Counter(name string, _ activity.MetricOptions) activity.MetricCounter {
	return counterFunc(func(d int64) { m.mu.Lock(); m.counts[name] += d; m.mu.Unlock() })
}

type counterFunc func(int64)

func (f counterFunc) Add(d int64) { f(d) }

func TestServicesReachTheActivity(t *testing.T) {
	meter := &countingMeter{MetricMeter: activity.NopMetricMeter(), counts: map[string]int64{}}
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{MetricMeter: meter})
	_, err := env.Run(context.Background(), func(ctx context.Context) error {
		activity.GetMetricMeter(ctx).Counter("items", activity.MetricOptions{}).Add(5)
		if activity.Client(ctx) != nil {
			return errors.New("no client was configured")
		}
		if _, err := activity.DataConverter(ctx).ToPayload("x"); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if meter.counts["items"] != 5 {
		t.Errorf("counts %v", meter.counts)
	}
}

func TestAutoHeartbeatRepeatsTheLatestDetailsUntilTheActivityReturns(t *testing.T) {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	_, err := env.Run(context.Background(), func(ctx context.Context) error {
		activity.RecordHeartbeat(ctx, "step 1")
		stop := activity.AutoHeartbeat(ctx, 5*time.Millisecond)
		defer stop()
		deadline := time.Now().Add(5 * time.Second)
		for len(env.Heartbeats()) < 4 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	heartbeats := env.Heartbeats()
	if len(heartbeats) < 4 {
		t.Fatalf("heartbeats %v", heartbeats)
	}
	for _, h := range heartbeats {
		if len(h) != 1 || h[0] != "step 1" {
			t.Errorf("auto heartbeat %v must repeat the latest details", h)
		}
	}
	// Negative check: four auto-heartbeat intervals in which none may come.
	time.Sleep(20 * time.Millisecond)
	if n := len(env.Heartbeats()); n != len(heartbeats) {
		t.Errorf("heartbeats continued after the activity returned: %d -> %d", len(heartbeats), n)
	}
}

func TestDynamicActivity(t *testing.T) {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{Info: activity.Info{ActivityType: "Anything"}})
	value, err := env.Run(context.Background(), activity.DynamicFunc(func(ctx context.Context, args activity.DynamicArgs) (any, error) {
		var a, b int
		if err := args.Get(&a, &b); err != nil {
			return nil, err
		}
		return activity.GetInfo(ctx).ActivityType + ":" + string(rune('0'+a+b)), nil
	}), 2, 3)
	var got string
	if err != nil || value.Get(&got) != nil || got != "Anything:5" {
		t.Errorf("got %q, %v", got, err)
	}
}
