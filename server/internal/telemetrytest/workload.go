// Package telemetrytest runs a small workload against a server for the
// metrics and tracing tests: workflows that complete after a timer and an
// activity, fail, and are terminated.
package telemetrytest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

// TaskQueue is the queue the workload's worker polls.
const TaskQueue = "telemetry"

var (
	greetDef  = activity.Define(greet)
	greetFlow = workflow.Define(greetWorkflow)
	failFlow  = workflow.Define(failWorkflow)
	waitFlow  = workflow.Define(waitWorkflow)
)

func greet(_ context.Context, name string) (string, error) {
	return "hello " + name, nil
}

// greetWorkflow waits on a short timer, then runs one activity.
func greetWorkflow(ctx workflow.Context, name string) (string, error) {
	if err := workflow.Sleep(ctx, 5*time.Millisecond); err != nil {
		return "", err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second})
	return workflow.ExecuteActivityFunc(ctx, greetDef, name).Get(ctx)
}

func failWorkflow(workflow.Context, string) (string, error) {
	return "", errors.New("failing on purpose")
}

// waitWorkflow waits far longer than any test; tests terminate it.
func waitWorkflow(ctx workflow.Context, _ string) (string, error) {
	return "", workflow.Sleep(ctx, time.Hour)
}

// Run runs the workload against the server at addr: it returns once one
// workflow completed, one failed and one was terminated.
func Run(ctx context.Context, addr string) error {
	logger := slog.New(slog.DiscardHandler)
	c, err := client.Dial(ctx, client.Options{HostPort: addr, Logger: logger})
	if err != nil {
		return fmt.Errorf("dialing: %w", err)
	}
	defer c.Close()
	w := worker.New(c, TaskQueue, worker.Options{Logger: logger})
	if err := errors.Join(
		worker.RegisterWorkflowFunc(w, greetFlow),
		worker.RegisterWorkflowFunc(w, failFlow),
		worker.RegisterWorkflowFunc(w, waitFlow),
		worker.RegisterActivityFunc(w, greetDef),
	); err != nil {
		return err
	}
	if err := w.Start(); err != nil {
		return fmt.Errorf("starting the worker: %w", err)
	}
	defer w.Stop()

	run, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{ID: "greet", TaskQueue: TaskQueue}, greetFlow, "sundial")
	if err != nil {
		return fmt.Errorf("starting greet: %w", err)
	}
	if got, err := run.Result(ctx); err != nil || got != "hello sundial" {
		return fmt.Errorf("greet returned %q, %v", got, err)
	}
	failed, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{ID: "fail", TaskQueue: TaskQueue}, failFlow, "")
	if err != nil {
		return fmt.Errorf("starting fail: %w", err)
	}
	if _, err := failed.Result(ctx); err == nil {
		return errors.New("the failing workflow succeeded")
	}
	waiting, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{ID: "wait", TaskQueue: TaskQueue}, waitFlow, "")
	if err != nil {
		return fmt.Errorf("starting wait: %w", err)
	}
	if err := c.TerminateWorkflow(ctx, "wait", "", "test over"); err != nil {
		return fmt.Errorf("terminating wait: %w", err)
	}
	if _, err := waiting.Result(ctx); err == nil {
		return errors.New("the terminated workflow succeeded")
	}
	// One call that fails as a client's mistake (NotFound), so that the
	// error counters have a series.
	if _, err := c.DescribeWorkflowExecution(ctx, "no-such-workflow", ""); err == nil {
		return errors.New("describing a workflow that does not exist succeeded")
	}
	return nil
}
