package workflowrt_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt/historytest"
	"github.com/sundialdev/sundial/workflow"
	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden histories in testdata/histories")

const goldenDir = "../../../testdata/histories"

// orderWorkflow is the tutorial's order workflow in miniature: charge, update inventory,
// email, with a random confirmation code from a side effect and a versioned change.
func orderWorkflow(ctx workflow.Context, orderID string) (string, error) {
	ctx = withTimeouts(ctx)
	var tx string
	if err := workflow.ExecuteActivity(ctx, "ChargeCard", orderID).Get(ctx, &tx); err != nil {
		return "", err
	}
	code, err := workflow.SideEffectOf(ctx, func(workflow.Context) int { return 4242 }).Get(ctx)
	if err != nil {
		return "", err
	}
	if err := workflow.ExecuteActivity(ctx, "UpdateInventory", orderID).Get(ctx, nil); err != nil {
		return "", err
	}
	if workflow.GetVersion(ctx, "email-after-delay", workflow.DefaultVersion, 1) == 1 {
		if err := workflow.Sleep(ctx, time.Minute); err != nil {
			return "", err
		}
	}
	if err := workflow.ExecuteActivity(ctx, "SendEmail", orderID, code).Get(ctx, nil); err != nil {
		return "", err
	}
	return "Order " + orderID + ": " + tx, nil
}

// orderWorkflowV0 is an older version that refunded first: histories it wrote must not
// replay on orderWorkflow.
func orderWorkflowV0(ctx workflow.Context, orderID string) (string, error) {
	ctx = withTimeouts(ctx)
	if err := workflow.ExecuteActivity(ctx, "Refund", orderID).Get(ctx, nil); err != nil {
		return "", err
	}
	return "refunded", nil
}

// approvalWorkflow waits for an approval signal or a timeout, answering queries.
func approvalWorkflow(ctx workflow.Context) (string, error) {
	state := "waiting"
	if err := workflow.SetQueryHandler(ctx, "state", func() (string, error) { return state, nil }); err != nil {
		return "", err
	}
	approver := ""
	workflow.Go(ctx, func(ctx workflow.Context) { approver = workflow.GetSignal(ctx, approval).Receive(ctx) })
	ok, err := workflow.AwaitWithTimeout(ctx, time.Hour, func() bool { return approver != "" })
	if err != nil {
		return "", err
	}
	if !ok {
		return "expired", nil
	}
	state = "approved by " + approver
	return state, nil
}

func goldenRegistry(t *testing.T) *workflowrt.Registry {
	t.Helper()
	reg := workflowrt.NewRegistry()
	for name, fn := range map[string]any{"order": orderWorkflow, "approval": approvalWorkflow} {
		if err := reg.RegisterWorkflow(fn, workflowrt.RegisterOptions{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

// produceHistory runs fn as workflow type name to completion, feeding outside events
// through script (called after each task with the task's number), and returns history.
func produceHistory(t *testing.T, name string, fn any, script func(step int, h *historytest.Builder, commands []*commandpb.Command), args ...any) *historypb.History {
	t.Helper()
	x := newHarness(t, fn, 10, args...)
	x.hist = historytest.New(t, "wf", args...)
	for step := 1; step < 20; step++ {
		commands := x.step()
		if len(commands) > 0 && isClose(last(commands)) {
			h := x.hist.History()
			h.Events[0].GetWorkflowExecutionStartedEventAttributes().WorkflowType.Name = name
			return h
		}
		script(step, x.hist, commands)
	}
	t.Fatal("workflow did not finish in 20 tasks")
	return nil
}

func isClose(c *commandpb.Command) bool {
	switch c.GetCommandType() {
	case enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, enumspb.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION,
		enumspb.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION, enumspb.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
		return true
	}
	return false
}

// goldenHistories are the histories in testdata/histories and how they were produced.
var goldenHistories = map[string]func(t *testing.T) *historypb.History{
	"order.json": func(t *testing.T) *historypb.History {
		return produceHistory(t, "order", orderWorkflow, func(step int, h *historytest.Builder, commands []*commandpb.Command) {
			c := last(commands)
			switch {
			case c.GetStartTimerCommandAttributes() != nil:
				h.Advance(time.Minute)
				h.TimerFired(c.GetStartTimerCommandAttributes().GetTimerId())
			case step == 1:
				h.ActivityCompleted(c.GetScheduleActivityTaskCommandAttributes().GetActivityId(), "tx-1")
			default:
				h.ActivityCompleted(c.GetScheduleActivityTaskCommandAttributes().GetActivityId(), nil)
			}
		}, "o-1")
	},
	"approval-signaled.json": func(t *testing.T) *historypb.History {
		return produceHistory(t, "approval", approvalWorkflow, func(step int, h *historytest.Builder, commands []*commandpb.Command) {
			h.Signal("approve", "alice")
		})
	},
	"approval-expired.json": func(t *testing.T) *historypb.History {
		return produceHistory(t, "approval", approvalWorkflow, func(step int, h *historytest.Builder, commands []*commandpb.Command) {
			h.Advance(time.Hour)
			h.TimerFired("5")
		})
	},
	"bad-order-refund-first.json": func(t *testing.T) *historypb.History {
		return produceHistory(t, "order", orderWorkflowV0, func(step int, h *historytest.Builder, commands []*commandpb.Command) {
			h.ActivityCompleted("5", nil)
		}, "o-1")
	},
}

func TestGoldenHistories(t *testing.T) {
	reg := goldenRegistry(t)
	for file, produce := range goldenHistories {
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
			err = workflowrt.ReplayWorkflowHistory(reg, history, workflowrt.ReplayOptions{})
			if !strings.HasPrefix(file, "bad-") {
				if err != nil {
					t.Fatalf("replay failed: %v", err)
				}
				return
			}
			var nd *workflowrt.NondeterminismError
			if !errors.As(err, &nd) {
				t.Fatalf("replay error = %v, want a nondeterminism error", err)
			}
			for _, want := range []string{"ActivityTaskScheduled{ActivityId=5, ActivityType=Refund}", "ScheduleActivityTask{ActivityId=5, ActivityType=ChargeCard}"} {
				if !strings.Contains(err.Error(), want) {
					t.Fatalf("error %q does not name %s", err, want)
				}
			}
		})
	}
}
