package compat

import (
	"errors"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// counter accepts "add" updates until a "done" signal arrives; negative
// amounts are rejected by the validator.
func counter(ctx workflow.Context) (int, error) {
	total := 0
	err := workflow.SetUpdateHandlerWithOptions(ctx, "add", func(ctx workflow.Context, n int) (int, error) {
		if err := workflow.Sleep(ctx, time.Millisecond); err != nil {
			return 0, err
		}
		total += n
		return total, nil
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, n int) error {
		if n < 0 {
			return errors.New("amounts must not be negative")
		}
		return nil
	}})
	if err != nil {
		return 0, err
	}
	workflow.GetSignalChannel(ctx, "done").Receive(ctx, nil)
	return total, workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

func TestUpdates(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	run := startWorkflow(t, c, "Counter", counter, client.StartWorkflowOptions{})
	ctx := testContext(t, 30*time.Second)
	for i, n := range []int{5, 7} {
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: run.GetID(), UpdateID: "add-" + string(rune('a'+i)), UpdateName: "add", Args: []any{n},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			t.Fatalf("update %d: %v", n, err)
		}
		var total int
		if err := h.Get(ctx, &total); err != nil {
			t.Fatalf("update %d result: %v", n, err)
		}
		if want := []int{5, 12}[i]; total != want {
			t.Errorf("after adding %d total = %d, want %d", n, total, want)
		}
	}
	// The same update id again returns the first outcome without running it twice.
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: run.GetID(), UpdateID: "add-a", UpdateName: "add", Args: []any{100}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err != nil {
		t.Fatalf("repeated update: %v", err)
	}
	var again int
	if err := h.Get(ctx, &again); err != nil || again != 5 {
		t.Errorf("repeated update = %d, %v; want the first outcome 5", again, err)
	}
	// The validator rejects a negative amount; no update event is written for it.
	h, err = c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: run.GetID(), UpdateID: "neg", UpdateName: "add", Args: []any{-1}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err == nil || !strings.Contains(err.Error(), "must not be negative") {
		t.Errorf("negative update error = %v, want the validator's rejection", err)
	}
	if err := c.SignalWorkflow(ctx, run.GetID(), "", "done", nil); err != nil {
		t.Fatalf("signal: %v", err)
	}
	var total int
	if err := run.Get(ctx, &total); err != nil || total != 12 {
		t.Fatalf("workflow result = %d, %v; want 12", total, err)
	}
	accepted, completed := 0, 0
	for _, e := range fetchHistory(t, c, run.GetID(), run.GetRunID()) {
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
			accepted++
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
			completed++
		}
	}
	if accepted != 2 || completed != 2 {
		t.Errorf("history has %d accepted and %d completed updates, want 2 and 2", accepted, completed)
	}
}

func TestUpdateWithStart(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	taskQueue := uniqueName(t, "tq")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(counter, workflow.RegisterOptions{Name: "Counter"})
	})
	ctx := testContext(t, 30*time.Second)
	id := uniqueName(t, "wf")
	add := func(updateID string, n int) int {
		op := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
			ID: id, TaskQueue: taskQueue, WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		}, "Counter")
		h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
			StartWorkflowOperation: op,
			UpdateOptions:          client.UpdateWorkflowOptions{UpdateID: updateID, UpdateName: "add", Args: []any{n}, WaitForStage: client.WorkflowUpdateStageCompleted},
		})
		if err != nil {
			t.Fatalf("update-with-start %s: %v", updateID, err)
		}
		var total int
		if err := h.Get(ctx, &total); err != nil {
			t.Fatalf("update-with-start %s result: %v", updateID, err)
		}
		return total
	}
	if got := add("first", 3); got != 3 {
		t.Errorf("first update-with-start total = %d, want 3 (a new workflow)", got)
	}
	if got := add("second", 4); got != 7 {
		t.Errorf("second update-with-start total = %d, want 7 (the same, running workflow)", got)
	}
	if err := c.SignalWorkflow(ctx, id, "", "done", nil); err != nil {
		t.Fatalf("signal: %v", err)
	}
}
