package worker_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
)

// engine runs Sundial's engine in process on an in-memory database and dials it.
func engine(t *testing.T) *client.Client {
	t.Helper()
	return dial(t, startEngine(t))
}

// startEngine runs Sundial's engine until the test ends and returns its address.
func startEngine(t *testing.T) string {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	// A worker deployment version that stops being current drains for a
	// second, not Temporal's three minutes, so that the versioning test sees it
	// drained.
	srv, err := server.New(server.Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:", Logger: logger, VersionDrainageGracePeriod: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
	})
	return srv.Addr()
}

// dial connects a client to addr until the test ends.
func dial(t *testing.T, addr string, opts ...grpc.DialOption) *client.Client {
	t.Helper()
	c, err := client.Dial(context.Background(), client.Options{HostPort: addr, Logger: slog.New(slog.DiscardHandler), ConnectionOptions: opts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// startWorker starts a worker on queue with what register adds; it stops when the test
// ends.
func startWorker(t *testing.T, c *client.Client, queue string, opts worker.Options, register func(w *worker.Worker) error) *worker.Worker {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	w := worker.New(c, queue, opts)
	if err := register(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return w
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func Greet(ctx context.Context, name string) (string, error) { return "Hello, " + name, nil }

var greet = activity.Define(Greet)

func GreetingWorkflow(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	return workflow.ExecuteActivityFunc(ctx, greet, name).Get(ctx)
}

func TestWorkerRunsWorkflowsAndActivities(t *testing.T) {
	for _, sticky := range []bool{true, false} {
		t.Run(map[bool]string{true: "Sticky", false: "NoSticky"}[sticky], func(t *testing.T) {
			c := engine(t)
			startWorker(t, c, "greetings", worker.Options{DisableStickyExecution: !sticky}, func(w *worker.Worker) error {
				if err := worker.RegisterWorkflowFunc(w, workflow.Define(GreetingWorkflow)); err != nil {
					return err
				}
				return worker.RegisterActivityFunc(w, greet)
			})
			ctx := testContext(t)
			run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "greetings"}, "GreetingWorkflow", "Ada")
			if err != nil {
				t.Fatal(err)
			}
			var got string
			if err := run.Get(ctx, &got); err != nil {
				t.Fatal(err)
			}
			if got != "Hello, Ada" {
				t.Fatalf("result = %q, want %q", got, "Hello, Ada")
			}
		})
	}
}

// pollRecorder is a client interceptor that counts the workflow tasks polled with
// full and with partial (sticky) history.
type pollRecorder struct {
	full, partial atomic.Int32
}

func (r *pollRecorder) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	err := invoker(ctx, method, req, reply, cc, opts...)
	if task, ok := reply.(*workflowservice.PollWorkflowTaskQueueResponse); ok && err == nil && len(task.GetTaskToken()) > 0 {
		if events := task.GetHistory().GetEvents(); len(events) > 0 && events[0].GetEventId() > 1 {
			r.partial.Add(1)
		} else {
			r.full.Add(1)
		}
	}
	return err
}

// engineRecordingPolls is engine with a client that records workflow task polls.
func engineRecordingPolls(t *testing.T) (*client.Client, *pollRecorder) {
	t.Helper()
	rec := &pollRecorder{}
	return dial(t, startEngine(t), grpc.WithChainUnaryInterceptor(rec.intercept)), rec
}

// ThreeSteps sleeps twice between activities, so that it takes several workflow tasks.
func ThreeSteps(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	out := ""
	for i := range 3 {
		if err := workflow.Sleep(ctx, time.Millisecond); err != nil {
			return "", err
		}
		s, err := workflow.ExecuteActivityFunc(ctx, greet, fmt.Sprintf("%s-%d", name, i)).Get(ctx)
		if err != nil {
			return "", err
		}
		out += s + ";"
	}
	return out, nil
}

func TestStickyExecutionSendsPartialHistory(t *testing.T) {
	for _, tc := range []struct {
		name        string
		opts        worker.Options
		wantPartial bool
	}{
		{"Sticky", worker.Options{}, true},
		{"Disabled", worker.Options{DisableStickyExecution: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, rec := engineRecordingPolls(t)
			startWorker(t, c, "steps", tc.opts, func(w *worker.Worker) error {
				return errors.Join(w.RegisterWorkflow(ThreeSteps), worker.RegisterActivityFunc(w, greet))
			})
			ctx := testContext(t)
			run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "steps"}, "ThreeSteps", "x")
			if err != nil {
				t.Fatal(err)
			}
			var got string
			if err := run.Get(ctx, &got); err != nil {
				t.Fatal(err)
			}
			if got != "Hello, x-0;Hello, x-1;Hello, x-2;" {
				t.Fatalf("result = %q", got)
			}
			if partial := rec.partial.Load() > 0; partial != tc.wantPartial {
				t.Fatalf("tasks with partial history: %d (full: %d); want some: %v", rec.partial.Load(), rec.full.Load(), tc.wantPartial)
			}
		})
	}
}

