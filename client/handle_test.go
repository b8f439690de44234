package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/converter"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
)

func TestStartSignalSendsSignalWithStart(t *testing.T) {
	b := setup(t, nil, nil)
	run, err := b.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: "order-1", TaskQueue: "orders-tq",
		WorkflowExecutionTimeout: time.Hour, WorkflowRunTimeout: time.Minute, WorkflowTaskTimeout: 5 * time.Second,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		RetryPolicy:              &sundial.RetryPolicy{MaximumAttempts: 2},
		CronSchedule:             "@daily",
		Memo:                     map[string]any{"note": "rush"},
		SearchAttributes:         map[string]any{"CustomKeywordField": "vip"},
		StartDelay:               time.Minute,
		Priority:                 &sundial.Priority{PriorityKey: 2},
		RequestID:                "req-9",
		StartSignal:              "add-item",
		StartSignalArgs:          []any{"pen", 2},
	}, "ProcessOrder", order{ID: "o-1"})
	if err != nil {
		t.Fatal(err)
	}
	if run.GetRunID() != "run-sws" {
		t.Fatalf("run id = %q", run.GetRunID())
	}
	if n := len(all[*workflowservice.StartWorkflowExecutionRequest](b.fake)); n != 0 {
		t.Fatalf("%d plain starts sent", n)
	}
	req := last[*workflowservice.SignalWithStartWorkflowExecutionRequest](t, b.fake)
	var item string
	var qty int
	if err := converterDecode(req.GetSignalInput(), &item, &qty); err != nil || item != "pen" || qty != 2 {
		t.Fatalf("signal input %q %d: %v", item, qty, err)
	}
	if req.GetSignalName() != "add-item" || req.GetWorkflowId() != "order-1" || req.GetNamespace() != "orders" ||
		req.GetWorkflowType().GetName() != "ProcessOrder" || req.GetTaskQueue().GetName() != "orders-tq" ||
		req.GetRequestId() != "req-9" || req.GetIdentity() != "test-client" ||
		req.GetWorkflowExecutionTimeout().AsDuration() != time.Hour || req.GetWorkflowRunTimeout().AsDuration() != time.Minute ||
		req.GetWorkflowTaskTimeout().AsDuration() != 5*time.Second || req.GetWorkflowStartDelay().AsDuration() != time.Minute ||
		req.GetWorkflowIdReusePolicy() != enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE ||
		req.GetWorkflowIdConflictPolicy() != enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING ||
		req.GetRetryPolicy().GetMaximumAttempts() != 2 || req.GetCronSchedule() != "@daily" ||
		req.GetMemo().GetFields()["note"] == nil || req.GetSearchAttributes().GetIndexedFields()["CustomKeywordField"] == nil ||
		req.GetPriority().GetPriorityKey() != 2 || len(req.GetInput().GetPayloads()) != 1 {
		t.Fatalf("signal-with-start request: %v", req)
	}
}

func TestStartSignalNeedsAnID(t *testing.T) {
	b := setup(t, nil, nil)
	_, err := b.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{TaskQueue: "q", StartSignal: "s"}, "W")
	if err == nil {
		t.Fatal("signal-with-start without an id was sent")
	}
}

// A handle from ExecuteWorkflow addresses the chain's latest run and guards
// cancellation and termination with the first run id; one from GetWorkflow addresses
// its run.
func TestHandleAddressesItsChainOrItsRun(t *testing.T) {
	b := setup(t, nil, nil)
	ctx := context.Background()
	started, err := b.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "wf", TaskQueue: "q"}, "W")
	if err != nil {
		t.Fatal(err)
	}
	if err := started.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	cancelReq := last[*workflowservice.RequestCancelWorkflowExecutionRequest](t, b.fake)
	if cancelReq.GetWorkflowExecution().GetRunId() != "" || cancelReq.GetFirstExecutionRunId() != "run-1" {
		t.Fatalf("cancel from a started handle: %v", cancelReq)
	}
	if err := started.Terminate(ctx, "why", "detail"); err != nil {
		t.Fatal(err)
	}
	termReq := last[*workflowservice.TerminateWorkflowExecutionRequest](t, b.fake)
	if termReq.GetWorkflowExecution().GetRunId() != "" || termReq.GetFirstExecutionRunId() != "run-1" || termReq.GetReason() != "why" {
		t.Fatalf("terminate from a started handle: %v", termReq)
	}
	if err := started.Signal(ctx, "sig", 1); err != nil {
		t.Fatal(err)
	}
	if r := last[*workflowservice.SignalWorkflowExecutionRequest](t, b.fake); r.GetWorkflowExecution().GetRunId() != "" {
		t.Fatalf("signal from a started handle went to run %q", r.GetWorkflowExecution().GetRunId())
	}

	named := b.client.GetWorkflow(ctx, "wf", "run-7")
	if err := named.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	cancelReq = last[*workflowservice.RequestCancelWorkflowExecutionRequest](t, b.fake)
	if cancelReq.GetWorkflowExecution().GetRunId() != "run-7" || cancelReq.GetFirstExecutionRunId() != "" {
		t.Fatalf("cancel from GetWorkflow's handle: %v", cancelReq)
	}
	if _, err := named.Describe(ctx); err != nil {
		t.Fatal(err)
	}
	if r := last[*workflowservice.DescribeWorkflowExecutionRequest](t, b.fake); r.GetExecution().GetRunId() != "run-7" {
		t.Fatalf("describe went to run %q", r.GetExecution().GetRunId())
	}
}

func converterDecode(p *commonpb.Payloads, ptrs ...any) error {
	return converter.GetDefaultDataConverter().FromPayloads(p, ptrs...)
}
