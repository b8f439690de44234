package compat

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	sdclient "github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/examples/activities"
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
		c := sdkDial(t, tg)
		queue := uniqueName(t, "examples")
		w := sdworker.New(c, queue, sdworker.Options{MetricsListenAddr: "127.0.0.1:0", Logger: sdkLogger(t)})
		err := errors.Join(
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
		resp, err := http.Get("http://" + w.MetricsAddr().String() + "/metrics")
		if err != nil {
			t.Fatalf("metrics endpoint: %v", err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(body), "activity_items_processed") {
			t.Errorf("the metrics endpoint does not show the example's counter:\n%s", body)
		}
	})
}
