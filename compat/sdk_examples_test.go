package compat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	sdclient "github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/examples/activities"
	"github.com/sundialdev/sundial/metrics"
	sdworker "github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

// examplesWorkflow runs the seed examples that need a real server — the dynamic
// activity, the metrics activity, the long-running heartbeating task and the
// info-logging activity — and reports what each returned.
func examplesWorkflow(ctx workflow.Context) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second, HeartbeatTimeout: 5 * time.Second})
	var out []string
	run := func(activityType string, args ...any) error {
		var result any
		if err := workflow.ExecuteActivity(ctx, activityType, args...).Get(ctx, &result); err != nil {
			return fmt.Errorf("%s: %w", activityType, err)
		}
		out = append(out, fmt.Sprint(result))
		return nil
	}
	if err := errors.Join(
		run("NotRegisteredAnywhere", "hello"),
		run("AddTheseUp", 2, 3),
		run("MetricsActivity", 5),
		run("LongRunningTask", []string{"a", "b"}),
		run("InfoLoggingActivity", "data"),
	); err != nil {
		return "", err
	}
	return strings.Join(out, " | "), nil
}

// TestSDKSeedExamplesOnBothServers runs the activity reference's examples with
// Sundial's worker on Sundial and on Temporal's own server.
func TestSDKSeedExamplesOnBothServers(t *testing.T) {
	onBothServers(t, func(t *testing.T, tg target) {
		rec := metrics.NewMemoryHandler()
		dialCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		c, err := sdclient.Dial(dialCtx, sdclient.Options{HostPort: tg.HostPort, Namespace: tg.Namespace, Logger: sdkLogger(t), MetricsHandler: rec})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		queue := uniqueName(t, "examples")
		w := sdworker.New(c, queue, sdworker.Options{Logger: sdkLogger(t)})
		err = errors.Join(
			w.RegisterWorkflowWithOptions(examplesWorkflow, sdworker.RegisterWorkflowOptions{Name: "SeedExamples"}),
			w.RegisterDynamicActivity(activities.DynamicActivity),
			w.RegisterActivity(activities.MetricsActivity),
			w.RegisterActivity(activities.LongRunningTask),
			w.RegisterActivity(activities.InfoLoggingActivity),
		)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Stop)
		ctx := testContext(t, 60*time.Second)
		run, err := c.ExecuteWorkflow(ctx, sdclient.StartWorkflowOptions{ID: uniqueName(t, "examples"), TaskQueue: queue}, "SeedExamples")
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if err := run.Get(ctx, &got); err != nil {
			t.Fatalf("examples workflow: %v", err)
		}
		for _, want := range []string{"String processing: hello", "Math result: 5", "Processed 5 items", "[A B]", "Processed data in attempt 1"} {
			if !strings.Contains(got, want) {
				t.Errorf("results %q lack %q", got, want)
			}
		}
		if s, ok := rec.Find("activity_items_processed", map[string]string{"activity_type": "MetricsActivity", "task_queue": queue}); !ok || s.Value != 5 {
			t.Errorf("the example's counter = %+v, want 5", s)
		}
	})
}
