package sundialtest_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/sundialtest"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

// A workflow that sleeps an hour while updates add to its total.
var (
	addUpdate      = workflow.NewUpdate[int, int]("add")
	napWorkflow    = workflow.DefineNamed("Nap", nap)
	chargeActivity = activity.DefineNamed("Charge", func(ctx context.Context, cents int) (string, error) {
		return "", errors.New("the real activity must not run in these tests")
	})
	chargeWorkflow = workflow.DefineNamed("ChargeTwice", chargeTwice)
)

func nap(ctx workflow.Context, _ struct{}) (int, error) {
	total := 0
	if err := workflow.SetUpdateHandlerFor(ctx, addUpdate, func(ctx workflow.Context, n int) (int, error) {
		total += n
		return total, nil
	}, nil); err != nil {
		return 0, err
	}
	if err := workflow.Sleep(ctx, time.Hour); err != nil {
		return 0, err
	}
	return total, nil
}

func chargeTwice(ctx workflow.Context, cents int) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &sundial.RetryPolicy{InitialInterval: time.Minute, MaximumAttempts: 3},
	})
	return workflow.ExecuteActivityFunc(ctx, chargeActivity, cents).Get(ctx)
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func startWorker(t *testing.T, env *sundialtest.WorkflowEnvironment, queue string, register func(w *worker.Worker) error) {
	t.Helper()
	w := env.NewWorker(queue, worker.Options{})
	if err := register(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
}

func TestDelayedCallbackSendsAnUpdateWhileTheWorkflowSleeps(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: true})
	ctx := testContext(t)
	startWorker(t, env, "naps", func(w *worker.Worker) error { return worker.RegisterWorkflowFunc(w, napWorkflow) })
	c := env.Client()
	start := env.Now()

	run, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{ID: "nap", TaskQueue: "naps"}, napWorkflow, struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	firedAt := make(chan time.Duration, 2)
	for _, at := range []time.Duration{20 * time.Minute, 40 * time.Minute} {
		env.RegisterDelayedCallback(at, func() {
			firedAt <- env.Now().Sub(start)
			if _, err := client.ExecuteUpdate(ctx, run, addUpdate, int(at/time.Minute)); err != nil {
				t.Errorf("update at %s: %v", at, err)
			}
		})
	}
	total, err := run.Result(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if total != 60 {
		t.Fatalf("total = %d, want 60: both updates arrive while the workflow sleeps", total)
	}
	for _, want := range []time.Duration{20 * time.Minute, 40 * time.Minute} {
		if got := <-firedAt; got < want || got > want+time.Minute {
			t.Errorf("a callback due at %s ran at %s of server time", want, got)
		}
	}
	if elapsed := env.Now().Sub(start); elapsed < time.Hour {
		t.Errorf("the workflow finished after %s of server time, before its hour", elapsed)
	}
}

func TestLockTimeSkippingHoldsTheClock(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: true})
	ctx := testContext(t)
	startWorker(t, env, "naps", func(w *worker.Worker) error { return worker.RegisterWorkflowFunc(w, napWorkflow) })
	c := env.Client()
	start := env.Now()

	env.LockTimeSkipping()
	run, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{ID: "locked-nap", TaskQueue: "naps"}, napWorkflow, struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	// An update round trip gives the engine every chance to go idle and skip.
	env.WithoutTimeSkipping(func() {
		if _, err := client.ExecuteUpdate(ctx, run, addUpdate, 1); err != nil {
			t.Fatal(err)
		}
	})
	if elapsed := env.Now().Sub(start); elapsed > time.Minute {
		t.Fatalf("the clock moved %s while time skipping was locked", elapsed)
	}
	env.UnlockTimeSkipping()
	if total, err := run.Result(ctx); err != nil || total != 1 {
		t.Fatalf("result = %d, %v; want 1", total, err)
	}
	if elapsed := env.Now().Sub(start); elapsed < time.Hour {
		t.Fatalf("after unlocking the workflow finished at %s of server time, before its hour", elapsed)
	}
}

func TestActivityMockAnswersPerCallAndCountsCalls(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: true})
	ctx := testContext(t)
	charge := sundialtest.OnActivity(env, chargeActivity).
		ReturnOnce("", errors.New("card reader offline")).
		Return("receipt-1", nil)
	startWorker(t, env, "charges", func(w *worker.Worker) error { return worker.RegisterWorkflowFunc(w, chargeWorkflow) })

	run, err := client.ExecuteWorkflowFunc(ctx, env.Client(), client.StartWorkflowOptions{ID: "charge", TaskQueue: "charges"}, chargeWorkflow, 1250)
	if err != nil {
		t.Fatal(err)
	}
	receipt, err := run.Result(ctx)
	if err != nil || receipt != "receipt-1" {
		t.Fatalf("result = %q, %v; want receipt-1", receipt, err)
	}
	if n := charge.Calls(); n != 2 {
		t.Fatalf("Calls() = %d, want 2 (a failed attempt, then the retry)", n)
	}
	if in := charge.Inputs(); len(in) != 2 || in[0] != 1250 || in[1] != 1250 {
		t.Fatalf("Inputs() = %v", in)
	}
}

