package engine

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"

	"github.com/sundialdev/sundial/internal/store/sqlite"
)

// newLimitedEngine starts an engine on a fresh database with cfg's paging
// and limits.
func newLimitedEngine(t *testing.T, cfg Config) *Engine {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cfg.Store = st
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	return e
}

func startAndSignal(t *testing.T, e *Engine, id, tq string, signals int) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
		Namespace: "default", WorkflowId: id, WorkflowType: &commonpb.WorkflowType{Name: "Long"},
		TaskQueue: &taskqueuepb.TaskQueue{Name: tq}, RequestId: "start-" + id,
	}); err != nil {
		t.Fatal(err)
	}
	for i := range signals {
		if _, err := e.SignalWorkflowExecution(ctx, &workflowservice.SignalWorkflowExecutionRequest{
			Namespace: "default", WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id}, SignalName: fmt.Sprintf("s%d", i),
		}); err != nil {
			t.Fatalf("signal %d: %v", i, err)
		}
	}
}

func pollTask(t *testing.T, e *Engine, tq string) *workflowservice.PollWorkflowTaskQueueResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := e.PollWorkflowTaskQueue(ctx, &workflowservice.PollWorkflowTaskQueueRequest{
		Namespace: "default", TaskQueue: &taskqueuepb.TaskQueue{Name: tq}, Identity: "w",
	})
	if err != nil || len(resp.TaskToken) == 0 {
		t.Fatalf("poll %s: %v", tq, err)
	}
	return resp
}

// TestHardening02PagedWorkflowTaskHistory: a workflow task whose history is
// longer than a page carries the first page and a next_page_token; reading on
// with GetWorkflowExecutionHistory, as the SDKs do, yields the rest up to the
// task's started event, and the task then completes.
func TestHardening02PagedWorkflowTaskHistory(t *testing.T) {
	e := newLimitedEngine(t, Config{HistoryPageSize: 4})
	startAndSignal(t, e, "paged-task", "paged-tq", 10)
	task := pollTask(t, e, "paged-tq")
	if n := len(task.GetHistory().GetEvents()); n != 4 || len(task.NextPageToken) == 0 {
		t.Fatalf("first workflow task has %d events and a %d-byte next page token; want a page of 4 and a token", n, len(task.NextPageToken))
	}
	events := task.History.Events
	token := task.NextPageToken
	for len(token) > 0 {
		page, err := e.GetWorkflowExecutionHistory(context.Background(), &workflowservice.GetWorkflowExecutionHistoryRequest{
			Namespace: "default", Execution: task.WorkflowExecution, NextPageToken: token,
		})
		if err != nil {
			t.Fatalf("reading the next page: %v", err)
		}
		events = append(events, page.History.Events...)
		token = page.NextPageToken
	}
	for i, ev := range events {
		if ev.EventId != int64(i+1) {
			t.Fatalf("paged history is not contiguous at index %d (event %d)", i, ev.EventId)
		}
	}
	if last := events[len(events)-1]; last.EventId != task.StartedEventId || last.EventType != enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED {
		t.Fatalf("paged history ends at event %d (%v), want the task's started event %d", last.EventId, last.EventType, task.StartedEventId)
	}
	if _, err := e.RespondWorkflowTaskCompleted(context.Background(), &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: "default", TaskToken: task.TaskToken, Identity: "w",
		Commands: []*commandpb.Command{{
			CommandType: enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
			Attributes:  &commandpb.Command_CompleteWorkflowExecutionCommandAttributes{CompleteWorkflowExecutionCommandAttributes: &commandpb.CompleteWorkflowExecutionCommandAttributes{}},
		}},
	}); err != nil {
		t.Fatalf("completing the paged task: %v", err)
	}
}

