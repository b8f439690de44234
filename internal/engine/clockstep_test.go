package engine

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/clock"
	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/store/sqlite"
)

// lockedBuffer is a log sink tests can read while the engine writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestStorageFault08ClockStepHoldsRetention: a restart with the clock four
// days ahead (past the 72 h retention of every closed run) deletes nothing at
// once: it warns, holds retention for RetentionHold, then deletes in logged
// batches. A wall-clock step seen while running holds retention the same way.
func TestStorageFault08ClockStepHoldsRetention(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const hold = time.Hour
	newEngine := func(clk clock.Clock, log *lockedBuffer) *Engine {
		t.Helper()
		e, err := New(Config{Store: st, Clock: clk, RetentionHold: hold, Logger: slog.New(slog.NewTextHandler(log, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return e
	}

	// Before: three runs closed at t0 in the default namespace (72 h retention).
	var firstLog lockedBuffer
	first := newEngine(clock.NewVirtual(t0), &firstLog)
	const runs = 3
	for i := range runs {
		id := fmt.Sprintf("closed-%d", i)
		if _, err := first.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
			Namespace: "default", WorkflowId: id, WorkflowType: &commonpb.WorkflowType{Name: "W"},
			TaskQueue: &taskqueuepb.TaskQueue{Name: "tq"}, RequestId: id,
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := first.TerminateWorkflowExecution(ctx, &workflowservice.TerminateWorkflowExecutionRequest{
			Namespace: "default", WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id},
		}); err != nil {
			t.Fatal(err)
		}
	}
	first.Stop()
	ns, err := st.GetNamespaceByName(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	remaining := func() int {
		t.Helper()
		n := 0
		for i := range runs {
			cur, err := st.GetCurrentExecution(ctx, ns.ID, fmt.Sprintf("closed-%d", i))
			if err == nil && cur.RunID != "" {
				n++
			} else if err != nil && err != store.ErrNotFound && !strings.Contains(err.Error(), "not found") {
				t.Fatal(err)
			}
		}
		return n
	}

	// A restart four days later: everything looks expired.
	var log lockedBuffer
	later := clock.NewVirtual(t0.Add(96 * time.Hour))
	e := newEngine(later, &log)
	t.Cleanup(e.Stop)
	if n := remaining(); n != runs {
		t.Fatalf("%d of %d closed runs left right after a start with the clock 4 days ahead; want all", n, runs)
	}
	if !strings.Contains(log.String(), "every closed run of the namespace is past its retention") {
		t.Errorf("no warning about a namespace whose runs all expired at start:\n%s", log.String())
	}
	later.Advance(hold - time.Minute)
	if n := remaining(); n != runs {
		t.Fatalf("%d of %d closed runs left before the hold ended; want all", n, runs)
	}
	later.Advance(2 * time.Minute)
	if n := remaining(); n != 0 {
		t.Fatalf("%d closed runs left after the hold; want none", n)
	}
	if !strings.Contains(log.String(), "deleted runs past their retention") {
		t.Errorf("the deletion was not logged at INFO:\n%s", log.String())
	}

	// While running: a run that expires is held back by a wall-clock step.
	exists := func(id string) bool {
		t.Helper()
		_, err := st.GetCurrentExecution(ctx, ns.ID, id)
		return err == nil
	}
	id := "expires-later"
	if _, err := e.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
		Namespace: "default", WorkflowId: id, WorkflowType: &commonpb.WorkflowType{Name: "W"},
		TaskQueue: &taskqueuepb.TaskQueue{Name: "tq"}, RequestId: id,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.TerminateWorkflowExecution(ctx, &workflowservice.TerminateWorkflowExecutionRequest{
		Namespace: "default", WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id},
	}); err != nil {
		t.Fatal(err)
	}
	// The run is a minute from expiry when the watcher reports a step.
	later.Advance(72*time.Hour - time.Minute)
	if !exists(id) {
		t.Fatal("the run was deleted before its retention passed")
	}
	e.retention.clockStepped(72 * time.Hour) // what the step watcher reports
	if !strings.Contains(log.String(), "the wall clock was stepped") {
		t.Errorf("no warning about the step:\n%s", log.String())
	}
	later.Advance(2 * time.Minute)
	if !exists(id) {
		t.Fatal("the run was deleted during the hold that followed a clock step")
	}
	later.Advance(hold)
	if exists(id) {
		t.Fatal("the run was not deleted once the hold after the step ended")
	}
}
