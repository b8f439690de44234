package compat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	sdclient "github.com/sundialdev/sundial/client"
	sdworker "github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

// apiState travels from the first run to the second through continue-as-new.
type apiState struct {
	Round int
	Notes []string
}

var (
	localEcho = activity.DefineNamed("SDKLocalEcho", func(ctx context.Context, s string) (string, error) {
		if !activity.GetInfo(ctx).IsLocal {
			return "", errors.New("not run as a local activity")
		}
		return "echo " + s, nil
	})
	apisDef = workflow.DefineNamed("SDKAPIs", sdkAPIs)
)

// sdkAPIs uses side effects, versioning, a local activity, memo upsert, workflow
// random/UUID and Info in its first run, then continues as new; the second run uses a
// cancellation scope and a disconnected context.
func sdkAPIs(ctx workflow.Context, st apiState) (string, error) {
	info := workflow.GetInfo(ctx)
	if st.Round == 0 {
		if info.Attempt != 1 || info.WorkflowType != "SDKAPIs" || info.ContinuedRunID != "" || info.WorkflowRunTimeout != time.Minute {
			return "", fmt.Errorf("first run info: %+v", info)
		}
		n, err := workflow.SideEffectOf(ctx, func(workflow.Context) int { return 41 + 1 }).Get(ctx)
		if err != nil {
			return "", err
		}
		var cfg string
		if err := workflow.MutableSideEffect(ctx, "config", func(workflow.Context) any { return "v1" },
			func(a, b any) bool { return a == b }).Get(ctx, &cfg); err != nil {
			return "", err
		}
		version := workflow.GetVersion(ctx, "new-pricing", workflow.DefaultVersion, 2)
		ctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 5 * time.Second})
		echo, err := workflow.ExecuteLocalActivityFunc(ctx, localEcho, "hi").Get(ctx)
		if err != nil {
			return "", err
		}
		if err := workflow.UpsertMemo(ctx, map[string]any{"stage": "first"}); err != nil {
			return "", err
		}
		uuid := workflow.NewUUID(ctx)
		st.Notes = append(st.Notes, fmt.Sprintf("side effect %d", n), "config "+cfg, fmt.Sprintf("version %d", version), echo,
			fmt.Sprintf("uuid %d chars", len(uuid)))
		st.Round = 1
		return "", workflow.NewContinueAsNewError(ctx, "", st)
	}
	if info.ContinuedRunID == "" {
		return "", errors.New("the second run does not know the run it continued")
	}
	scope, cancel := workflow.WithCancel(ctx)
	timer := workflow.NewTimer(scope, time.Hour)
	cancel()
	var canceled *sundial.CanceledError
	if err := timer.Get(ctx, nil); !errors.As(err, &canceled) {
		return "", fmt.Errorf("timer in a canceled scope: %v", err)
	}
	cleanup, _ := workflow.NewDisconnectedContext(scope)
	if err := workflow.Sleep(cleanup, 10*time.Millisecond); err != nil {
		return "", fmt.Errorf("sleeping in a disconnected context: %w", err)
	}
	st.Notes = append(st.Notes, "scope canceled", "cleanup ran")
	return strings.Join(st.Notes, "; "), nil
}

// Side effects, versioning, local activities, memo, continue-as-new, cancellation
// scopes and disconnected contexts; both runs' histories then replay cleanly.
func TestSDKWorkflowAPIs(t *testing.T) {
	onBothServers(t, func(t *testing.T, tg target) {
		c := sdkDial(t, tg)
		queue := uniqueName(t, "apis")
		sdkStartWorker(t, c, queue, func(w *sdworker.Worker) error {
			return errors.Join(sdworker.RegisterWorkflowFunc(w, apisDef), sdworker.RegisterActivityFunc(w, localEcho))
		})
		ctx := testContext(t, 60*time.Second)
		id := uniqueName(t, "apis")
		run, err := sdclient.ExecuteWorkflowFunc(ctx, c, sdclient.StartWorkflowOptions{ID: id, TaskQueue: queue, WorkflowRunTimeout: time.Minute}, apisDef, apiState{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := run.Result(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := "side effect 42; config v1; version 2; echo hi; uuid 36 chars; scope canceled; cleanup ran"
		if got != want {
			t.Fatalf("result = %q\nwant     %q", got, want)
		}

		replayer := sdworker.NewWorkflowReplayer()
		if err := replayer.RegisterWorkflowWithName(sdkAPIs, "SDKAPIs"); err != nil {
			t.Fatal(err)
		}
		for _, runID := range []string{run.GetRunID(), ""} { // the first run, then the latest
			history := &historypb.History{Events: sdkHistory(t, ctx, c, id, runID)}
			if err := replayer.ReplayHistory(history); err != nil {
				t.Fatalf("replaying run %q: %v", runID, err)
			}
		}
	})
}
