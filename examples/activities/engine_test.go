package activities_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/examples/activities"
	"github.com/sundialdev/sundial/internal/sdk/wfdriver"
	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/worker"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
)

// engineHarness runs the examples' worker against Sundial's engine, with the workflow
// side driven by hand (wfdriver) rather than by workflow code: each test sends exactly
// the commands the activity behaviour under test needs (schedule, cancel request,
// completion) at the moment it chooses.
type engineHarness struct {
	client *client.Client
	worker *worker.Worker
	driver *wfdriver.Driver
}

func newEngineHarness(t *testing.T, opts worker.Options, register func(w *worker.Worker) error) *engineHarness {
	t.Helper()
	if testing.Short() {
		t.Skip("engine integration test")
	}
	ctx := context.Background()
	srv, err := server.New(server.Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })
	c, err := client.Dial(ctx, client.Options{HostPort: srv.Addr(), Logger: slog.New(slog.DiscardHandler)})
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
	return &engineHarness{client: c, worker: w, driver: &wfdriver.Driver{
		Service: c.WorkflowService(), Namespace: c.Namespace(), TaskQueue: "driver",
	}}
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func encode(t *testing.T, values ...any) *commonpb.Payloads {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayloads(values...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// startAndSchedule starts workflow id and answers its first task by scheduling one
// activity; it returns the run.
func (h *engineHarness) startAndSchedule(t *testing.T, ctx context.Context, id string, opts wfdriver.ActivityOptions) client.WorkflowRun {
	t.Helper()
	run, err := h.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: h.driver.TaskQueue}, "DriverWorkflow")
	if err != nil {
		t.Fatal(err)
	}
	task, err := h.driver.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opts.ID = firstOf(opts.ID, "1")
	opts.TaskQueue = "examples"
	if opts.StartToCloseTimeout == 0 {
		opts.StartToCloseTimeout = 20 * time.Second
	}
	if err := h.driver.Complete(ctx, task, wfdriver.ScheduleActivity(opts)); err != nil {
		t.Fatal(err)
	}
	return run
}

