package engine_test

import (
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// TestEagerWorkflowStart: a start asking for eager execution gets its first
// workflow task in the response, already started, and nothing is left on the
// task queue for pollers.
func TestEagerWorkflowStart(t *testing.T) {
	e := newEnv(t)
	req := e.startRequest("eager", "tq")
	req.RequestEagerExecution = true
	resp, err := e.c.StartWorkflowExecution(e.ctx(), req)
	if err != nil {
		t.Fatal(err)
	}
	task := resp.GetEagerWorkflowTask()
	if len(task.GetTaskToken()) == 0 || task.GetStartedEventId() != 3 || len(task.GetHistory().GetEvents()) != 3 {
		t.Fatalf("eager task = token %d bytes, started %d, %d events; want a started first task with history 1..3",
			len(task.GetTaskToken()), task.GetStartedEventId(), len(task.GetHistory().GetEvents()))
	}
	e.pollWFTNone(&taskqueuepb.TaskQueue{Name: "tq", Kind: enumspb.TASK_QUEUE_KIND_NORMAL})
	e.completeWFT(task.TaskToken, completeWorkflowCmd("eagerly done"))
	wantTypes(t, e.history("eager", resp.RunId),
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
	info, err := e.c.GetSystemInfo(e.ctx(), &workflowservice.GetSystemInfoRequest{})
	if err != nil || !info.GetCapabilities().GetEagerWorkflowStart() {
		t.Errorf("GetSystemInfo eager_workflow_start = %v, %v; want true", info.GetCapabilities().GetEagerWorkflowStart(), err)
	}
}
