package engine_test

import (
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// TestHistoryReverse: the reverse read pages from the newest event down to 1.
func TestHistoryReverse(t *testing.T) {
	e := newEnv(t)
	runID := e.start("rev", "tq")
	wft := e.pollWFT("tq")
	e.completeWFT(wft.TaskToken, completeWorkflowCmd("done"))
	var ids []int64
	var token []byte
	for pages := 0; ; pages++ {
		resp, err := e.c.GetWorkflowExecutionHistoryReverse(e.ctx(), &workflowservice.GetWorkflowExecutionHistoryReverseRequest{
			Namespace: ns, Execution: &commonpb.WorkflowExecution{WorkflowId: "rev", RunId: runID}, MaximumPageSize: 2, NextPageToken: token,
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range resp.GetHistory().GetEvents() {
			ids = append(ids, ev.EventId)
		}
		token = resp.NextPageToken
		if len(token) == 0 {
			break
		}
		if pages > 10 {
			t.Fatal("too many pages")
		}
	}
	want := []int64{5, 4, 3, 2, 1}
	if len(ids) != len(want) {
		t.Fatalf("ids = %v, want %v", ids, want)
	}
	for i := range want {
		if ids[i] != want[i] {
			t.Fatalf("ids = %v, want %v", ids, want)
		}
	}
}
