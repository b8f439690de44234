package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/store"
)

// TestReopenReadsEverythingBack writes every kind of row, closes the store,
// opens the file again and reads it all back.
func TestReopenReadsEverythingBack(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "durable.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("opening: %v", err)
	}
	ns := &store.Namespace{ID: "ns-id", Name: "default", Data: []byte("namespace config")}
	if err := s.CreateNamespace(ctx, ns); err != nil {
		t.Fatalf("creating namespace: %v", err)
	}
	start := time.Date(2025, 1, 2, 3, 4, 5, 987654321, time.UTC)
	var runs []*store.Execution
	for i := range 20 {
		e := &store.Execution{
			NamespaceID: "ns-id", WorkflowID: fmt.Sprintf("wf-%02d", i), RunID: fmt.Sprintf("run-%02d", i),
			State: bytes.Repeat([]byte{byte(i)}, 300), WorkflowType: "T", TaskQueue: "q", Status: 1,
			StartTime: start, ExecutionTime: start, HistoryLength: 2, Memo: []byte("m"),
		}
		if i%2 == 1 {
			e.CloseTime = start.Add(time.Duration(i) * time.Second)
		}
		err := s.Write(ctx, &store.Transition{
			Executions: []store.ExecutionWrite{{Execution: e}},
			Events: []store.EventBatch{{
				NamespaceID: "ns-id", RunID: e.RunID, FirstEventID: 1, LastEventID: 2,
				Data: bytes.Repeat([]byte{byte(i + 1)}, 300),
			}},
			Current: &store.CurrentWrite{Current: store.CurrentExecution{NamespaceID: "ns-id", WorkflowID: e.WorkflowID, RunID: e.RunID}},
		})
		if err != nil {
			t.Fatalf("writing run %d: %v", i, err)
		}
		runs = append(runs, e)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("closing: %v", err)
	}

	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	defer s.Close()
	got, err := s.GetNamespaceByName(ctx, "default")
	if err != nil || got.ID != ns.ID || !bytes.Equal(got.Data, ns.Data) {
		t.Fatalf("namespace after reopen: %+v, %v", got, err)
	}
	for i, want := range runs {
		e, err := s.GetExecution(ctx, store.ExecutionKey{NamespaceID: "ns-id", WorkflowID: want.WorkflowID, RunID: want.RunID})
		if err != nil {
			t.Fatalf("run %d after reopen: %v", i, err)
		}
		if e.Version != 1 || !bytes.Equal(e.State, want.State) || !e.StartTime.Equal(start) || !e.CloseTime.Equal(want.CloseTime) {
			t.Fatalf("run %d after reopen: %+v", i, e)
		}
		events, err := s.ReadEvents(ctx, "ns-id", want.RunID, 1, 3)
		if err != nil || len(events) != 1 || !bytes.Equal(events[0].Data, bytes.Repeat([]byte{byte(i + 1)}, 300)) {
			t.Fatalf("events of run %d after reopen: %+v, %v", i, events, err)
		}
		cur, err := s.GetCurrentExecution(ctx, "ns-id", want.WorkflowID)
		if err != nil || cur.RunID != want.RunID {
			t.Fatalf("current run of %s after reopen: %+v, %v", want.WorkflowID, cur, err)
		}
	}
	page, err := s.ListOpenExecutions(ctx, nil, 100)
	if err != nil || len(page.Executions) != 10 {
		t.Fatalf("open runs after reopen: %d, %v", len(page.Executions), err)
	}
}

func TestSchemaVersion(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "schema.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("opening: %v", err)
	}
	scripts, err := loadMigrations()
	if err != nil {
		t.Fatalf("loading migrations: %v", err)
	}
	var version int
	if err := s.conns.write.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		t.Fatalf("reading user_version: %v", err)
	}
	if version != len(scripts) || version < 1 {
		t.Fatalf("user_version %d, want %d", version, len(scripts))
	}
	// Pretend a newer build wrote the file.
	if _, err := s.conns.write.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(scripts)+1)); err != nil {
		t.Fatalf("bumping user_version: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("closing: %v", err)
	}
	_, err = Open(ctx, path, Options{})
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("opening a database from a newer build: %v, want a refusal", err)
	}
}

func TestReopenKeepsSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "twice.db")
	for range 2 {
		s, err := Open(t.Context(), path, Options{Synchronous: "normal"})
		if err != nil {
			t.Fatalf("opening: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("closing: %v", err)
		}
	}
}

func TestOptionsValidation(t *testing.T) {
	dir := t.TempDir()
	for _, opts := range []Options{{Synchronous: "OFF"}, {Synchronous: "EXTRA"}, {MaxBatch: -1}} {
		if s, err := Open(t.Context(), filepath.Join(dir, "x.db"), opts); err == nil {
			s.Close()
			t.Errorf("Open accepted %+v", opts)
		}
	}
	if _, err := Open(t.Context(), "", Options{}); err == nil {
		t.Error("Open accepted an empty path")
	}
}

