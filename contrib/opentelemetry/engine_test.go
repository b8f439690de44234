package opentelemetry_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

// startEngine runs Sundial's engine in process until the test ends.
func startEngine(t *testing.T) string {
	t.Helper()
	srv, err := server.New(server.Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })
	return srv.Addr()
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func greet(_ context.Context, name string) (string, error) { return "Hello, " + name, nil }

func greeting(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var s string
	err := workflow.ExecuteActivity(ctx, "Greet", name).Get(ctx, &s)
	return s, err
}

// runGreeting dials addr with opts, runs Greeting("Mo") on a worker of queue, and
// returns the result.
func runGreeting(t *testing.T, addr, queue string, opts client.Options) string {
	t.Helper()
	opts.HostPort, opts.Logger = addr, slog.New(slog.DiscardHandler)
	ctx := testContext(t)
	c, err := client.Dial(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w := worker.New(c, queue, worker.Options{})
	if err := errors.Join(w.RegisterWorkflowWithOptions(greeting, worker.RegisterWorkflowOptions{Name: "Greeting"}),
		w.RegisterActivityWithOptions(greet, worker.RegisterActivityOptions{Name: "Greet"})); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "greeting-" + queue, TaskQueue: queue}, "Greeting", "Mo")
	if err != nil {
		t.Fatal(err)
	}
	var result string
	if err := run.Get(ctx, &result); err != nil {
		t.Fatal(err)
	}
	return result
}
