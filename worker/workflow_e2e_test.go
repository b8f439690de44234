package worker_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

// engine runs Sundial's engine in process on an in-memory database and dials it.
func engine(t *testing.T) *client.Client {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	srv, err := server.New(server.Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:", Logger: logger})
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
	c, err := client.Dial(context.Background(), client.Options{HostPort: srv.Addr(), Logger: logger})
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
