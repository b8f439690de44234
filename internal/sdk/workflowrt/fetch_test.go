package workflowrt_test

import (
	"context"
	"testing"

	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
)

// historyService serves a fixed history in pages of two events, as
// GetWorkflowExecutionHistory does; every other method is left unimplemented.
type historyService struct {
	workflowservice.WorkflowServiceClient
	events []*historypb.HistoryEvent
	calls  int
}

func (s *historyService) GetWorkflowExecutionHistory(_ context.Context, req *workflowservice.GetWorkflowExecutionHistoryRequest, _ ...grpc.CallOption) (*workflowservice.GetWorkflowExecutionHistoryResponse, error) {
	s.calls++
	start := 0
	if len(req.GetNextPageToken()) > 0 {
		start = int(req.GetNextPageToken()[0])
	}
	end := min(start+2, len(s.events))
	resp := &workflowservice.GetWorkflowExecutionHistoryResponse{History: &historypb.History{Events: s.events[start:end]}}
	if end < len(s.events) {
		resp.NextPageToken = []byte{byte(end)}
	}
	return resp, nil
}

func TestPartialHistoryOnCacheMissFetchesFullHistory(t *testing.T) {
	wf := func(ctx workflow.Context) (string, error) {
		var tx string
		err := workflow.ExecuteActivity(withTimeouts(ctx), "Charge").Get(ctx, &tx)
		return tx, err
	}
	x := newHarness(t, wf, 0)
	x.step()
	x.hist.ActivityCompleted("5", "tx-1")
	task := x.hist.Task(true) // sticky-style: only the events since the last task
	if task.GetHistory().GetEvents()[0].GetEventId() == 1 {
		t.Fatal("test setup: expected a partial history")
	}
	// The server's history already holds an event past this task (a signal that arrived
	// after it started); the fetch must stop at the task's started event.
	full := append(x.hist.History().GetEvents(), &historypb.HistoryEvent{
		EventId: x.hist.LastID() + 1, EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionSignaledEventAttributes{WorkflowExecutionSignaledEventAttributes: &historypb.WorkflowExecutionSignaledEventAttributes{SignalName: "late"}},
	})
	svc := &historyService{events: full}
	handler := workflowrt.NewTaskHandler(x.reg, workflowrt.TaskHandlerOptions{Namespace: "default", Service: svc, CacheSize: 0})
	defer handler.Close()
	result, err := handler.Process(context.Background(), task)
	if err != nil || result.Completed == nil {
		t.Fatalf("Process: %v %v", err, result.Err)
	}
	commands := result.Completed.GetCommands()
	requireTypes(t, commands, enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION)
	if got := completedResult[string](t, commands[0]); got != "tx-1" {
		t.Fatalf("result = %q", got)
	}
	if svc.calls < 2 {
		t.Fatalf("history fetched in %d calls, want paging", svc.calls)
	}
	if result.Completed.GetStickyAttributes() != nil {
		t.Fatal("sticky attributes sent with the cache disabled")
	}
}
