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
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/clock"
	"github.com/sundialdev/sundial/internal/store/sqlite"
)

// TestParkedRunsAreEvictedAndReloaded: open runs that only wait (here on a
// timer) leave memory once the run cache is over capacity, and come back
// from the store when a signal or their timer needs them.
func TestParkedRunsAreEvictedAndReloaded(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	virtual := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	const capacity = 20
	e, err := New(Config{Store: st, Clock: virtual, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), RunCacheSize: capacity})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)

	queue := &taskqueuepb.TaskQueue{Name: "parked"}
	poll := func() *workflowservice.PollWorkflowTaskQueueResponse {
		t.Helper()
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		resp, err := e.PollWorkflowTaskQueue(pctx, &workflowservice.PollWorkflowTaskQueueRequest{Namespace: "default", TaskQueue: queue, Identity: "w"})
		if err != nil || len(resp.TaskToken) == 0 {
			t.Fatalf("poll: %v, %d-byte token", err, len(resp.GetTaskToken()))
		}
		return resp
	}
	const runs = 100
	for i := range runs {
		_, err := e.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
			Namespace: "default", WorkflowId: fmt.Sprintf("parked-%d", i), WorkflowType: &commonpb.WorkflowType{Name: "Sleep"},
			TaskQueue: queue, RequestId: fmt.Sprintf("req-%d", i),
		})
		if err != nil {
			t.Fatal(err)
		}
		task := poll()
		_, err = e.RespondWorkflowTaskCompleted(ctx, &workflowservice.RespondWorkflowTaskCompletedRequest{
			Namespace: "default", TaskToken: task.TaskToken, Identity: "w",
			Commands: []*commandpb.Command{{
				CommandType: enumspb.COMMAND_TYPE_START_TIMER,
				Attributes: &commandpb.Command_StartTimerCommandAttributes{StartTimerCommandAttributes: &commandpb.StartTimerCommandAttributes{
					TimerId: "nap", StartToFireTimeout: durationpb.New(time.Hour),
				}},
			}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	e.runs.mu.Lock()
	held := len(e.runs.runs)
	e.runs.mu.Unlock()
	if held > capacity+capacity/10+1 {
		t.Fatalf("%d runs held in memory with a capacity of %d, all of them parked on timers", held, capacity)
	}

	// A signal reaches an evicted run: it is reloaded and gets a workflow task.
	if _, err := e.SignalWorkflowExecution(ctx, &workflowservice.SignalWorkflowExecutionRequest{
		Namespace: "default", WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: "parked-0"}, SignalName: "wake", RequestId: "sig",
	}); err != nil {
		t.Fatal(err)
	}
	woken := poll()
	if woken.WorkflowExecution.WorkflowId != "parked-0" {
		t.Fatalf("signaled parked-0, got a task of %s", woken.WorkflowExecution.WorkflowId)
	}
	if _, err := e.RespondWorkflowTaskCompleted(ctx, &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: "default", TaskToken: woken.TaskToken, Identity: "w",
	}); err != nil {
		t.Fatal(err)
	}

	// Every timer fires, evicted or not.
	virtual.Advance(time.Hour)
	seen := map[string]bool{}
	for len(seen) < runs {
		task := poll()
		id := task.WorkflowExecution.WorkflowId
		if seen[id] {
			t.Fatalf("unexpected task for %s (seen %d)", id, len(seen))
		}
		last := task.History.Events[len(task.History.Events)-1]
		if last.EventType != enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED {
			t.Fatalf("%s: task ends with %v", id, last.EventType)
		}
		seen[id] = true
	}
}
