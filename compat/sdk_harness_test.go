package compat

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	sdclient "github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/server"
	sdworker "github.com/sundialdev/sundial/worker"
	historypb "go.temporal.io/api/history/v1"
)

// The sdk_*_test.go files prove Sundial's own Go SDK (packages client, worker,
// workflow, activity) on both servers: every test runs once against Sundial and once
// against Temporal's own server, whatever COMPAT_TARGET says.

// onBothServers runs test as the subtests "Sundial" (a fresh in-process Sundial) and
// "Temporal" (the shared in-process Temporal server).
func onBothServers(t *testing.T, test func(t *testing.T, tg target)) {
	t.Helper()
	t.Run("Sundial", func(t *testing.T) { test(t, startSundial(t, server.Options{})) })
	t.Run("Temporal", func(t *testing.T) { test(t, startTemporal(t)) })
}

// startTemporal returns the package's shared in-process Temporal server, starting it
// on first use.
func startTemporal(t *testing.T) target {
	t.Helper()
	return sharedTemporal.get(t)
}

// sdkLogger sends Sundial SDK warnings and errors to the test log (everything with
// COMPAT_SDK_DEBUG set).
func sdkLogger(t *testing.T) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("COMPAT_SDK_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(newTestWriter(t), &slog.HandlerOptions{Level: level}))
}

// sdkDial connects Sundial's client to tg until the test ends.
func sdkDial(t *testing.T, tg target) *sdclient.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := sdclient.Dial(ctx, sdclient.Options{HostPort: tg.HostPort, Namespace: tg.Namespace, Logger: sdkLogger(t)})
	if err != nil {
		t.Fatalf("dialing %s with Sundial's client: %v", tg.HostPort, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// sdkStartWorker runs a Sundial worker on taskQueue with what register adds, with
// heartbeat throttling shortened so heartbeats reach the server quickly; it stops when
// the test ends.
func sdkStartWorker(t *testing.T, c *sdclient.Client, taskQueue string, register func(w *sdworker.Worker) error) *sdworker.Worker {
	t.Helper()
	w := sdworker.New(c, taskQueue, sdworker.Options{
		DefaultHeartbeatThrottleInterval: 100 * time.Millisecond,
		MaxHeartbeatThrottleInterval:     200 * time.Millisecond,
		Logger:                           sdkLogger(t),
	})
	if err := register(w); err != nil {
		t.Fatalf("registering on %s: %v", taskQueue, err)
	}
	if err := w.Start(); err != nil {
		t.Fatalf("starting Sundial worker on %s: %v", taskQueue, err)
	}
	t.Cleanup(w.Stop)
	return w
}

// sdkHistory reads a run's history with Sundial's client.
func sdkHistory(t *testing.T, ctx context.Context, c *sdclient.Client, workflowID, runID string) []*historypb.HistoryEvent {
	t.Helper()
	var events []*historypb.HistoryEvent
	for e, err := range c.GetWorkflowHistory(ctx, workflowID, runID) {
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	return events
}

// eventually polls cond every 50ms until it holds, failing the test after d.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %v", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