func TestActivityMockWithoutAnAnswerFailsTheCall(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: true})
	ctx := testContext(t)
	charge := sundialtest.OnActivity(env, chargeActivity).ReturnOnce("only-once", nil)
	startWorker(t, env, "charges", func(w *worker.Worker) error { return worker.RegisterWorkflowFunc(w, chargeWorkflow) })
	c := env.Client()

	first, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{ID: "charge-1", TaskQueue: "charges"}, chargeWorkflow, 1)
	if err != nil {
		t.Fatal(err)
	}
	if receipt, err := first.Result(ctx); err != nil || receipt != "only-once" {
		t.Fatalf("first result = %q, %v", receipt, err)
	}
	second, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{ID: "charge-2", TaskQueue: "charges"}, chargeWorkflow, 2)
	if err != nil {
		t.Fatal(err)
	}
	_, err = second.Result(ctx)
	if _, ok := sundial.FindApplicationError(err, sundialtest.MockNoAnswerErrorType); !ok {
		t.Fatalf("second result error = %v, want an ApplicationError of type %s", err, sundialtest.MockNoAnswerErrorType)
	}
	if n := charge.Calls(); n != 2 {
		t.Fatalf("Calls() = %d, want 2 (the unanswered call is not retried)", n)
	}
}

func TestRetentionDefaultsToTheLongestAndIsSettable(t *testing.T) {
	for _, tc := range []struct {
		opts sundialtest.WorkflowEnvironmentOptions
		want time.Duration
	}{
		{sundialtest.WorkflowEnvironmentOptions{}, sundialtest.DefaultRetention},
		{sundialtest.WorkflowEnvironmentOptions{Retention: 2 * time.Hour}, 2 * time.Hour},
	} {
		env := sundialtest.NewWorkflowEnvironment(t, tc.opts)
		if got := env.Retention(); got != tc.want {
			t.Errorf("Retention() = %s, want %s", got, tc.want)
		}
		resp, err := env.Client().WorkflowService().DescribeNamespace(testContext(t), &workflowservice.DescribeNamespaceRequest{Namespace: env.Namespace()})
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != tc.want {
			t.Errorf("the server keeps closed runs %s, want %s", got, tc.want)
		}
	}
}

// recordingTB captures what a logger writes to a test's log.
type recordingTB struct {
	testing.TB
	lines []string
}

func (r *recordingTB) Log(args ...any) {
	for _, a := range args {
		if s, ok := a.(string); ok {
			r.lines = append(r.lines, s)
		}
	}
}

func TestActivityEnvironmentLogsQuietlyOrToTheTest(t *testing.T) {
	logs := func(ctx context.Context) (string, error) {
		activity.Logger(ctx).Info("charging")
		return "", nil
	}
	quiet := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	var enabled bool
	if _, err := quiet.Run(context.Background(), func(ctx context.Context) error {
		enabled = activity.Logger(ctx).Enabled(ctx, slog.LevelError)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if enabled {
		t.Fatal("the default activity logger is enabled; it must discard records")
	}

	rec := &recordingTB{TB: t}
	loud := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{Logger: sundialtest.TestLogger(rec)})
	if _, err := loud.Run(context.Background(), logs); err != nil {
		t.Fatal(err)
	}
	if len(rec.lines) != 1 || !strings.Contains(rec.lines[0], "charging") {
		t.Fatalf("the test's log got %q, want the activity's record", rec.lines)
	}
}

// fatalRecorder records Fatalf instead of stopping the test.
type fatalRecorder struct {
	testing.TB
	fatals []string
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}

func TestActivityMockAfterNewWorkerFailsTheTest(t *testing.T) {
	rec := &fatalRecorder{TB: t}
	env := sundialtest.NewWorkflowEnvironment(rec, sundialtest.WorkflowEnvironmentOptions{})
	sundialtest.OnActivity(env, chargeActivity)
	if len(rec.fatals) != 0 {
		t.Fatalf("a mock before any worker failed: %q", rec.fatals)
	}
	sundialtest.OnActivity(env, chargeActivity)
	env.NewWorker("late", worker.Options{})
	sundialtest.OnActivity(env, activity.DefineNamed("Refund", func(context.Context, int) (string, error) { return "", nil }))
	if len(rec.fatals) != 2 || !strings.Contains(rec.fatals[0], "already mocked") || !strings.Contains(rec.fatals[1], "after NewWorker") {
		t.Fatalf("failures = %q, want a second mock of Charge and a mock after NewWorker refused", rec.fatals)
	}
}
