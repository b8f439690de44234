package workflowrt_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/workflow"
)

// interopWorkflow is, call for call, the workflow that Temporal's own Go SDK (v1.47.0)
// ran against Sundial's engine to write testdata/histories/temporal-go-sdk-interop.json:
// an activity, a side effect, a version, a sleep, a signal, then a timer canceled after a
// second activity. Replaying that history proves the two SDKs produce the same commands
// with the same ids.
func interopWorkflow(ctx workflow.Context, in string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute, RetryPolicy: &sundial.RetryPolicy{MaximumAttempts: 2},
	})
	var r string
	if err := workflow.ExecuteActivity(ctx, "Act", in).Get(ctx, &r); err != nil {
		return "", err
	}
	n, err := workflow.SideEffectOf(ctx, func(workflow.Context) int { return 7 }).Get(ctx)
	if err != nil {
		return "", err
	}
	v := workflow.GetVersion(ctx, "chg", workflow.DefaultVersion, 1)
	if err := workflow.Sleep(ctx, time.Second); err != nil {
		return "", err
	}
	var s string
	workflow.GetSignalChannel(ctx, "sig").Receive(ctx, &s)
	timerCtx, cancel := workflow.WithCancel(ctx)
	timer := workflow.NewTimer(timerCtx, time.Hour)
	var r2 string
	if err := workflow.ExecuteActivity(ctx, "Act", "second").Get(ctx, &r2); err != nil {
		return "", err
	}
	cancel()
	_ = timer.Get(ctx, nil)
	return fmt.Sprintf("%s|%d|%d|%s|%s", r, n, v, s, r2), nil
}

func TestReplayHistoryWrittenByTemporalGoSDK(t *testing.T) {
	history, err := workflowrt.LoadHistoryFile(filepath.Join(goldenDir, "temporal-go-sdk-interop.json"))
	if err != nil {
		t.Fatal(err)
	}
	var result string
	reg := workflowrt.NewRegistry()
	if err := reg.RegisterWorkflow(func(ctx workflow.Context, in string) (string, error) {
		out, err := interopWorkflow(ctx, in)
		result = out
		return out, err
	}, workflowrt.RegisterOptions{Name: "Interop"}); err != nil {
		t.Fatal(err)
	}
	if err := workflowrt.ReplayWorkflowHistory(reg, history, workflowrt.ReplayOptions{}); err != nil {
		t.Fatalf("replaying Temporal's Go SDK history: %v", err)
	}
	if result != "act:x|7|1|hello|act:second" {
		t.Fatalf("replayed result = %q, want the recorded one", result)
	}
}
