package compat

import (
	"regexp"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// TestTemporalCLIBatchByQuery: `temporal workflow signal|cancel|terminate
// --query` start batch operations that `temporal batch describe|list` show,
// and that act on every run the query selects.
func TestTemporalCLIBatchByQuery(t *testing.T) {
	binary := temporalCLI(t)
	tg := startTarget(t)
	cli := newCLIRunner(t, binary, tg)
	ctx := testContext(t, 2*time.Minute)
	svc := dialRaw(t, tg)
	runs, query := batchFixture(t, ctx, svc, tg.Namespace, 5)
	eventually(t, 10*time.Second, "the runs visible to the query", func() bool {
		n, err := svc.CountWorkflowExecutions(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: tg.Namespace, Query: query})
		return err == nil && n.GetCount() == int64(len(runs))
	})
	jobID := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

	res := cli.mustRun(t, "workflow", "signal", "--query", query, "--name", "poke", "--reason", "cli signal", "--yes")
	signalJob := jobID.FindString(res.stdout + res.stderr)
	if signalJob == "" {
		t.Fatalf("the signal batch printed no job id:\n%s", res)
	}
	if desc := waitBatch(t, ctx, svc, tg.Namespace, signalJob); desc.GetState() != enumspb.BATCH_OPERATION_STATE_COMPLETED || desc.GetCompleteOperationCount() != int64(len(runs)) {
		t.Fatalf("signal batch: %v", desc)
	}
	for _, ex := range runs {
		if n := countSignals(t, ctx, svc, tg.Namespace, ex); n != 1 {
			t.Errorf("%s got %d signals, want 1", ex.GetWorkflowId(), n)
		}
	}

	res = cli.mustRun(t, "workflow", "terminate", "--query", query, "--reason", "cli terminate", "--yes")
	terminateJob := jobID.FindString(res.stdout + res.stderr)
	if terminateJob == "" {
		t.Fatalf("the terminate batch printed no job id:\n%s", res)
	}
	waitBatch(t, ctx, svc, tg.Namespace, terminateJob)
	for _, ex := range runs {
		d, err := svc.DescribeWorkflowExecution(ctx, &workflowservice.DescribeWorkflowExecutionRequest{Namespace: tg.Namespace, Execution: ex})
		if err != nil || d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED {
			t.Errorf("%s after the CLI's terminate batch: %v %v", ex.GetWorkflowId(), d.GetWorkflowExecutionInfo().GetStatus(), err)
		}
	}
	res = cli.mustRun(t, "batch", "describe", "--job-id", terminateJob)
	if !regexp.MustCompile(`(?i)completed`).MatchString(res.stdout) {
		t.Errorf("batch describe does not say completed:\n%s", res)
	}
	res = cli.mustRun(t, "batch", "list")
	if !regexp.MustCompile(regexp.QuoteMeta(signalJob)).MatchString(res.stdout) {
		t.Errorf("batch list does not show %s:\n%s", signalJob, res)
	}
}
