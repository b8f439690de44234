package engine

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/clock"
	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/store/sqlite"
)

// deleteFailingStore fails DeleteClosedExecutions while failing is set, and
// counts the calls.
type deleteFailingStore struct {
	store.Store
	failing atomic.Bool
	calls   atomic.Int64
}

func (s *deleteFailingStore) DeleteClosedExecutions(ctx context.Context, nsID string, cutoff time.Time, limit int) ([]store.ExecutionKey, error) {
	s.calls.Add(1)
	if s.failing.Load() {
		return nil, errors.New("sqlite: committing: disk I/O error (10)")
	}
	return s.Store.DeleteClosedExecutions(ctx, nsID, cutoff, limit)
}

// TestStorageFault12RetentionRetriesBackOff: a retention sweep the store
// fails is retried after growing waits (30 s, then 60 s, ...), logged once
// per interval, and deletes the expired run once the store works again.
func TestStorageFault12RetentionRetriesBackOff(t *testing.T) {
	ctx := context.Background()
	inner, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = inner.Close() })
	st := &deleteFailingStore{Store: inner}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := clock.NewVirtual(t0)
	var log lockedBuffer
	e, err := New(Config{Store: st, Clock: clk, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	clk.Advance(time.Second) // the sweep every start arms runs, and finds nothing
	const id = "expires"
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
	st.failing.Store(true)
	base := st.calls.Load()
	attempts := func() int64 { return st.calls.Load() - base }

	clk.Advance(72 * time.Hour) // the default namespace keeps runs 72 h
	if n := attempts(); n != 1 {
		t.Fatalf("%d deletion attempts when the run expired, want 1", n)
	}
	clk.Advance(29 * time.Second)
	if n := attempts(); n != 1 {
		t.Fatalf("%d deletion attempts within 29 s of the first failure, want 1 (retries wait 30 s first)", n)
	}
	clk.Advance(2 * time.Second)
	if n := attempts(); n != 2 {
		t.Fatalf("%d deletion attempts 31 s after the first failure, want 2", n)
	}
	clk.Advance(58 * time.Second)
	if n := attempts(); n != 2 {
		t.Fatalf("%d deletion attempts within 58 s of the second failure, want 2 (the wait doubles)", n)
	}
	clk.Advance(3 * time.Second)
	if n := attempts(); n != 3 {
		t.Fatalf("%d deletion attempts 61 s after the second failure, want 3", n)
	}
	if n := strings.Count(log.String(), "deleting expired runs failed"); n != 1 {
		t.Errorf("the failing deletion was logged %d times, want once per interval:\n%s", n, log.String())
	}

	st.failing.Store(false)
	clk.Advance(2 * time.Minute)
	ns, err := inner.GetNamespaceByName(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inner.GetCurrentExecution(ctx, ns.ID, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the expired run is still there after the store recovered (err %v)", err)
	}
}
