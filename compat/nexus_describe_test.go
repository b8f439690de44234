package compat

import (
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
)

// Describe shows a caller's open Nexus operations and a handler workflow's
// completion callbacks, as Temporal fills PendingNexusOperationInfo and
// CallbackInfo.

func TestNexusDescribeAsyncOperationAndCallback(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)

	input := uniqueName(t, "in")
	run := fx.call(t, ctx, uniqueName(t, "describe"), nexusCallArgs{Operation: "run", Input: input, ScheduleToClose: time.Minute})
	handlerID := "handler-" + input
	var op *workflowpb.PendingNexusOperationInfo
	eventually(t, 30*time.Second, "the caller to show its started operation", func() bool {
		d, err := fx.caller.DescribeWorkflowExecution(ctx, run.GetID(), "")
		if err != nil || len(d.GetPendingNexusOperations()) != 1 {
			return false
		}
		op = d.GetPendingNexusOperations()[0]
		return op.GetState() == enumspb.PENDING_NEXUS_OPERATION_STATE_STARTED
	})
	if op.GetEndpoint() != fx.endpoint || op.GetService() != nexusService || op.GetOperation() != "run" {
		t.Fatalf("pending operation names %s/%s/%s", op.GetEndpoint(), op.GetService(), op.GetOperation())
	}
	if op.GetOperationToken() == "" || op.GetOperationId() != op.GetOperationToken() {
		t.Fatalf("pending operation token %q, id %q", op.GetOperationToken(), op.GetOperationId())
	}
	if op.GetAttempt() != 1 || op.GetLastAttemptCompleteTime() == nil || op.GetLastAttemptFailure() != nil || op.GetNextAttemptScheduleTime() != nil {
		t.Fatalf("started operation's attempts: %v", op)
	}
	if op.GetScheduleToCloseTimeout().AsDuration() != time.Minute || op.GetScheduledEventId() != 5 || op.GetScheduledTime() == nil {
		t.Fatalf("started operation's schedule: %v", op)
	}
	if op.GetCancellationInfo() != nil || op.GetBlockedReason() != "" {
		t.Fatalf("operation nobody canceled shows %v", op)
	}

	d, err := fx.handler.DescribeWorkflowExecution(ctx, handlerID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.GetCallbacks()) != 1 {
		t.Fatalf("handler workflow shows %d callbacks, want 1", len(d.GetCallbacks()))
	}
	cb := d.GetCallbacks()[0]
	if cb.GetState() != enumspb.CALLBACK_STATE_STANDBY || cb.GetTrigger().GetWorkflowClosed() == nil || cb.GetRegistrationTime() == nil || cb.GetAttempt() != 0 {
		t.Fatalf("open handler's callback: %v", cb)
	}
	if cb.GetCallback().GetNexus().GetUrl() != "temporal://system" {
		t.Fatalf("callback URL %q", cb.GetCallback().GetNexus().GetUrl())
	}
	if links := cb.GetCallback().GetLinks(); len(links) != 1 || links[0].GetWorkflowEvent().GetWorkflowId() != run.GetID() {
		t.Fatalf("callback links %v, want one to the caller", links)
	}

	if err := fx.handler.SignalWorkflow(ctx, handlerID, "", "finish", "!"); err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatalf("caller failed: %v", err)
	}
	d, err = fx.caller.DescribeWorkflowExecution(ctx, run.GetID(), "")
	if err != nil || len(d.GetPendingNexusOperations()) != 0 {
		t.Fatalf("closed caller still shows operations: %v %v", d.GetPendingNexusOperations(), err)
	}
	eventually(t, 30*time.Second, "the handler's callback to show delivered", func() bool {
		d, err := fx.handler.DescribeWorkflowExecution(ctx, handlerID, "")
		if err != nil || len(d.GetCallbacks()) != 1 {
			return false
		}
		cb = d.GetCallbacks()[0]
		return cb.GetState() == enumspb.CALLBACK_STATE_SUCCEEDED
	})
	if cb.GetAttempt() != 1 || cb.GetLastAttemptCompleteTime() == nil || cb.GetLastAttemptFailure() != nil {
		t.Fatalf("delivered callback: %v", cb)
	}
}

func TestNexusDescribeRetryingOperation(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)

	input := uniqueName(t, "in")
	run := fx.call(t, ctx, uniqueName(t, "retrying"), nexusCallArgs{Operation: "flaky", Input: input, ScheduleToClose: time.Minute})
	var op *workflowpb.PendingNexusOperationInfo
	eventually(t, 30*time.Second, "the caller to show its operation backing off", func() bool {
		d, err := fx.caller.DescribeWorkflowExecution(ctx, run.GetID(), "")
		if err != nil || len(d.GetPendingNexusOperations()) != 1 {
			return false
		}
		op = d.GetPendingNexusOperations()[0]
		return op.GetState() == enumspb.PENDING_NEXUS_OPERATION_STATE_BACKING_OFF
	})
	if op.GetAttempt() < 1 || op.GetLastAttemptCompleteTime() == nil || op.GetNextAttemptScheduleTime() == nil {
		t.Fatalf("backing-off operation's attempts: %v", op)
	}
	if !op.GetNextAttemptScheduleTime().AsTime().After(op.GetLastAttemptCompleteTime().AsTime()) {
		t.Fatalf("next attempt %v is not after the last %v", op.GetNextAttemptScheduleTime().AsTime(), op.GetLastAttemptCompleteTime().AsTime())
	}
	f := op.GetLastAttemptFailure()
	if !strings.Contains(f.GetMessage(), "flaky handler: "+input) || f.GetNexusHandlerFailureInfo().GetType() != "INTERNAL" {
		t.Fatalf("last attempt failure %v, want the handler's internal error", f)
	}
	if op.GetOperationToken() != "" {
		t.Fatalf("operation that never started has token %q", op.GetOperationToken())
	}
	if err := fx.caller.TerminateWorkflow(ctx, run.GetID(), "", "done"); err != nil {
		t.Fatal(err)
	}
}
