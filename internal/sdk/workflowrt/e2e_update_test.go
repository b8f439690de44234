package workflowrt_test

import (
	"context"
	"testing"
	"time"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	updatepb "go.temporal.io/api/update/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// update sends an update through the raw API and waits for its outcome.
func update(t *testing.T, c *client.Client, workflowID, updateID string, n int) *updatepb.Outcome {
	t.Helper()
	args, err := c.DataConverter().ToPayloads(n)
	if err != nil {
		t.Fatal(err)
	}
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		resp, err := c.WorkflowService().UpdateWorkflowExecution(ctx, &workflowservice.UpdateWorkflowExecutionRequest{
			Namespace:         c.Namespace(),
			WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: workflowID},
			WaitPolicy:        &updatepb.WaitPolicy{LifecycleStage: enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED},
			Request: &updatepb.Request{
				Meta:  &updatepb.Meta{UpdateId: updateID, Identity: "e2e"},
				Input: &updatepb.Input{Name: "add", Args: args},
			},
		})
		cancel()
		if err != nil {
			t.Fatalf("update %s: %v", updateID, err)
		}
		if resp.GetOutcome() != nil {
			return resp.GetOutcome()
		}
	}
}

func TestAgainstSundialUpdates(t *testing.T) {
	c := startServer(t)
	reg := workflowrt.NewRegistry()
	if err := reg.RegisterWorkflow(counterWorkflow, workflowrt.RegisterOptions{Name: "Counter"}); err != nil {
		t.Fatal(err)
	}
	w := startWorker(t, c, reg, "counters", "counters-sticky")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "counter-1", TaskQueue: "counters"}, "Counter")
	if err != nil {
		t.Fatal(err)
	}
	if out := update(t, c, "counter-1", "bad", -5); out.GetFailure() == nil {
		t.Fatalf("invalid update outcome = %v, want a rejection", out)
	}
	out := update(t, c, "counter-1", "first", 4)
	if decode[int](t, out.GetSuccess()) != 4 {
		t.Fatalf("first update outcome = %v (worker errors: %v)", out, drain(w.processErrors))
	}
	if out := update(t, c, "counter-1", "second", 6); decode[int](t, out.GetSuccess()) != 10 {
		t.Fatalf("second update outcome = %v", out)
	}
	var total int
	if err := run.Get(ctx, &total); err != nil || total != 10 {
		t.Fatalf("workflow result = %d, %v", total, err)
	}
}
