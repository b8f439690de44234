package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial/client"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
)

// TestActivityTargetChecks: a target needs a workflow id and exactly one way to
// name activities; pause does not take All.
func TestActivityTargetChecks(t *testing.T) {
	c := startSundial(t)
	ctx := context.Background()
	bad := []client.ActivityTarget{
		{ActivityID: "a"},
		{WorkflowID: "w"},
		{WorkflowID: "w", ActivityID: "a", ActivityType: "T"},
	}
	for _, target := range bad {
		if err := c.ResetActivity(ctx, target, client.ResetActivityOptions{}); err == nil {
			t.Errorf("ResetActivity accepted %+v", target)
		}
	}
	if err := c.PauseActivity(ctx, client.ActivityTarget{WorkflowID: "w", All: true}, client.PauseActivityOptions{}); err == nil {
		t.Errorf("PauseActivity accepted All")
	}
	if err := c.UnpauseActivity(ctx, client.ActivityTarget{WorkflowID: "w", All: true}, client.UnpauseActivityOptions{Jitter: -time.Second}); err == nil {
		t.Errorf("UnpauseActivity accepted a negative jitter")
	}
	target := client.ActivityTarget{WorkflowID: "w", ActivityID: "a"}
	if _, err := c.UpdateActivityOptions(ctx, target, client.ActivityOptionsUpdate{}); err == nil {
		t.Errorf("an update that changes nothing was accepted")
	}
	d := time.Second
	if _, err := c.UpdateActivityOptions(ctx, target, client.ActivityOptionsUpdate{StartToCloseTimeout: &d, RestoreOriginal: true}); err == nil {
		t.Errorf("RestoreOriginal with other options was accepted")
	}
	neg := -time.Second
	if _, err := c.UpdateActivityOptions(ctx, target, client.ActivityOptionsUpdate{HeartbeatTimeout: &neg}); err == nil {
		t.Errorf("a negative timeout was accepted")
	}
	// A well formed request for a workflow that does not exist reaches the server.
	var notFound *serviceerror.NotFound
	if _, err := c.UpdateActivityOptions(ctx, target, client.ActivityOptionsUpdate{StartToCloseTimeout: &d}); !errors.As(err, &notFound) {
		t.Errorf("update of a missing workflow: %v, want NotFound", err)
	}
}

// TestPauseWorkflow: PauseWorkflow and UnpauseWorkflow change the status the
// server describes.
func TestPauseWorkflow(t *testing.T) {
	c := startSundial(t)
	ctx := context.Background()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "paused-wf", TaskQueue: "nobody"}, "Nothing")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PauseWorkflow(ctx, run.GetID(), "", "maintenance"); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeWorkflowExecution(ctx, run.GetID(), "")
	if err != nil {
		t.Fatal(err)
	}
	if d.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_PAUSED || d.GetWorkflowExtendedInfo().GetPauseInfo().GetReason() != "maintenance" {
		t.Errorf("after PauseWorkflow: status %v pause info %v", d.WorkflowExecutionInfo.Status, d.GetWorkflowExtendedInfo().GetPauseInfo())
	}
	if err := c.PauseWorkflow(ctx, run.GetID(), "", "again"); err == nil || !strings.Contains(err.Error(), "already paused") {
		t.Errorf("pausing twice: %v", err)
	}
	if err := c.UnpauseWorkflow(ctx, run.GetID(), "", "done"); err != nil {
		t.Fatal(err)
	}
	if d, err = c.DescribeWorkflowExecution(ctx, run.GetID(), ""); err != nil || d.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("after UnpauseWorkflow: %v %v", d.GetWorkflowExecutionInfo().GetStatus(), err)
	}
}