// awaitActivityEvent waits for the workflow task that reports the activity's outcome,
// and completes the workflow with the activity's result (if any).
func (h *engineHarness) awaitActivityEvent(t *testing.T, ctx context.Context) *historypb.HistoryEvent {
	t.Helper()
	for {
		task, err := h.driver.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, eventType := range []enumspb.EventType{
			enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED,
			enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED, enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
		} {
			if event := task.Last(eventType); event != nil {
				result := event.GetActivityTaskCompletedEventAttributes().GetResult()
				if err := h.driver.Complete(ctx, task, wfdriver.CompleteWorkflow(result)); err != nil {
					t.Fatal(err)
				}
				return event
			}
		}
		// Some other event (a signal) woke the workflow: nothing to do yet.
		if err := h.driver.Complete(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func TestEngineLongRunningTaskCompletesTheWorkflow(t *testing.T) {
	h := newEngineHarness(t, worker.Options{}, func(w *worker.Worker) error { return w.RegisterActivity(activities.LongRunningTask) })
	ctx := testContext(t)
	run := h.startAndSchedule(t, ctx, "long-running", wfdriver.ActivityOptions{
		Type: "LongRunningTask", Input: encode(t, []string{"a", "b"}), HeartbeatTimeout: 10 * time.Second,
	})
	event := h.awaitActivityEvent(t, ctx)
	if event.GetEventType() != enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED {
		t.Fatalf("event %v", event)
	}
	var results []string
	if err := run.Get(ctx, &results); err != nil || strings.Join(results, "") != "AB" {
		t.Errorf("workflow result %v, %v", results, err)
	}
}

func TestEngineCancellationReachesTheActivityThroughHeartbeats(t *testing.T) {
	rec := &recorder{}
	c := &activities.Cancellable{Resources: resources{rec}}
	h := newEngineHarness(t, worker.Options{}, func(w *worker.Worker) error { return w.RegisterActivity(c.CancellableActivity) })
	ctx := testContext(t)
	h.startAndSchedule(t, ctx, "cancellable", wfdriver.ActivityOptions{
		Type: "CancellableActivity", HeartbeatTimeout: time.Second,
		Input: encode(t, activities.CancellableInput{Duration: time.Minute, Tick: 20 * time.Millisecond}),
	})
	h.awaitStarted(t, ctx, "cancellable")

	if err := h.client.SignalWorkflow(ctx, "cancellable", "", "cancel-activity", nil); err != nil {
		t.Fatal(err)
	}
	task, err := h.driver.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	scheduled := task.Last(enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
	if err := h.driver.Complete(ctx, task, wfdriver.RequestCancelActivity(scheduled.GetEventId())); err != nil {
		t.Fatal(err)
	}
	event := h.awaitActivityEvent(t, ctx)
	if event.GetEventType() != enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED {
		t.Fatalf("event %v", event)
	}
	var detail string
	if err := converter.GetDefaultDataConverter().FromPayloads(event.GetActivityTaskCanceledEventAttributes().GetDetails(), &detail); err != nil || detail != "cancelled gracefully" {
		t.Errorf("details %q %v", detail, err)
	}
	if len(rec.list()) != 1 {
		t.Errorf("cleanups %v", rec.list())
	}
}

// awaitStarted waits until the workflow's activity has been handed to the worker.
func (h *engineHarness) awaitStarted(t *testing.T, ctx context.Context, workflowID string) {
	t.Helper()
	for {
		desc, err := h.client.DescribeWorkflowExecution(ctx, workflowID, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, pending := range desc.GetPendingActivities() {
			if pending.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatal("the activity never started")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestEngineHeartbeatDetailsReachTheNextAttempt(t *testing.T) {
	resume := func(ctx context.Context) (activities.Progress, error) {
		if activity.GetInfo(ctx).Attempt == 1 {
			activity.RecordHeartbeat(ctx, activities.Progress{Processed: 7, Total: 10, LastItem: "g"})
			return activities.Progress{}, errors.New("crashed after item 7")
		}
		var p activities.Progress
		err := activity.GetHeartbeatDetails(ctx, &p)
		return p, err
	}
	h := newEngineHarness(t, worker.Options{}, func(w *worker.Worker) error {
		return w.RegisterActivityWithOptions(resume, worker.RegisterActivityOptions{Name: "Resume"})
	})
	ctx := testContext(t)
	run := h.startAndSchedule(t, ctx, "resume", wfdriver.ActivityOptions{
		Type: "Resume", HeartbeatTimeout: 10 * time.Second,
		RetryPolicy: (&sundial.RetryPolicy{InitialInterval: 50 * time.Millisecond, MaximumAttempts: 2}).ToProto(),
	})
	event := h.awaitActivityEvent(t, ctx)
	if event.GetEventType() != enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED {
		t.Fatalf("event %v", event)
	}
	var p activities.Progress
	if err := run.Get(ctx, &p); err != nil || p.Processed != 7 || p.LastItem != "g" {
		t.Errorf("second attempt resumed from %+v, %v", p, err)
	}
}

func TestEngineAsyncCompletionByClient(t *testing.T) {
	ext := &completingSystem{}
	a := &activities.AsyncCompletion{External: ext}
	h := newEngineHarness(t, worker.Options{}, func(w *worker.Worker) error { return w.RegisterActivity(a.AsyncCompletionActivity) })
	ext.client = h.client
	ctx := testContext(t)
	run := h.startAndSchedule(t, ctx, "async", wfdriver.ActivityOptions{Type: "AsyncCompletionActivity", Input: encode(t, "task-1")})
	if event := h.awaitActivityEvent(t, ctx); event.GetEventType() != enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED {
		t.Fatalf("event %v", event)
	}
	var result string
	if err := run.Get(ctx, &result); err != nil || result != "External completion result" {
		t.Errorf("result %q %v", result, err)
	}
}

func TestEngineTimedOutActivityIsTimedOutByTheServer(t *testing.T) {
	reasons := make(chan activity.CancelReason, 1)
	slow := func(ctx context.Context) error {
		<-ctx.Done()
		reasons <- activity.CancellationReason(ctx)
		return ctx.Err()
	}
	h := newEngineHarness(t, worker.Options{}, func(w *worker.Worker) error {
		return w.RegisterActivityWithOptions(slow, worker.RegisterActivityOptions{Name: "Slow"})
	})
	ctx := testContext(t)
	h.startAndSchedule(t, ctx, "timeout", wfdriver.ActivityOptions{
		Type: "Slow", StartToCloseTimeout: 300 * time.Millisecond,
		RetryPolicy: (&sundial.RetryPolicy{MaximumAttempts: 1}).ToProto(),
	})
	event := h.awaitActivityEvent(t, ctx)
	if event.GetEventType() != enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT {
		t.Fatalf("event %v", event)
	}
	if r := <-reasons; r != activity.TimedOut {
		t.Errorf("reason %v", r)
	}
}
