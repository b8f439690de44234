package client_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
)

// A cart workflow exercising every kind of message: items arrive by signal or by
// update (validated), a query reports the total, and a "checkout" signal ends it.
type item struct {
	SKU   string
	Price int
}

var (
	addItemSignal = workflow.NewSignal[item]("add-item")
	checkout      = workflow.NewSignal[string]("checkout")
	totalQuery    = workflow.NewQuery[string, string]("total")
	addItemUpdate = workflow.NewUpdate[item, int]("add-item-update")
	cartWorkflow  = workflow.Define(CartWorkflow)
)

func CartWorkflow(ctx workflow.Context, owner string) (string, error) {
	total := 0
	if err := workflow.SetQueryHandlerFor(ctx, totalQuery, func(currency string) (string, error) {
		return fmt.Sprintf("%s: %d %s", owner, total, currency), nil
	}); err != nil {
		return "", err
	}
	if err := workflow.SetUpdateHandlerFor(ctx, addItemUpdate, func(ctx workflow.Context, it item) (int, error) {
		total += it.Price
		return total, nil
	}, func(it item) error {
		if it.Price <= 0 {
			return errors.New("price must be positive")
		}
		return nil
	}); err != nil {
		return "", err
	}
	items := workflow.GetSignal(ctx, addItemSignal)
	done := workflow.GetSignal(ctx, checkout)
	var paidWith string
	for paidWith == "" && ctx.Err() == nil {
		workflow.NewSelector(ctx).
			AddReceive(items.Channel(), func(workflow.ReceiveChannel, bool) { total += items.Receive(ctx).Price }).
			AddReceive(done.Channel(), func(workflow.ReceiveChannel, bool) { paidWith = done.Receive(ctx) }).
			AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {}).
			Select(ctx)
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s paid %d with %s", owner, total, paidWith), nil
}

// startCartWorker runs a worker with CartWorkflow on queue.
func startCartWorker(t *testing.T, c *client.Client, queue string) {
	t.Helper()
	w := worker.New(c, queue, worker.Options{Logger: slog.New(slog.DiscardHandler)})
	if err := worker.RegisterWorkflowFunc(w, cartWorkflow); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
}

func typedTestContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestTypedCallsSignalQueryUpdateAndResult(t *testing.T) {
	c := startSundial(t)
	startCartWorker(t, c, "carts")
	ctx := typedTestContext(t)

	run, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{ID: "cart-ada", TaskQueue: "carts"}, cartWorkflow, "ada")
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Signal(ctx, run, addItemSignal, item{SKU: "pen", Price: 3}); err != nil {
		t.Fatal(err)
	}
	total, err := client.ExecuteUpdate(ctx, run, addItemUpdate, item{SKU: "ink", Price: 4})
	if err != nil {
		t.Fatal(err)
	}
	if total != 7 {
		t.Fatalf("update result = %d, want 7", total)
	}
	// The validator rejects the update; the workflow is not changed.
	_, err = client.ExecuteUpdate(ctx, run, addItemUpdate, item{SKU: "free", Price: 0})
	var appErr *sundial.ApplicationError
	if !errors.As(err, &appErr) || !strings.Contains(err.Error(), "price must be positive") {
		t.Fatalf("rejected update error = %v (%T), want an ApplicationError from the validator", err, err)
	}
	if want := `update "add-item-update" rejected: price must be positive`; !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "retryable: true") {
		t.Fatalf("rejected update error reads %q; want it to start %q and not call itself retryable", err, want)
	}
	// Waiting only for acceptance returns a handle whose Result waits for the handler.
	h, err := client.StartUpdate(ctx, run, addItemUpdate, item{SKU: "pad", Price: 5}, client.UpdateOptions{
		UpdateID: "pad-1", WaitForStage: client.UpdateStageAccepted,
	})
	if err != nil {
		t.Fatal(err)
	}
	if h.UpdateID() != "pad-1" || h.WorkflowID() != "cart-ada" {
		t.Fatalf("update handle = %s on %s", h.UpdateID(), h.WorkflowID())
	}
	if total, err := h.Result(ctx); err != nil || total != 12 {
		t.Fatalf("accepted update result = %d, %v; want 12", total, err)
	}
	summary, err := client.Query(ctx, run, totalQuery, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	if summary != "ada: 12 EUR" {
		t.Fatalf("query = %q", summary)
	}
	if err := client.Signal(ctx, run, checkout, "card"); err != nil {
		t.Fatal(err)
	}
	got, err := run.Result(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got != "ada paid 12 with card" {
		t.Fatalf("result = %q", got)
	}
	desc, err := run.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Fatalf("status = %s", st)
	}
	// A typed handle to the closed run returns the same result.
	again, err := client.GetWorkflowFunc(ctx, c, cartWorkflow, "cart-ada", run.GetRunID()).Result(ctx)
	if err != nil || again != got {
		t.Fatalf("GetWorkflowFunc result = %q, %v", again, err)
	}
}

func TestSignalWithStartCancelTerminateListCount(t *testing.T) {
	c := startSundial(t)
	startCartWorker(t, c, "carts")
	ctx := typedTestContext(t)

	opts := client.SignalWithStart(client.StartWorkflowOptions{
		ID: "cart-bob", TaskQueue: "carts", Memo: map[string]any{"channel": "web"},
	}, addItemSignal, item{SKU: "mug", Price: 9})
	bob, err := client.ExecuteWorkflowFunc(ctx, c, opts, cartWorkflow, "bob")
	if err != nil {
		t.Fatal(err)
	}
	// Signal-with-start on a running workflow only signals it.
	again, err := client.ExecuteWorkflowFunc(ctx, c, opts, cartWorkflow, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if again.GetRunID() != bob.GetRunID() {
		t.Fatalf("second signal-with-start made run %s, want the running %s", again.GetRunID(), bob.GetRunID())
	}
	waitFor(t, func() bool {
		s, err := client.Query(ctx, bob, totalQuery, "USD")
		return err == nil && s == "bob: 18 USD"
	})

	carol, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{ID: "cart-carol", TaskQueue: "carts"}, cartWorkflow, "carol")
	if err != nil {
		t.Fatal(err)
	}
	if err := carol.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	var canceled *sundial.CanceledError
	if _, err := carol.Result(ctx); !errors.As(err, &canceled) {
		t.Fatalf("canceled workflow result error = %v, want a CanceledError", err)
	}
	if err := bob.Terminate(ctx, "closing the shop", "details"); err != nil {
		t.Fatal(err)
	}
	var terminated *sundial.TerminatedError
	if _, err := bob.Result(ctx); !errors.As(err, &terminated) {
		t.Fatalf("terminated workflow result error = %v, want a TerminatedError", err)
	}

	waitFor(t, func() bool {
		n, err := c.CountWorkflows(ctx, "WorkflowType = 'CartWorkflow'")
		return err == nil && n == 2
	})
	var ids []string
	for info, err := range c.ListWorkflows(ctx, "ExecutionStatus = 'Terminated'") {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, info.GetExecution().GetWorkflowId())
	}
	if len(ids) != 1 || ids[0] != "cart-bob" {
		t.Fatalf("terminated workflows = %v, want [cart-bob]", ids)
	}
	if n, err := c.CountWorkflows(ctx, ""); err != nil || n != 2 {
		t.Fatalf("count of all = %d, %v", n, err)
	}
}

// waitFor polls cond until it holds or the test's patience ends.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
