package engine

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/clock"
	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/store/sqlite"
)

// openSpillEngine starts an engine on st with a small run cache and a small
// task queue window.
func openSpillEngine(t *testing.T, st store.Store, window int) *Engine {
	t.Helper()
	virtual := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e, err := New(Config{Store: st, Clock: virtual, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		RunCacheSize: 20, TaskQueueWindow: window})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestHardening07BacklogSpillsToTheStore: a queue's backlog keeps at most its
// window in memory; the rest stays in the store, comes back as the window
// drains, and after a restart recovery queues only a window too. Every task
// is handed out exactly once.
func TestHardening07BacklogSpillsToTheStore(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	const window, runs = 16, 300
	e := openSpillEngine(t, st, window)
	queue := &taskqueuepb.TaskQueue{Name: "deep"}
	for i := range runs {
		if _, err := e.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
			Namespace: "default", WorkflowId: fmt.Sprintf("deep-%03d", i), WorkflowType: &commonpb.WorkflowType{Name: "Wait"},
			TaskQueue: queue, RequestId: fmt.Sprintf("req-%d", i),
		}); err != nil {
			t.Fatal(err)
		}
	}
	q := workflowQueue(mustNamespaceID(t, e), queue.Name)
	if held := e.tasks.Held(q); held > window {
		t.Fatalf("%d tasks held in memory with a window of %d", held, window)
	}
	if n := e.tasks.BacklogLen(q); n != runs {
		t.Fatalf("backlog reported %d, want %d", n, runs)
	}
	if got := e.Outstanding(); got != runs {
		t.Fatalf("Outstanding = %d with %d queued workflow tasks", got, runs)
	}

	seen := map[string]bool{}
	take := func(e *Engine, n int) {
		t.Helper()
		for range n {
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			resp, err := e.PollWorkflowTaskQueue(pctx, &workflowservice.PollWorkflowTaskQueueRequest{Namespace: "default", TaskQueue: queue, Identity: "w"})
			cancel()
			if err != nil || len(resp.TaskToken) == 0 {
				t.Fatalf("poll after %d tasks: %v, %d-byte token", len(seen), err, len(resp.GetTaskToken()))
			}
			id := resp.WorkflowExecution.WorkflowId
			if seen[id] {
				t.Fatalf("second task for %s", id)
			}
			seen[id] = true
			// Completing the task writes its start, so a restart does not
			// hand it out again.
			if _, err := e.RespondWorkflowTaskCompleted(ctx, &workflowservice.RespondWorkflowTaskCompletedRequest{
				Namespace: "default", TaskToken: resp.TaskToken, Identity: "w",
			}); err != nil {
				t.Fatal(err)
			}
			if held := e.tasks.Held(q); held > 2*window {
				t.Fatalf("%d tasks held in memory with a window of %d", held, window)
			}
		}
	}
	take(e, 100)
	e.Stop()

	// Recovery offers the remaining tasks to a window-sized queue too.
	e2 := openSpillEngine(t, st, window)
	t.Cleanup(e2.Stop)
	if held := e2.tasks.Held(q); held > window {
		t.Fatalf("%d tasks held in memory after recovery with a window of %d", held, window)
	}
	if got := e2.Outstanding(); got != runs-100 {
		t.Fatalf("Outstanding after recovery = %d, want %d", got, runs-100)
	}
	take(e2, runs-100)
	// Nothing is left: a poll finds no task.
	pctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	resp, err := e2.PollWorkflowTaskQueue(pctx, &workflowservice.PollWorkflowTaskQueueRequest{Namespace: "default", TaskQueue: queue, Identity: "w"})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.TaskToken) != 0 {
		t.Fatalf("a task of %s was handed out twice", resp.WorkflowExecution.WorkflowId)
	}
	if e2.tasks.Spilled(q) {
		t.Fatal("the queue still counts refused tasks after every one was taken")
	}
}
