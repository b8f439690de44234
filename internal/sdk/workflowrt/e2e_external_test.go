package workflowrt_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/workflow"
)

func waiter(ctx workflow.Context) (string, error) {
	var msg string
	workflow.NewSelector(ctx).
		AddReceive(workflow.GetSignalChannel(ctx, "poke"), func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, &msg) }).
		AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {}).
		Select(ctx)
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return msg, nil
}

func poker(ctx workflow.Context) (string, error) {
	if err := workflow.SignalExternalWorkflow(ctx, "waiter-1", "", "poke", "hi").Get(ctx, nil); err != nil {
		return "", err
	}
	if err := workflow.RequestCancelExternalWorkflow(ctx, "waiter-2", "").Get(ctx, nil); err != nil {
		return "", err
	}
	if err := workflow.SignalExternalWorkflow(ctx, "ghost", "", "poke", "hi").Get(ctx, nil); err == nil {
		return "", errors.New("signaling a missing workflow succeeded")
	}
	return "done", nil
}

func TestAgainstSundialSignalAndCancelOtherWorkflows(t *testing.T) {
	c := startServer(t)
	reg := workflowrt.NewRegistry()
	for name, fn := range map[string]any{"Waiter": waiter, "Poker": poker} {
		if err := reg.RegisterWorkflow(fn, workflowrt.RegisterOptions{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	w := startWorker(t, c, reg, "external", "external-sticky")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := func(id, workflowType string) client.WorkflowRun {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "external"}, workflowType)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
	first, second := start("waiter-1", "Waiter"), start("waiter-2", "Waiter")
	var out string
	if err := start("poker", "Poker").Get(ctx, &out); err != nil || out != "done" {
		t.Fatalf("poker: %q %v (worker errors: %v)", out, err, drain(w.processErrors))
	}
	if err := first.Get(ctx, &out); err != nil || out != "hi" {
		t.Fatalf("waiter-1: %q %v", out, err)
	}
	err := second.Get(ctx, &out)
	var canceled *sundial.CanceledError
	if !errors.As(err, &canceled) {
		t.Fatalf("waiter-2: %v, want canceled", err)
	}
}
