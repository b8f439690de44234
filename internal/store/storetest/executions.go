package storetest

import (
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/store"
)

var executionTests = []namedTest{
	{"CreateAndGet", testExecutionCreateAndGet},
	{"CreateExisting", testExecutionCreateExisting},
	{"ConditionalUpdate", testExecutionConditionalUpdate},
	{"UpdateMissing", testExecutionUpdateMissing},
	{"StateOnlyUpdate", testExecutionStateOnlyUpdate},
	{"NilBlobsAndZeroTimes", testExecutionNilBlobsAndZeroTimes},
	{"Missing", testExecutionMissing},
}

func testExecutionCreateAndGet(t *testing.T, s store.Store) {
	e := newExecution("ns", "wf", "run-1")
	createExecution(t, s, e)
	if e.Version != 1 {
		t.Fatalf("Write set Version to %d after a create, want 1", e.Version)
	}
	requireStoredExecution(t, s, e)
}

func testExecutionCreateExisting(t *testing.T, s store.Store) {
	e := newExecution("ns", "wf", "run-1")
	createExecution(t, s, e)

	again := newExecution("ns", "wf", "run-1")
	again.State = []byte("impostor")
	err := s.Write(t.Context(), &store.Transition{Executions: []store.ExecutionWrite{{Execution: again}}})
	requireErrorIs(t, err, store.ErrAlreadyExists, "creating an existing run")
	requireStoredExecution(t, s, e)
}

func testExecutionConditionalUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	e := newExecution("ns", "wf", "run-1")
	createExecution(t, s, e)

	// A full rewrite at the loaded version bumps the version.
	next := *e
	next.State = []byte("state after task completed")
	next.Status = 2
	next.HistoryLength = 9
	next.CloseTime = baseTime.Add(time.Minute)
	next.Memo = []byte("new memo")
	err := s.Write(ctx, &store.Transition{Executions: []store.ExecutionWrite{{Execution: &next, ExpectedVersion: 1}}})
	requireNoError(t, err, "updating at version 1")
	if next.Version != 2 {
		t.Fatalf("Write set Version to %d, want 2", next.Version)
	}
	requireStoredExecution(t, s, &next)

	// A writer that loaded version 1 has lost the race.
	stale := *e
	stale.State = []byte("stale")
	err = s.Write(ctx, &store.Transition{Executions: []store.ExecutionWrite{{Execution: &stale, ExpectedVersion: 1}}})
	requireErrorIs(t, err, store.ErrConflict, "updating at a stale version")
	// So has one that expects a version from the future.
	err = s.Write(ctx, &store.Transition{Executions: []store.ExecutionWrite{{Execution: &stale, ExpectedVersion: 7}}})
	requireErrorIs(t, err, store.ErrConflict, "updating at a future version")
	requireStoredExecution(t, s, &next)

	third := next
	third.State = []byte("third")
	err = s.Write(ctx, &store.Transition{Executions: []store.ExecutionWrite{{Execution: &third, ExpectedVersion: 2}}})
	requireNoError(t, err, "updating at version 2")
	if third.Version != 3 {
		t.Fatalf("Write set Version to %d, want 3", third.Version)
	}
	requireStoredExecution(t, s, &third)
}

// testExecutionStateOnlyUpdate writes the state and history length alone, as
// the engine does when a transition leaves the listed columns as they were.
func testExecutionStateOnlyUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	e := newExecution("ns", "wf", "run-1")
	createExecution(t, s, e)

	next := *e
	next.State = []byte("state after an activity completed")
	next.HistoryLength = e.HistoryLength + 3
	err := s.Write(ctx, &store.Transition{Executions: []store.ExecutionWrite{{Execution: &next, ExpectedVersion: 1, StateOnly: true}}})
	requireNoError(t, err, "state-only update at version 1")
	if next.Version != 2 {
		t.Fatalf("Write set Version to %d, want 2", next.Version)
	}
	requireStoredExecution(t, s, &next)

	stale := next
	stale.State = []byte("stale")
	err = s.Write(ctx, &store.Transition{Executions: []store.ExecutionWrite{{Execution: &stale, ExpectedVersion: 1, StateOnly: true}}})
	requireErrorIs(t, err, store.ErrConflict, "state-only update at a stale version")
	requireStoredExecution(t, s, &next)

	// A full update after state-only ones still changes every column.
	closed := next
	closed.State = []byte("closed")
	closed.Status = 2
	closed.CloseTime = baseTime.Add(time.Hour)
	err = s.Write(ctx, &store.Transition{Executions: []store.ExecutionWrite{{Execution: &closed, ExpectedVersion: 2}}})
	requireNoError(t, err, "full update at version 2")
	requireStoredExecution(t, s, &closed)
}

func testExecutionUpdateMissing(t *testing.T, s store.Store) {
	e := newExecution("ns", "wf", "never-created")
	err := s.Write(t.Context(), &store.Transition{Executions: []store.ExecutionWrite{{Execution: e, ExpectedVersion: 1}}})
	requireErrorIs(t, err, store.ErrConflict, "updating a run that does not exist")
	requireExecutionAbsent(t, s, keyOf(e))
}

func testExecutionNilBlobsAndZeroTimes(t *testing.T, s store.Store) {
	e := &store.Execution{NamespaceID: "ns", WorkflowID: "wf", RunID: "bare"}
	createExecution(t, s, e)
	requireStoredExecution(t, s, e)
}

func testExecutionMissing(t *testing.T, s store.Store) {
	createExecution(t, s, newExecution("ns", "wf", "run-1"))
	requireExecutionAbsent(t, s, store.ExecutionKey{NamespaceID: "ns", WorkflowID: "wf", RunID: "run-2"})
	requireExecutionAbsent(t, s, store.ExecutionKey{NamespaceID: "other", WorkflowID: "wf", RunID: "run-1"})
	requireExecutionAbsent(t, s, store.ExecutionKey{NamespaceID: "ns", WorkflowID: "other", RunID: "run-1"})
}