func TestPathsNeedingEscapes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd?name#with%chars.db")
	s, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatalf("opening %q: %v", path, err)
	}
	defer s.Close()
	if err := s.CreateNamespace(t.Context(), &store.Namespace{ID: "a", Name: "a"}); err != nil {
		t.Fatalf("writing: %v", err)
	}
	if _, err := s.GetNamespaceByID(t.Context(), "a"); err != nil {
		t.Fatalf("reading back through the read pool: %v", err)
	}
}

func TestConcurrentWritesShareCommits(t *testing.T) {
	s := openFile(t, Options{})
	const writers = 64
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range 10 {
				e := &store.Execution{NamespaceID: "ns", WorkflowID: fmt.Sprintf("wf-%d-%d", w, i), RunID: "r"}
				if err := s.Write(t.Context(), &store.Transition{Executions: []store.ExecutionWrite{{Execution: e}}}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("write: %v", err)
	}
	st := s.Stats()
	if st.Transitions != writers*10 {
		t.Fatalf("stats count %d transitions, want %d", st.Transitions, writers*10)
	}
	if st.Commits >= st.Transitions {
		t.Fatalf("%d transitions took %d commits; concurrent writes were not grouped", st.Transitions, st.Commits)
	}
	t.Logf("%d transitions in %d commits (%.1f per commit)", st.Transitions, st.Commits, st.TransitionsPerCommit())
}

func TestMaxBatchBoundsCommits(t *testing.T) {
	s := openFile(t, Options{MaxBatch: 1})
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := &store.Execution{NamespaceID: "ns", WorkflowID: fmt.Sprint(w), RunID: "r"}
			if err := s.Write(t.Context(), &store.Transition{Executions: []store.ExecutionWrite{{Execution: e}}}); err != nil {
				t.Errorf("write: %v", err)
			}
		}()
	}
	wg.Wait()
	if st := s.Stats(); st.Commits != st.Transitions || st.Transitions != 16 {
		t.Fatalf("with MaxBatch 1: %+v, want one commit per transition", st)
	}
}

// TestDeadlineWhileWriterBusy holds the writer inside a batch so that a
// second Write cannot be taken: it must give up with its context's error and
// leave nothing behind, while the taken one completes.
func TestDeadlineWhileWriterBusy(t *testing.T) {
	s := openFile(t, Options{})
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s.writer.beforeBatch = func() {
		once.Do(func() {
			close(entered)
			<-release
		})
	}
	taken := make(chan error, 1)
	go func() {
		first := &store.Execution{NamespaceID: "ns", WorkflowID: "first", RunID: "r"}
		taken <- s.Write(context.Background(), &store.Transition{Executions: []store.ExecutionWrite{{Execution: first}}})
	}()
	<-entered

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	second := &store.Execution{NamespaceID: "ns", WorkflowID: "second", RunID: "r"}
	err := s.Write(ctx, &store.Transition{Executions: []store.ExecutionWrite{{Execution: second}}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("write while the writer is busy: %v, want DeadlineExceeded", err)
	}
	close(release)
	if err := <-taken; err != nil {
		t.Fatalf("the taken write: %v", err)
	}
	if _, err := s.GetExecution(t.Context(), store.ExecutionKey{NamespaceID: "ns", WorkflowID: "first", RunID: "r"}); err != nil {
		t.Fatalf("the taken write is missing: %v", err)
	}
	_, err = s.GetExecution(t.Context(), store.ExecutionKey{NamespaceID: "ns", WorkflowID: "second", RunID: "r"})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the abandoned write: %v, want ErrNotFound", err)
	}
}

// TestCloseFinishesTakenWrite closes the store while the writer holds a
// batch: Close must wait for it, and the write must be committed.
func TestCloseFinishesTakenWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "close.db")
	s, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatalf("opening: %v", err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	s.writer.beforeBatch = func() {
		close(entered)
		<-release
	}
	taken := make(chan error, 1)
	e := &store.Execution{NamespaceID: "ns", WorkflowID: "wf", RunID: "r"}
	go func() {
		taken <- s.Write(context.Background(), &store.Transition{Executions: []store.ExecutionWrite{{Execution: e}}})
	}()
	<-entered
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a batch was in flight", err)
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	if err := <-taken; err != nil {
		t.Fatalf("the in-flight write: %v", err)
	}
	if err := <-closed; err != nil {
		t.Fatalf("closing: %v", err)
	}
	s, err = Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	defer s.Close()
	if _, err := s.GetExecution(t.Context(), store.ExecutionKey{NamespaceID: "ns", WorkflowID: "wf", RunID: "r"}); err != nil {
		t.Fatalf("the in-flight write is missing after reopen: %v", err)
	}
}
