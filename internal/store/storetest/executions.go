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