// With a cache of one run, interleaved workflows evict each other; evicted runs are
// rebuilt from full history and still finish correctly.
func TestStickyCacheOfOneRunEvictsAndReplays(t *testing.T) {
	c, rec := engineRecordingPolls(t)
	startWorker(t, c, "steps", worker.Options{StickyWorkflowCacheSize: 1}, func(w *worker.Worker) error {
		return errors.Join(w.RegisterWorkflow(ThreeSteps), worker.RegisterActivityFunc(w, greet))
	})
	ctx := testContext(t)
	var runs []client.WorkflowRun
	for i := range 4 {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "steps"}, "ThreeSteps", fmt.Sprint(i))
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, run)
	}
	for i, run := range runs {
		var got string
		if err := run.Get(ctx, &got); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("Hello, %d-0;Hello, %d-1;Hello, %d-2;", i, i, i); got != want {
			t.Fatalf("run %d result = %q, want %q", i, got, want)
		}
	}
	if rec.full.Load() == 0 {
		t.Fatal("no task was polled with full history")
	}
}

func TestDynamicWorkflowRunsUnregisteredTypes(t *testing.T) {
	c := engine(t)
	startWorker(t, c, "dynamic", worker.Options{}, func(w *worker.Worker) error {
		return w.RegisterDynamicWorkflow(func(ctx workflow.Context, args *converter.EncodedValues) (any, error) {
			var n int
			if err := args.Get(&n); err != nil {
				return nil, err
			}
			return fmt.Sprintf("%s(%d)", workflow.GetInfo(ctx).WorkflowType, n*2), nil
		})
	})
	ctx := testContext(t)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "dynamic"}, "AnyType", 21)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := run.Get(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if got != "AnyType(42)" {
		t.Fatalf("result = %q", got)
	}
}

func TestLocalActivityRunsOnTheWorkflowWorker(t *testing.T) {
	c := engine(t)
	var local atomic.Bool
	checkLocal := activity.DefineNamed("CheckLocal", func(ctx context.Context, in string) (string, error) {
		local.Store(activity.GetInfo(ctx).IsLocal)
		return "local " + in, nil
	})
	wf := workflow.DefineNamed("UsesLocal", func(ctx workflow.Context, in string) (string, error) {
		ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 5 * time.Second})
		return workflow.ExecuteLocalActivityFunc(ctx, checkLocal, in).Get(ctx)
	})
	startWorker(t, c, "local", worker.Options{}, func(w *worker.Worker) error {
		return errors.Join(worker.RegisterWorkflowFunc(w, wf), worker.RegisterActivityFunc(w, checkLocal))
	})
	ctx := testContext(t)
	run, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{TaskQueue: "local"}, wf, "call")
	if err != nil {
		t.Fatal(err)
	}
	got, err := run.Result(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got != "local call" || !local.Load() {
		t.Fatalf("result = %q, IsLocal = %v", got, local.Load())
	}
}

// A workflow type the worker does not know fails its workflow task, which the server
// records, and the run stays open for a worker that knows it.
func TestUnknownWorkflowTypeFailsTheTask(t *testing.T) {
	c := engine(t)
	startWorker(t, c, "unknown", worker.Options{}, func(w *worker.Worker) error { return w.RegisterWorkflow(GreetingWorkflow) })
	ctx := testContext(t)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "unknown"}, "Missing")
	if err != nil {
		t.Fatal(err)
	}
	for ctx.Err() == nil {
		for e, err := range c.GetWorkflowHistory(ctx, run.GetID(), "") {
			if err != nil {
				t.Fatal(err)
			}
			if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED {
				msg := e.GetWorkflowTaskFailedEventAttributes().GetFailure().GetMessage()
				if !strings.Contains(msg, `"Missing" is not registered`) {
					t.Fatalf("failure message = %q", msg)
				}
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no WorkflowTaskFailed event")
}

// A history recorded on the engine replays against the same code, and fails with a
// NondeterminismError against code that calls a different activity.
func TestWorkflowReplayerChecksRecordedHistory(t *testing.T) {
	c := engine(t)
	startWorker(t, c, "replay", worker.Options{}, func(w *worker.Worker) error {
		return errors.Join(w.RegisterWorkflow(GreetingWorkflow), worker.RegisterActivityFunc(w, greet))
	})
	ctx := testContext(t)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "replay"}, "GreetingWorkflow", "Bo")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	history := &historypb.History{}
	for e, err := range c.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID()) {
		if err != nil {
			t.Fatal(err)
		}
		history.Events = append(history.Events, e)
	}

	same := worker.NewWorkflowReplayer()
	if err := same.RegisterWorkflow(GreetingWorkflow); err != nil {
		t.Fatal(err)
	}
	if err := same.ReplayHistory(history); err != nil {
		t.Fatalf("replaying with the same code: %v", err)
	}

	changed := worker.NewWorkflowReplayer()
	if err := changed.RegisterWorkflowWithName(func(ctx workflow.Context, name string) (string, error) {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
		var s string
		err := workflow.ExecuteActivity(ctx, "Farewell", name).Get(ctx, &s)
		return s, err
	}, "GreetingWorkflow"); err != nil {
		t.Fatal(err)
	}
	var nd *workflow.NondeterminismError
	if err := changed.ReplayHistory(history); !errors.As(err, &nd) {
		t.Fatalf("replaying changed code: %v, want a NondeterminismError", err)
	}
}
