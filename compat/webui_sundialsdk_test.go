package compat

import (
	"testing"
	"time"

	sdclient "github.com/sundialdev/sundial/client"
	sdworker "github.com/sundialdev/sundial/worker"
	sdworkflow "github.com/sundialdev/sundial/workflow"
)

// webUISundialAwait runs on Sundial's own Go SDK: a helper coroutine waits for
// an "ok" signal while the root waits on a timer, so the UI's Call Stack tab
// has two stacks to show.
func webUISundialAwait(ctx sdworkflow.Context) error {
	sdworkflow.GoNamed(ctx, "approver", func(ctx sdworkflow.Context) {
		sdworkflow.GetSignalChannel(ctx, "ok").Receive(ctx, nil)
	})
	return sdworkflow.Sleep(ctx, time.Hour)
}

// startWebUISundialWorkflow runs webUISundialAwait on a Sundial worker and
// returns its workflow id once its first workflow task has completed.
func startWebUISundialWorkflow(t *testing.T, tg target) string {
	t.Helper()
	ctx := testContext(t, time.Minute)
	c := sdkDial(t, tg)
	queue := "webui-sundial-sdk"
	sdkStartWorker(t, c, queue, func(w *sdworker.Worker) error {
		return w.RegisterWorkflowWithOptions(webUISundialAwait, sdworker.RegisterWorkflowOptions{Name: "SundialAwait"})
	})
	const id = "order-sundial-sdk"
	if _, err := c.ExecuteWorkflow(ctx, sdclient.StartWorkflowOptions{ID: id, TaskQueue: queue}, "SundialAwait"); err != nil {
		t.Fatalf("starting %s: %v", id, err)
	}
	eventually(t, 30*time.Second, "the Sundial SDK workflow's first task completed", func() bool {
		desc, err := c.DescribeWorkflowExecution(ctx, id, "")
		return err == nil && desc.GetPendingWorkflowTask() == nil && desc.GetWorkflowExecutionInfo().GetHistoryLength() >= 4
	})
	return id
}
