package workflowrt_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt/historytest"
	"github.com/sundialdev/sundial/workflow"
	commandpb "go.temporal.io/api/command/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// nexusGoldenWorkflow calls one Nexus operation with input mode; with mode "cancel" it
// cancels the operation once it started.
func nexusGoldenWorkflow(ctx workflow.Context, mode string) (string, error) {
	opCtx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	f := workflow.NewNexusClient("ep", "svc").ExecuteOperation(opCtx, "greet", mode, workflow.NexusOperationOptions{ScheduleToCloseTimeout: time.Minute})
	var exec workflow.NexusOperationExecution
	if err := f.GetNexusOperationExecution().Get(ctx, &exec); err != nil {
		return "", err
	}
	if mode == "cancel" {
		cancel()
	}
	var out string
	err := f.Get(ctx, &out)
	return exec.OperationToken + "/" + out, err
}

// nexusGolden produces a history of nexusGoldenWorkflow, feeding the events script
// writes after each task.
func nexusGolden(mode string, script func(step int, h *historytest.Builder)) func(t *testing.T) *historypb.History {
	return func(t *testing.T) *historypb.History {
		return produceHistory(t, "nexus-caller", nexusGoldenWorkflow, func(step int, h *historytest.Builder, _ []*commandpb.Command) {
			script(step, h)
		}, mode)
	}
}

// nexusGoldenHistories are the Nexus caller histories in testdata/histories.
var nexusGoldenHistories = map[string]func(t *testing.T) *historypb.History{
	"nexus-sync-completed.json": nexusGolden("sync", func(step int, h *historytest.Builder) {
		h.NexusCompleted(5, "hello")
	}),
	"nexus-async-completed.json": nexusGolden("async", func(step int, h *historytest.Builder) {
		if step == 1 {
			h.NexusStarted(5, "token-1")
			return
		}
		h.Advance(time.Second)
		h.NexusCompleted(5, "hello later")
	}),
	"nexus-failed.json": nexusGolden("fail", func(step int, h *historytest.Builder) {
		h.NexusFailed(5, historytest.NexusFailure(5, "ep", "svc", "greet", "", sundial.NewApplicationError("refused", "Refused")))
	}),
	"nexus-canceled.json": nexusGolden("cancel", func(step int, h *historytest.Builder) {
		if step == 1 {
			h.NexusStarted(5, "token-1")
			return
		}
		// Task 2 requested the cancellation: event 10, after Started and that task.
		h.NexusCancelRequestCompleted(5, 10)
		h.NexusCanceled(5, historytest.NexusFailure(5, "ep", "svc", "greet", "token-1", sundial.NewCanceledError()))
	}),
	"nexus-timed-out.json": nexusGolden("slow", func(step int, h *historytest.Builder) {
		h.Advance(time.Minute)
		h.NexusTimedOut(5, historytest.NexusFailure(5, "ep", "svc", "greet", "", historytest.NexusTimeoutCause()))
	}),
}

func TestNexusGoldenHistories(t *testing.T) {
	reg := workflowrt.NewRegistry()
	if err := reg.RegisterWorkflow(nexusGoldenWorkflow, workflowrt.RegisterOptions{Name: "nexus-caller"}); err != nil {
		t.Fatal(err)
	}
	for file, produce := range nexusGoldenHistories {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join(goldenDir, file)
			if *updateGolden {
				data, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(produce(t))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			history, err := workflowrt.LoadHistoryFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := workflowrt.ReplayWorkflowHistory(reg, history, workflowrt.ReplayOptions{}); err != nil {
				t.Fatalf("replay failed: %v", err)
			}
		})
	}
}
