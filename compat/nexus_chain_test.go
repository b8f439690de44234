package compat

import (
	"context"
	"testing"
	"time"

	"github.com/nexus-rpc/sdk-go/nexus"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/temporalnexus"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// A workflow that backs an asynchronous Nexus operation and continues as
// new, is retried or runs on a cron schedule hands its completion callback
// to each run that follows: the caller's operation ends when the chain does.

// nexusChainWorkflow continues as new until its count reaches zero.
func nexusChainWorkflow(ctx workflow.Context, in string, count int) (string, error) {
	if count > 0 {
		return "", workflow.NewContinueAsNewError(ctx, nexusChainWorkflow, in, count-1)
	}
	return "chained " + in, nil
}

// nexusRetriedWorkflow fails its first attempt.
func nexusRetriedWorkflow(ctx workflow.Context, in string) (string, error) {
	if workflow.GetInfo(ctx).Attempt == 1 {
		return "", temporal.NewApplicationError("first attempt fails", "FirstAttempt")
	}
	return "retried " + in, nil
}

// nexusCronWorkflow is one run of a cron schedule.
func nexusCronWorkflow(ctx workflow.Context, in string) (string, error) {
	return "cron " + in, nil
}

func registerNexusChainWorkflows(r worker.Registry) {
	r.RegisterWorkflow(nexusChainWorkflow)
	r.RegisterWorkflow(nexusRetriedWorkflow)
	r.RegisterWorkflow(nexusCronWorkflow)
}

func nexusChainOperations(t *testing.T) []nexus.RegisterableOperation {
	t.Helper()
	chain, err := temporalnexus.NewWorkflowRunOperationWithOptions(temporalnexus.WorkflowRunOperationOptions[string, string]{
		Name: "chain",
		Handler: func(ctx context.Context, in string, o nexus.StartOperationOptions) (temporalnexus.WorkflowHandle[string], error) {
			return temporalnexus.ExecuteUntypedWorkflow[string](ctx, o, client.StartWorkflowOptions{ID: "chain-" + in}, nexusChainWorkflow, in, 2)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	retried := temporalnexus.NewWorkflowRunOperation("retried", nexusRetriedWorkflow, func(ctx context.Context, in string, o nexus.StartOperationOptions) (client.StartWorkflowOptions, error) {
		return client.StartWorkflowOptions{ID: "retried-" + in, RetryPolicy: &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, MaximumAttempts: 3}}, nil
	})
	cron := temporalnexus.NewWorkflowRunOperation("cron", nexusCronWorkflow, func(ctx context.Context, in string, o nexus.StartOperationOptions) (client.StartWorkflowOptions, error) {
		return client.StartWorkflowOptions{ID: "cron-" + in, CronSchedule: "@every 1s"}, nil
	})
	return []nexus.RegisterableOperation{chain, retried, cron}
}

func TestNexusCallbackFollowsContinueAsNew(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)

	input := uniqueName(t, "in")
	run := fx.call(t, ctx, uniqueName(t, "can"), nexusCallArgs{Operation: "chain", Input: input, ScheduleToClose: time.Minute})
	var out string
	if err := run.Get(ctx, &out); err != nil {
		t.Fatalf("caller failed: %v", err)
	}
	if want := "chained " + input; out != want {
		t.Fatalf("result %q, want %q", out, want)
	}
	// The last run of the chain carries the callback and delivered it.
	handlerID := "chain-" + input
	first := fetchHistory(t, fx.handler, handlerID, "")[0]
	if got := first.GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId(); got == "" {
		t.Fatalf("the handler's last run was not continued from another")
	}
	if len(first.GetWorkflowExecutionStartedEventAttributes().GetCompletionCallbacks()) != 1 {
		t.Fatalf("the handler's last run started without the callback")
	}
	eventually(t, 30*time.Second, "the last run's callback to show delivered", func() bool {
		d, err := fx.handler.DescribeWorkflowExecution(ctx, handlerID, "")
		return err == nil && len(d.GetCallbacks()) == 1 && d.GetCallbacks()[0].GetState() == enumspb.CALLBACK_STATE_SUCCEEDED
	})
	// The first run handed its callback on and never fires it.
	firstRun := first.GetWorkflowExecutionStartedEventAttributes().GetFirstExecutionRunId()
	d, err := fx.handler.DescribeWorkflowExecution(ctx, handlerID, firstRun)
	if err != nil {
		t.Fatal(err)
	}
	if cbs := d.GetCallbacks(); len(cbs) != 1 || cbs[0].GetState() != enumspb.CALLBACK_STATE_STANDBY {
		t.Fatalf("the first run's callbacks %v, want one standing by", cbs)
	}
}

func TestNexusCallbackFollowsRetry(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)

	input := uniqueName(t, "in")
	run := fx.call(t, ctx, uniqueName(t, "retry"), nexusCallArgs{Operation: "retried", Input: input, ScheduleToClose: time.Minute})
	var out string
	if err := run.Get(ctx, &out); err != nil {
		t.Fatalf("caller failed: %v", err)
	}
	if want := "retried " + input; out != want {
		t.Fatalf("result %q, want %q (the first attempt's failure must not end the operation)", out, want)
	}
	first := fetchHistory(t, fx.handler, "retried-"+input, "")[0].GetWorkflowExecutionStartedEventAttributes()
	if first.GetAttempt() != 2 || len(first.GetCompletionCallbacks()) != 1 {
		t.Fatalf("the handler's second attempt: attempt %d, %d callbacks", first.GetAttempt(), len(first.GetCompletionCallbacks()))
	}
}

func TestNexusCallbackFiresAtCronRunClose(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)

	input := uniqueName(t, "in")
	run := fx.call(t, ctx, uniqueName(t, "cron"), nexusCallArgs{Operation: "cron", Input: input, ScheduleToClose: time.Minute})
	// Unlike a retry, the close of a cron run fires its callbacks: the
	// first run's result completes the operation, and the runs that follow
	// carry none.
	var out string
	if err := run.Get(ctx, &out); err != nil {
		t.Fatalf("caller failed: %v", err)
	}
	if want := "cron " + input; out != want {
		t.Fatalf("result %q, want %q", out, want)
	}
	handlerID := "cron-" + input
	eventually(t, 30*time.Second, "the handler's second cron run", func() bool {
		d, err := fx.handler.DescribeWorkflowExecution(ctx, handlerID, "")
		return err == nil && d.GetWorkflowExecutionInfo().GetExecution().GetRunId() != d.GetWorkflowExecutionInfo().GetFirstRunId()
	})
	first := fetchHistory(t, fx.handler, handlerID, "")[0].GetWorkflowExecutionStartedEventAttributes()
	if first.GetInitiator() != enumspb.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE || len(first.GetCompletionCallbacks()) != 0 {
		t.Fatalf("the second cron run: initiator %v, %d callbacks", first.GetInitiator(), len(first.GetCompletionCallbacks()))
	}
	if err := fx.handler.TerminateWorkflow(ctx, handlerID, "", "enough"); err != nil {
		t.Fatal(err)
	}
}
