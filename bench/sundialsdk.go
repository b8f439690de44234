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
)

// sundialSDKActivities drives the one-activity workflow through Sundial's own SDK:
// Sundial's client starts RemoteActivity and waits for its result, and Sundial's
// activity worker runs SundialEcho on a second task queue. Sundial's worker does
// not run workflows yet, so the workflow code itself runs on the official SDK's
// worker (the same one as in the other scenarios).
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
		activityQueue := e.taskQueue + "-sundial-activities"
		w := sundialworker.New(c, activityQueue, sundialworker.Options{MaxConcurrentActivityTaskPollers: workerPollers})
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
			run, err := c.ExecuteWorkflow(ctx, sundialclient.StartWorkflowOptions{ID: id, TaskQueue: e.taskQueue},
				"RemoteActivity", activityQueue, "hello")
			if err != nil {
				return fmt.Errorf("starting %s: %w", id, err)
			}
			var result string
			if err := run.Get(ctx, &result); err != nil {
				return fmt.Errorf("waiting for %s: %w", id, err)
			}
			if result != "hello" {
				return fmt.Errorf("%s returned %q, want %q", id, result, "hello")
			}
			return nil
		})
		if werr := stop(); werr != nil && !errors.Is(werr, context.Canceled) && err == nil {
			return outcome{}, fmt.Errorf("Sundial worker: %w", werr)
		}
		return out, err
	}
}
