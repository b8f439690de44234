package worker

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

type order struct {
	ID     string
	Amount float64
}

func ChargeCard(ctx context.Context, o order) (string, error) {
	return "tx-" + o.ID, nil
}

func TestCompletedActivityReportsItsResult(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{Identity: "worker-1", TaskQueueActivitiesPerSecond: 7})
	if err := w.RegisterActivity(ChargeCard); err != nil {
		t.Fatal(err)
	}
	start(t, w)
	b.server.AddTask(newTask(t, "t1", "ChargeCard", []any{order{ID: "42", Amount: 9.5}}))

	o := b.awaitOutcome(t, "t1")
	if o.Kind != "completed" || o.Identity != "worker-1" {
		t.Fatalf("outcome %+v", o)
	}
	var tx string
	decode(t, o.Result, &tx)
	if tx != "tx-42" {
		t.Errorf("result %q, want tx-42", tx)
	}
	if n := b.server.DescribeNamespaceCalls(); n != 1 {
		t.Errorf("DescribeNamespace called %d times at start, want 1", n)
	}
	poll := b.server.Polls()[0]
	if poll.GetNamespace() != "default" || poll.GetTaskQueue().GetName() != testQueue ||
		poll.GetTaskQueue().GetKind() != enumspb.TASK_QUEUE_KIND_NORMAL || poll.GetIdentity() != "worker-1" {
		t.Errorf("poll request %v", poll)
	}
	if got := poll.GetTaskQueueMetadata().GetMaxTasksPerSecond().GetValue(); got != 7 {
		t.Errorf("max_tasks_per_second %v, want 7", got)
	}
}

func TestInfoDescribesTheTask(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{})
	infos := make(chan activity.Info, 1)
	err := w.RegisterActivityWithOptions(func(ctx context.Context) error {
		infos <- activity.GetInfo(ctx)
		return nil
	}, RegisterActivityOptions{Name: "Inspect"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, w)
	task := newTask(t, "t1", "Inspect", nil, withHeartbeatTimeout(5*time.Second), withStartToClose(time.Hour))
	task.Attempt = 3
	task.ScheduleToCloseTimeout = durationpb.New(2 * time.Minute)
	task.Priority = &commonpb.Priority{PriorityKey: 2, FairnessKey: "tenant-a", FairnessWeight: 1.5}
	task.RetryPolicy = &commonpb.RetryPolicy{MaximumAttempts: 5, BackoffCoefficient: 2}
	b.server.AddTask(task)

	info := recv(t, infos)
	if info.ActivityID != "t1" || info.ActivityType != "Inspect" || info.Attempt != 3 || info.TaskQueue != testQueue ||
		string(info.TaskToken) != "t1" || info.WorkflowID != "wf-t1" || info.WorkflowRunID != "run-t1" ||
		info.WorkflowType != "OrderWorkflow" || info.WorkflowNamespace != "default" {
		t.Errorf("identity fields wrong: %+v", info)
	}
	if info.HeartbeatTimeout != 5*time.Second || info.StartToCloseTimeout != time.Hour || info.ScheduleToCloseTimeout != 2*time.Minute {
		t.Errorf("timeouts wrong: %+v", info)
	}
	if want := info.ScheduledTime.Add(2 * time.Minute); !info.Deadline.Equal(want) {
		t.Errorf("deadline %v, want schedule-to-close bound %v", info.Deadline, want)
	}
	if info.Priority != (sundial.Priority{PriorityKey: 2, FairnessKey: "tenant-a", FairnessWeight: 1.5}) {
		t.Errorf("priority %+v", info.Priority)
	}
	if info.RetryPolicy == nil || info.RetryPolicy.MaximumAttempts != 5 {
		t.Errorf("retry policy %+v", info.RetryPolicy)
	}
	if info.ScheduledTime.IsZero() || info.StartedTime.IsZero() || info.CurrentAttemptScheduledTime.IsZero() || info.IsLocal {
		t.Errorf("times or is-local wrong: %+v", info)
	}
}

func TestApplicationErrorFieldsReachTheServer(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{})
	err := w.RegisterActivityWithOptions(func(ctx context.Context) error {
		return sundial.NewApplicationErrorWithOptions("card declined", "CardDeclined", sundial.ApplicationErrorOptions{
			NonRetryable:   true,
			NextRetryDelay: 3 * time.Second,
			Category:       sundial.ApplicationErrorCategoryBenign,
			Details:        []any{"insufficient funds"},
			Cause:          errors.New("bank said no"),
		})
	}, RegisterActivityOptions{Name: "Decline"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, w)
	b.server.AddTask(newTask(t, "t1", "Decline", nil))

	o := b.awaitOutcome(t, "t1")
	if o.Kind != "failed" {
		t.Fatalf("outcome %+v", o)
	}
	f := o.Failure
	app := f.GetApplicationFailureInfo()
	if f.GetMessage() != "card declined" || app.GetType() != "CardDeclined" || !app.GetNonRetryable() ||
		app.GetNextRetryDelay().AsDuration() != 3*time.Second || app.GetCategory() != enumspb.APPLICATION_ERROR_CATEGORY_BENIGN {
		t.Errorf("failure %v", f)
	}
	var detail string
	decode(t, app.GetDetails(), &detail)
	if detail != "insufficient funds" {
		t.Errorf("detail %q", detail)
	}
	if f.GetCause().GetMessage() != "bank said no" {
		t.Errorf("cause %v", f.GetCause())
	}
}

