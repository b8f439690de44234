package activity_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/sundialdev/sundial/activity"
)

// Outside an activity, functions with a natural answer give it; the rest panic or fail.
func TestFunctionsOutsideAnActivity(t *testing.T) {
	ctx := context.Background()
	if activity.IsActivity(ctx) || activity.Client(ctx) != nil || activity.Logger(ctx) != slog.Default() ||
		activity.GetWorkflowID(ctx) != "" || activity.GetWorkflowRunID(ctx) != "" || activity.HasHeartbeatDetails(ctx) {
		t.Error("outside an activity there is no activity state")
	}
	if activity.DataConverter(ctx) == nil {
		t.Error("the default data converter must be returned")
	}
	activity.GetMetricMeter(ctx).Counter("x", activity.MetricOptions{}).Add(1) // records nothing, must not panic
	if err := activity.GetHeartbeatDetails(ctx); err == nil {
		t.Error("GetHeartbeatDetails must fail outside an activity")
	}
	if activity.IsWorkerShutdown(ctx) || activity.WaitForWorkerShutdown(ctx, time.Hour) {
		t.Error("no worker is stopping")
	}
	for name, f := range map[string]func(){
		"RecordHeartbeat": func() { activity.RecordHeartbeat(ctx, 1) },
		"AutoHeartbeat":   func() { activity.AutoHeartbeat(ctx, time.Second) },
		"GetInfo":         func() { activity.GetInfo(ctx) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s must panic outside an activity", name)
				}
			}()
			f()
		}()
	}
}

func TestCancellationReasonOfPlainContexts(t *testing.T) {
	if r := activity.CancellationReason(context.Background()); r != activity.NotCanceled {
		t.Errorf("live context: %v", r)
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if r := activity.CancellationReason(canceled); r != activity.CancelRequested || !activity.IsCanceled(canceled) {
		t.Errorf("cancelled context: %v", r)
	}
	expired, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	if r := activity.CancellationReason(expired); r != activity.TimedOut {
		t.Errorf("expired context: %v", r)
	}
	if !activity.WaitForCancel(canceled, time.Hour) || activity.WaitForCancel(context.Background(), time.Millisecond) {
		t.Error("WaitForCancel on plain contexts")
	}
}

func TestCancelReasonIsAContextCause(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(activity.WorkerShutdown)
	if !errors.Is(context.Cause(ctx), activity.WorkerShutdown) || errors.Is(context.Cause(ctx), activity.TimedOut) {
		t.Errorf("cause %v", context.Cause(ctx))
	}
	if activity.CancelRequested.String() != "cancel requested" || activity.CancelReason(99).String() != "unknown cancel reason" {
		t.Error("String")
	}
}

func TestDefineNamesTheFunction(t *testing.T) {
	f := activity.Define(Charge)
	if f.Name() != "Charge" || f.Function() == nil {
		t.Errorf("name %q", f.Name())
	}
	if g := activity.DefineNamed("charge-v2", Charge); g.Name() != "charge-v2" {
		t.Errorf("name %q", g.Name())
	}
	defer func() {
		if recover() == nil {
			t.Error("Define of a function literal must panic")
		}
	}()
	activity.Define(func(context.Context, int) (int, error) { return 0, nil })
}

func Charge(context.Context, int) (string, error) { return "", nil }

func TestDynamicArgs(t *testing.T) {
	dc := activity.DataConverter(context.Background())
	payloads, err := dc.ToPayloads("a", 2)
	if err != nil {
		t.Fatal(err)
	}
	args := activity.NewDynamicArgs(payloads, nil)
	var s string
	var n int
	if args.Len() != 2 || args.Get(&s, &n) != nil || s != "a" || n != 2 {
		t.Errorf("Get: %q %d", s, n)
	}
	if err := args.Get(&s, &n, &n); err == nil {
		t.Error("more pointers than arguments must fail")
	}
	if err := args.Decode(5, &s); err == nil {
		t.Error("out of range must fail")
	}
	if raw := args.Raw(); len(raw) != 2 || raw[0].Payload() != payloads.GetPayloads()[0] {
		t.Errorf("raw %v", raw)
	}
}
