package compat

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sundialdev/sundial"
	sdclient "github.com/sundialdev/sundial/client"
	sdworker "github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

// A ledger that takes entries by signal and by validated update, reports its balance
// to a query, and closes on a "close" signal once every update handler finished.
var (
	ledgerEntry   = workflow.NewSignal[int]("entry")
	ledgerClose   = workflow.NewSignal[string]("close")
	ledgerBalance = workflow.NewQuery[string, string]("balance")
	ledgerDeposit = workflow.NewUpdate[int, int]("deposit")
	ledgerDef     = workflow.DefineNamed("SDKLedger", sdkLedger)
)

func sdkLedger(ctx workflow.Context, owner string) (string, error) {
	balance := 0
	if err := workflow.SetQueryHandlerFor(ctx, ledgerBalance, func(unit string) (string, error) {
		return fmt.Sprintf("%s has %d %s", owner, balance, unit), nil
	}); err != nil {
		return "", err
	}
	if err := workflow.SetUpdateHandlerFor(ctx, ledgerDeposit, func(ctx workflow.Context, amount int) (int, error) {
		if err := workflow.Sleep(ctx, 10*time.Millisecond); err != nil { // a handler may block
			return 0, err
		}
		balance += amount
		return balance, nil
	}, func(amount int) error {
		if amount <= 0 {
			return errors.New("deposits must be positive")
		}
		return nil
	}); err != nil {
		return "", err
	}
	entries := workflow.GetSignal(ctx, ledgerEntry)
	closing := workflow.GetSignal(ctx, ledgerClose)
	reason := ""
	for reason == "" && ctx.Err() == nil {
		workflow.NewSelector(ctx).
			AddReceive(entries.Channel(), func(workflow.ReceiveChannel, bool) { balance += entries.Receive(ctx) }).
			AddReceive(closing.Channel(), func(workflow.ReceiveChannel, bool) { reason = closing.Receive(ctx) }).
			AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {}).
			Select(ctx)
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s closed (%s) at %d", owner, reason, balance), nil
}

func registerLedger(w *sdworker.Worker) error { return sdworker.RegisterWorkflowFunc(w, ledgerDef) }

