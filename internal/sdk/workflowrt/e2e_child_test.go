package workflowrt_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/workflow"
)

func childGreeter(ctx workflow.Context, name string) (string, error) {
	if name == "" {
		return "", sundial.NewApplicationError("no name", "EmptyName")
	}
	if err := workflow.Sleep(ctx, 10*time.Millisecond); err != nil {
		return "", err
	}
	return "hello " + name, nil
}

var greeter = workflow.DefineNamed("Greeter", childGreeter)

func parentWorkflow(ctx workflow.Context) (string, error) {
	if err := workflow.UpsertSearchAttributes(ctx, map[string]any{"CustomKeywordField": "parent"}); err != nil {
		return "", err
	}
	if err := workflow.UpsertMemo(ctx, map[string]any{"note": "hi"}); err != nil {
		return "", err
	}
	if workflow.GetInfo(ctx).Memo.GetFields()["note"] == nil {
		return "", errors.New("memo upsert not visible in Info")
	}
	child := workflow.ExecuteChildWorkflow(ctx, "Greeter", "ada")
	var exec workflow.Execution
	if err := child.GetChildWorkflowExecution().Get(ctx, &exec); err != nil {
		return "", err
	}
	if exec.RunID == "" || !strings.HasPrefix(exec.WorkflowID, workflow.GetInfo(ctx).OriginalRunID+"_") {
		return "", errors.New("child execution not reported")
	}
	var greeting string
	if err := child.Get(ctx, &greeting); err != nil {
		return "", err
	}
	typed, err := workflow.ExecuteChildWorkflowFunc(ctx, greeter, "bob").Get(ctx)
	if err != nil {
		return "", err
	}
	_, failErr := workflow.ExecuteChildWorkflowFunc(ctx, greeter, "").Get(ctx)
	var childErr *sundial.ChildWorkflowError
	var appErr *sundial.ApplicationError
	if !errors.As(failErr, &childErr) || !errors.As(failErr, &appErr) || appErr.Type() != "EmptyName" {
		return "", errors.New("failing child did not surface as ChildWorkflowError: " + errorText(failErr))
	}
	return greeting + ", " + typed, nil
}

func TestAgainstSundialChildWorkflowsAndUpserts(t *testing.T) {
	c := startServer(t)
	reg := workflowrt.NewRegistry()
	if err := reg.RegisterWorkflow(parentWorkflow, workflowrt.RegisterOptions{Name: "Parent"}); err != nil {
		t.Fatal(err)
	}
	if err := reg.RegisterWorkflow(greeter.Function(), workflowrt.RegisterOptions{Name: greeter.Name()}); err != nil {
		t.Fatal(err)
	}
	w := startWorker(t, c, reg, "family", "family-sticky")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "parent-1", TaskQueue: "family"}, "Parent")
	if err != nil {
		t.Fatal(err)
	}
	var result string
	if err := run.Get(ctx, &result); err != nil {
		t.Fatalf("parent: %v (worker errors: %v)", err, drain(w.processErrors))
	}
	if result != "hello ada, hello bob" {
		t.Fatalf("result = %q", result)
	}
	desc, err := c.DescribeWorkflowExecution(ctx, "parent-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if desc.GetWorkflowExecutionInfo().GetMemo().GetFields()["note"] == nil {
		t.Errorf("memo upsert did not reach the server: %v", desc.GetWorkflowExecutionInfo().GetMemo())
	}
	if desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()["CustomKeywordField"] == nil {
		t.Errorf("search attribute upsert did not reach the server: %v", desc.GetWorkflowExecutionInfo().GetSearchAttributes())
	}
}
