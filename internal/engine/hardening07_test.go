package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/clock"
)

// newMemoryTestEngine starts an engine on a fresh database with a run cache
// of the given capacity.
func newMemoryTestEngine(t *testing.T, capacity int) *Engine {
	t.Helper()
	virtual := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	return newLimitedEngine(t, Config{Clock: virtual, RunCacheSize: capacity})
}

func (e *Engine) cachedRuns() int {
	e.runs.mu.Lock()
	defer e.runs.mu.Unlock()
	return len(e.runs.runs)
}

// TestHardening07QueuedRunsAreEvicted: runs whose only work is a task waiting
// in a queue leave the run cache once it is over capacity, stay counted as
// outstanding, and each hands out its task exactly once when a worker comes,
// also after a signal reloaded some of them.
func TestHardening07QueuedRunsAreEvicted(t *testing.T) {
	ctx := context.Background()
	const capacity, runs = 20, 200
	e := newMemoryTestEngine(t, capacity)
	queue := &taskqueuepb.TaskQueue{Name: "unpolled"}
	for i := range runs {
		_, err := e.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
			Namespace: "default", WorkflowId: fmt.Sprintf("queued-%d", i), WorkflowType: &commonpb.WorkflowType{Name: "Wait"},
			TaskQueue: queue, RequestId: fmt.Sprintf("req-%d", i),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if held := e.cachedRuns(); held > capacity+capacity/10+1 {
		t.Fatalf("%d runs held in memory with a capacity of %d, all of them only waiting for a worker", held, capacity)
	}
	if got := e.Outstanding(); got != runs {
		t.Fatalf("Outstanding = %d with %d queued workflow tasks", got, runs)
	}
	// Signals reload evicted runs; their queued task must not be queued twice.
	for i := 0; i < runs; i += 7 {
		if _, err := e.SignalWorkflowExecution(ctx, &workflowservice.SignalWorkflowExecutionRequest{
			Namespace: "default", WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: fmt.Sprintf("queued-%d", i)},
			SignalName: "poke", RequestId: fmt.Sprintf("sig-%d", i),
		}); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.Outstanding(); got != runs {
		t.Fatalf("Outstanding = %d after signals, want %d", got, runs)
	}
	seen := map[string]bool{}
	for len(seen) < runs {
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
	}
	if n := e.tasks.BacklogLen(workflowQueue(mustNamespaceID(t, e), queue.Name)); n != 0 {
		t.Fatalf("%d entries left in the queue after every task was taken", n)
	}
	if got := e.Outstanding(); got != runs {
		t.Fatalf("Outstanding = %d with %d running workflow tasks", got, runs)
	}
}

// TestHardening07RunCacheEvictsLeastRecentlyUsed: an eviction pass drops the
// runs used longest ago and keeps the recently used ones.
func TestHardening07RunCacheEvictsLeastRecentlyUsed(t *testing.T) {
	const capacity = 100
	c := newRunCache(capacity)
	key := func(i int) runKey { return runKey{"ns", fmt.Sprintf("wf-%d", i), "run"} }
	for i := range capacity {
		c.get(key(i))
	}
	for i := range capacity / 2 {
		c.get(key(i)) // the first half is now the most recently used
	}
	c.get(key(capacity)) // over capacity: an eviction pass runs
	for i := range capacity / 2 {
		if _, ok := c.runs[key(i)]; !ok {
			t.Fatalf("recently used run %d was evicted", i)
		}
	}
	if _, ok := c.runs[key(capacity/2)]; ok {
		t.Fatalf("least recently used run %d was kept", capacity/2)
	}
	if len(c.runs) >= capacity {
		t.Fatalf("%d runs held after an eviction pass, capacity %d", len(c.runs), capacity)
	}
}