func TestPanicIsReportedWithStackTrace(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{})
	err := w.RegisterActivityWithOptions(func(ctx context.Context) error {
		var m map[string]int
		//lint:ignore SA5000 the activity must panic: that is what this test reports on
		m["boom"] = 1
		return nil
	}, RegisterActivityOptions{Name: "Explode"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, w)
	b.server.AddTask(newTask(t, "t1", "Explode", nil))

	f := b.awaitOutcome(t, "t1").Failure
	if f.GetApplicationFailureInfo().GetType() != "PanicError" || !strings.Contains(f.GetMessage(), "nil map") {
		t.Errorf("failure %v", f)
	}
	if !strings.Contains(f.GetStackTrace(), "TestPanicIsReportedWithStackTrace") {
		t.Errorf("stack trace does not show the panicking function:\n%s", f.GetStackTrace())
	}
}

func TestUnknownActivityTypeFails(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{})
	if err := w.RegisterActivity(ChargeCard); err != nil {
		t.Fatal(err)
	}
	start(t, w)
	b.server.AddTask(newTask(t, "t1", "Refund", nil))

	f := b.awaitOutcome(t, "t1").Failure
	if f.GetApplicationFailureInfo().GetType() != "ActivityNotRegistered" || !strings.Contains(f.GetMessage(), "ChargeCard") {
		t.Errorf("failure %v", f)
	}
}

func TestDynamicActivityServesUnregisteredTypes(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{})
	err := w.RegisterDynamicActivity(func(ctx context.Context, args activity.DynamicArgs) (any, error) {
		var name string
		if err := args.Get(&name); err != nil {
			return nil, err
		}
		return activity.GetInfo(ctx).ActivityType + ":" + name, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	start(t, w)
	b.server.AddTask(newTask(t, "t1", "Greet", []any{"ada"}))

	var got string
	decode(t, b.awaitOutcome(t, "t1").Result, &got)
	if got != "Greet:ada" {
		t.Errorf("result %q", got)
	}
}

func TestTypedRegistration(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{})
	charge := activity.Define(ChargeCard)
	if err := RegisterActivityFunc(w, charge); err != nil {
		t.Fatal(err)
	}
	if err := RegisterActivityFunc(w, charge); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Errorf("second registration: %v", err)
	}
	start(t, w)
	b.server.AddTask(newTask(t, "t1", charge.Name(), []any{order{ID: "7"}}))
	var got string
	decode(t, b.awaitOutcome(t, "t1").Result, &got)
	if got != "tx-7" {
		t.Errorf("result %q", got)
	}
}

func TestStartRefusesBadConfigurations(t *testing.T) {
	b := setup(t)
	if err := b.newWorker(t, Options{}).Start(); err == nil || !strings.Contains(err.Error(), "nothing registered") {
		t.Errorf("empty worker: %v", err)
	}
	if err := b.newWorker(t, Options{MaxConcurrentActivityExecutionSize: -1}).Start(); err == nil {
		t.Error("negative size must be refused")
	}
	w := b.newWorker(t, Options{})
	if err := w.RegisterActivity(ChargeCard); err != nil {
		t.Fatal(err)
	}
	start(t, w)
	if err := w.Start(); err == nil {
		t.Error("second Start must fail")
	}
	w.Stop()
	if err := w.Start(); err == nil {
		t.Error("Start after Stop must fail")
	}
}

func TestDecideOutcome(t *testing.T) {
	canceled := sundial.NewCanceledError("why")
	cases := []struct {
		name     string
		err      error
		reason   activity.CancelReason
		want     outcome
		wantType string
	}{
		{"success", nil, activity.NotCanceled, outcomeCompleted, ""},
		{"success after cancel request", nil, activity.CancelRequested, outcomeCompleted, ""},
		{"pending", sundial.ErrResultPending, activity.NotCanceled, outcomePending, ""},
		{"timed out", context.DeadlineExceeded, activity.TimedOut, outcomeDropped, ""},
		{"success after timeout", nil, activity.TimedOut, outcomeDropped, ""},
		{"not found", context.Canceled, activity.NotFound, outcomeDropped, ""},
		{"canceled by request", context.Canceled, activity.CancelRequested, outcomeCanceled, ""},
		{"canceled error by request", canceled, activity.CancelRequested, outcomeCanceled, ""},
		{"unrequested canceled error", canceled, activity.NotCanceled, outcomeFailed, ""},
		{"shutdown", context.Canceled, activity.WorkerShutdown, outcomeFailed, "WorkerShutdown"},
		{"paused", context.Canceled, activity.Paused, outcomeFailed, "ActivityPaused"},
		{"reset", context.Canceled, activity.Reset, outcomeFailed, "ActivityReset"},
		{"plain failure", errors.New("x"), activity.NotCanceled, outcomeFailed, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decideOutcome(tc.err, tc.reason)
			if got != tc.want {
				t.Fatalf("outcome %d, want %d", got, tc.want)
			}
			if tc.wantType != "" {
				var app *sundial.ApplicationError
				if !errors.As(err, &app) || app.Type() != tc.wantType {
					t.Errorf("error %v, want ApplicationError of type %s", err, tc.wantType)
				}
			}
			if tc.want == outcomeCanceled {
				var c *sundial.CanceledError
				if !errors.As(err, &c) {
					t.Errorf("canceled outcome must carry a CanceledError, got %v", err)
				}
			}
		})
	}
}