// TestHardening02HistoryLimits: past the suggest threshold a workflow task's
// started event suggests continue-as-new; past the hard count limit the run
// is terminated with Temporal's reason.
func TestHardening02HistoryLimits(t *testing.T) {
	e := newLimitedEngine(t, Config{HistoryLimits: HistoryLimits{SuggestContinueAsNewCount: 5, ErrorCount: 30}})
	const id = "too-long"
	startAndSignal(t, e, id, "limits-tq", 4)
	task := pollTask(t, e, "limits-tq")
	started := task.History.Events[len(task.History.Events)-1].GetWorkflowTaskStartedEventAttributes()
	if !started.GetSuggestContinueAsNew() || started.GetHistorySizeBytes() == 0 {
		t.Errorf("workflow task started at event %d: suggest_continue_as_new %v, history_size_bytes %d; want a suggestion and the size",
			task.StartedEventId, started.GetSuggestContinueAsNew(), started.GetHistorySizeBytes())
	}
	if _, err := e.RespondWorkflowTaskCompleted(context.Background(), &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: "default", TaskToken: task.TaskToken, Identity: "w",
	}); err != nil {
		t.Fatal(err)
	}
	// Signals grow the history until the limit closes the run.
	ctx := context.Background()
	var last error
	for i := 0; i < 40 && last == nil; i++ {
		_, last = e.SignalWorkflowExecution(ctx, &workflowservice.SignalWorkflowExecutionRequest{
			Namespace: "default", WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id}, SignalName: fmt.Sprintf("more%d", i),
		})
	}
	if last == nil {
		t.Fatal("40 more signals were accepted by a run limited to 30 events")
	}
	desc, err := e.DescribeWorkflowExecution(ctx, &workflowservice.DescribeWorkflowExecutionRequest{
		Namespace: "default", Execution: &commonpb.WorkflowExecution{WorkflowId: id},
	})
	if err != nil {
		t.Fatal(err)
	}
	if st := desc.WorkflowExecutionInfo.Status; st != enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED {
		t.Fatalf("status %v, want terminated", st)
	}
	hist, err := e.GetWorkflowExecutionHistoryReverse(ctx, &workflowservice.GetWorkflowExecutionHistoryReverseRequest{
		Namespace: "default", Execution: desc.WorkflowExecutionInfo.Execution, MaximumPageSize: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	var closing *historypb.HistoryEvent
	if evs := hist.GetHistory().GetEvents(); len(evs) > 0 {
		closing = evs[0]
	}
	term := closing.GetWorkflowExecutionTerminatedEventAttributes()
	if term.GetReason() != "Workflow history count exceeds limit." || term.GetIdentity() != "history-service" {
		t.Fatalf("closing event %v, want a termination for the history count limit", closing)
	}
	if closing.EventId > 32 {
		t.Errorf("terminated at event %d; the limit is 30", closing.EventId)
	}
}

// TestHardening02HistoryPagesAreBoundedInBytes: a page of history, in a
// workflow task or a history read, stays within maxHistoryPageBytes however
// large its events are (one event at least), so no response nears the gRPC
// message cap.
func TestHardening02HistoryPagesAreBoundedInBytes(t *testing.T) {
	e := newLimitedEngine(t, Config{})
	ctx := context.Background()
	const id, tq = "big-events", "big-tq"
	startAndSignal(t, e, id, tq, 0)
	big := &commonpb.Payloads{Payloads: []*commonpb.Payload{{Data: make([]byte, 1<<20)}}}
	for i := range 6 {
		if _, err := e.SignalWorkflowExecution(ctx, &workflowservice.SignalWorkflowExecutionRequest{
			Namespace: "default", WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id}, SignalName: fmt.Sprintf("big%d", i), Input: big,
		}); err != nil {
			t.Fatal(err)
		}
	}
	pageBytes := func(evs []*historypb.HistoryEvent) int {
		return proto.Size(&historypb.History{Events: evs})
	}
	task := pollTask(t, e, tq)
	if n := pageBytes(task.History.Events); n > maxHistoryPageBytes+(1<<20)+1024 || len(task.NextPageToken) == 0 {
		t.Errorf("workflow task page of %d bytes, %d-byte token; want at most about %d bytes and a token", n, len(task.NextPageToken), maxHistoryPageBytes)
	}
	page, err := e.GetWorkflowExecutionHistory(ctx, &workflowservice.GetWorkflowExecutionHistoryRequest{
		Namespace: "default", Execution: task.WorkflowExecution,
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := pageBytes(page.History.Events); n > maxHistoryPageBytes+(1<<20)+1024 || len(page.NextPageToken) == 0 {
		t.Errorf("history page of %d bytes, %d-byte token; want at most about %d bytes and a token", n, len(page.NextPageToken), maxHistoryPageBytes)
	}
}