// Typed signals, queries and updates (completed, accepted, rejected) and the result.
func TestSDKSignalQueryUpdate(t *testing.T) {
	onBothServers(t, func(t *testing.T, tg target) {
		c := sdkDial(t, tg)
		queue := uniqueName(t, "ledger")
		sdkStartWorker(t, c, queue, registerLedger)
		ctx := testContext(t, 60*time.Second)

		run, err := sdclient.ExecuteWorkflowFunc(ctx, c, sdclient.StartWorkflowOptions{ID: uniqueName(t, "ledger"), TaskQueue: queue}, ledgerDef, "ada")
		if err != nil {
			t.Fatal(err)
		}
		if err := sdclient.Signal(ctx, run, ledgerEntry, 5); err != nil {
			t.Fatal(err)
		}
		balance, err := sdclient.ExecuteUpdate(ctx, run, ledgerDeposit, 10)
		if err != nil {
			t.Fatal(err)
		}
		if balance != 15 {
			t.Fatalf("balance after the update = %d, want 15", balance)
		}
		_, err = sdclient.ExecuteUpdate(ctx, run, ledgerDeposit, -1)
		var appErr *sundial.ApplicationError
		if !errors.As(err, &appErr) || !strings.Contains(err.Error(), "deposits must be positive") {
			t.Fatalf("rejected update: %v (%T)", err, err)
		}
		h, err := sdclient.StartUpdate(ctx, run, ledgerDeposit, 20, sdclient.UpdateOptions{UpdateID: "deposit-20", WaitForStage: sdclient.UpdateStageAccepted})
		if err != nil {
			t.Fatal(err)
		}
		if balance, err := h.Result(ctx); err != nil || balance != 35 {
			t.Fatalf("accepted update result = %d, %v; want 35", balance, err)
		}
		summary, err := sdclient.Query(ctx, run, ledgerBalance, "EUR")
		if err != nil {
			t.Fatal(err)
		}
		if summary != "ada has 35 EUR" {
			t.Fatalf("query = %q", summary)
		}
		stack, err := run.Query(ctx, workflow.StackTraceQuery)
		if err != nil {
			t.Fatal(err)
		}
		var trace string
		if err := stack.Get(&trace); err != nil || trace == "" {
			t.Fatalf("stack trace query = %q, %v", trace, err)
		}
		if err := sdclient.Signal(ctx, run, ledgerClose, "year end"); err != nil {
			t.Fatal(err)
		}
		got, err := run.Result(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != "ada closed (year end) at 35" {
			t.Fatalf("result = %q", got)
		}
		// The rejected update left no trace; the two accepted ones did.
		accepted := 0
		for _, e := range sdkHistory(t, ctx, c, run.GetID(), run.GetRunID()) {
			if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED {
				accepted++
			}
		}
		if accepted != 2 {
			t.Fatalf("UpdateAccepted events = %d, want 2", accepted)
		}
	})
}

// Signal-with-start, start options, cancel, terminate, describe, list and count.
func TestSDKStartOptionsAndHandle(t *testing.T) {
	onBothServers(t, func(t *testing.T, tg target) {
		c := sdkDial(t, tg)
		queue := uniqueName(t, "ledger")
		sdkStartWorker(t, c, queue, registerLedger)
		ctx := testContext(t, 60*time.Second)

		opts := sdclient.SignalWithStart(sdclient.StartWorkflowOptions{
			ID: uniqueName(t, "bob"), TaskQueue: queue,
			WorkflowExecutionTimeout: time.Hour, WorkflowRunTimeout: 30 * time.Minute, WorkflowTaskTimeout: 5 * time.Second,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			Memo:                  map[string]any{"channel": "web"},
			RetryPolicy:           &sundial.RetryPolicy{MaximumAttempts: 2},
		}, ledgerEntry, 7)
		bob, err := sdclient.ExecuteWorkflowFunc(ctx, c, opts, ledgerDef, "bob")
		if err != nil {
			t.Fatal(err)
		}
		again, err := sdclient.ExecuteWorkflowFunc(ctx, c, opts, ledgerDef, "bob")
		if err != nil {
			t.Fatal(err)
		}
		if again.GetRunID() != bob.GetRunID() {
			t.Fatalf("signal-with-start on a running workflow started run %s, want %s", again.GetRunID(), bob.GetRunID())
		}
		eventually(t, 20*time.Second, "both start signals delivered", func() bool {
			s, err := sdclient.Query(ctx, bob, ledgerBalance, "USD")
			return err == nil && s == "bob has 14 USD"
		})
		desc, err := bob.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		info := desc.GetWorkflowExecutionInfo()
		if info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING || info.GetType().GetName() != "SDKLedger" ||
			info.GetTaskQueue() != queue || info.GetMemo().GetFields()["channel"] == nil {
			t.Fatalf("describe: %v", info)
		}
		if got := desc.GetExecutionConfig().GetWorkflowExecutionTimeout().AsDuration(); got != time.Hour {
			t.Fatalf("execution timeout = %v", got)
		}

		// Start delay: the first workflow task waits.
		delayed, err := sdclient.ExecuteWorkflowFunc(ctx, c, sdclient.StartWorkflowOptions{
			ID: uniqueName(t, "delayed"), TaskQueue: queue, StartDelay: time.Hour,
		}, ledgerDef, "dora")
		if err != nil {
			t.Fatal(err)
		}
		carol, err := sdclient.ExecuteWorkflowFunc(ctx, c, sdclient.StartWorkflowOptions{ID: uniqueName(t, "carol"), TaskQueue: queue}, ledgerDef, "carol")
		if err != nil {
			t.Fatal(err)
		}
		if err := carol.Cancel(ctx); err != nil {
			t.Fatal(err)
		}
		var canceled *sundial.CanceledError
		if _, err := carol.Result(ctx); !errors.As(err, &canceled) {
			t.Fatalf("canceled workflow: %v", err)
		}
		if err := bob.Terminate(ctx, "closing the books"); err != nil {
			t.Fatal(err)
		}
		var terminated *sundial.TerminatedError
		if _, err := bob.Result(ctx); !errors.As(err, &terminated) {
			t.Fatalf("terminated workflow: %v", err)
		}
		for _, e := range sdkHistory(t, ctx, c, delayed.GetID(), "") {
			if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED {
				t.Fatal("a workflow started with a one-hour delay already ran a task")
			}
		}

		query := fmt.Sprintf("TaskQueue = '%s'", queue)
		eventually(t, 20*time.Second, "three runs counted", func() bool {
			n, err := c.CountWorkflows(ctx, query)
			return err == nil && n == 3
		})
		eventually(t, 20*time.Second, "the terminated run listed", func() bool {
			var ids []string
			for info, err := range c.ListWorkflows(ctx, query+" AND ExecutionStatus = 'Terminated'") {
				if err != nil {
					return false
				}
				ids = append(ids, info.GetExecution().GetWorkflowId())
			}
			return len(ids) == 1 && ids[0] == bob.GetID()
		})
		if err := delayed.Terminate(ctx, "done"); err != nil {
			t.Fatal(err)
		}
	})
}
