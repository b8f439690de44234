package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"google.golang.org/grpc"

	sundialclient "github.com/sundialdev/sundial/client"
	sundialworker "github.com/sundialdev/sundial/worker"
	sundialworkflow "github.com/sundialdev/sundial/workflow"
)

// sundialSDKActivities drives the one-activity workflow entirely through
// Sundial's own SDK: its client starts SundialOneActivity and waits for the
// result, and one Sundial worker (8 workflow-task and 8 activity-task pollers,
// like the official SDK's worker in the other scenarios) runs the workflow and
// its SundialEcho activity on a task queue of their own.
func sundialSDKActivities(inFlight int) func(context.Context, *env) (outcome, error) {
	return func(ctx context.Context, e *env) (outcome, error) {
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		c, err := sundialclient.Dial(ctx, sundialclient.Options{
			HostPort:          e.hostPort,
			Namespace:         "default",
			Logger:            quiet,
			ConnectionOptions: []grpc.DialOption{e.rpcs.dialOption()},
		})
		if err != nil {
			return outcome{}, fmt.Errorf("dialing with Sundial's client: %w", err)
		}
		defer c.Close()
		queue := e.taskQueue + "-sundial-sdk"
		w := sundialworker.New(c, queue, sundialworker.Options{
			MaxConcurrentActivityTaskPollers: workerPollers,
			MaxConcurrentWorkflowTaskPollers: workerPollers,
		})
		if err := w.RegisterWorkflow(SundialOneActivity); err != nil {
			return outcome{}, fmt.Errorf("registering SundialOneActivity: %w", err)
		}
		if err := w.RegisterActivity(SundialEcho); err != nil {
			return outcome{}, fmt.Errorf("registering SundialEcho: %w", err)
		}
		workerCtx, stopWorker := context.WithCancel(ctx)
		workerDone := make(chan error, 1)
		go func() { workerDone <- w.Run(workerCtx) }()
		stop := sync.OnceValue(func() error {
			stopWorker()
			return <-workerDone
		})
		defer stop()

		out, err := closedLoop(ctx, inFlight, e.duration, func(ctx context.Context, seq int) error {
			id := fmt.Sprintf("sdk-%d", seq)
			run, err := sundialclient.ExecuteWorkflowFunc(ctx, c, sundialclient.StartWorkflowOptions{ID: id, TaskQueue: queue},
				sundialOneActivityDef, "hello")
			if err != nil {
				return fmt.Errorf("starting %s: %w", id, err)
			}
			result, err := run.Result(ctx)
			if err != nil {
				return fmt.Errorf("waiting for %s: %w", id, err)
			}
			if result != "hello" {
				return fmt.Errorf("%s returned %q, want %q", id, result, "hello")
			}
			return nil
		})
		if werr := stop(); werr != nil && !errors.Is(werr, context.Canceled) && err == nil {
			return outcome{}, fmt.Errorf("stopping the Sundial worker: %w", werr)
		}
		return out, err
	}
}

// sundialOneActivityDef declares SundialOneActivity for type-checked starts.
var sundialOneActivityDef = sundialworkflow.Define(SundialOneActivity)

// SundialOneActivity is the one-activity workflow written with Sundial's SDK:
// it runs SundialEcho once and returns its result.
func SundialOneActivity(ctx sundialworkflow.Context, input string) (string, error) {
	ctx = sundialworkflow.WithActivityOptions(ctx, sundialworkflow.ActivityOptions{StartToCloseTimeout: activityTimeout})
	var out string
	err := sundialworkflow.ExecuteActivity(ctx, SundialEcho, input).Get(ctx, &out)
	return out, err
}
