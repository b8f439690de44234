package storetest

import (
	"bytes"
	"testing"

	"github.com/sundialdev/sundial/internal/store"
)

var atomicityTests = []namedTest{
	{"CurrentConflictUndoesAll", testAtomicCurrentConflict},
	{"SecondExecutionExists", testAtomicSecondExecutionExists},
	{"EventConflictUndoesUpdate", testAtomicEventConflict},
	{"FullTransition", testAtomicFullTransition},
}

// requireNoEvents fails if the run has any stored batch.
func requireNoEvents(t *testing.T, s store.Store, namespaceID, runID string) {
	t.Helper()
	got, err := s.ReadEvents(t.Context(), namespaceID, runID, 0, 1<<40)
	requireNoError(t, err, "reading events")
	if len(got) != 0 {
		t.Fatalf("run %s/%s has %d batches, want none", namespaceID, runID, len(got))
	}
}

func testAtomicCurrentConflict(t *testing.T, s store.Store) {
	requireNoError(t, moveCurrent(t, s, "ns", "wf", "run-1", ""), "creating pointer")

	// Starting run-2 writes its row and first events, then moves the pointer
	// from a run that is not current: nothing may remain.
	e := newExecution("ns", "wf", "run-2")
	err := s.Write(t.Context(), &store.Transition{
		Executions: []store.ExecutionWrite{{Execution: e}},
		Events:     []store.EventBatch{eventBatch("ns", "run-2", 1, 3)},
		Current: &store.CurrentWrite{
			Current:       store.CurrentExecution{NamespaceID: "ns", WorkflowID: "wf", RunID: "run-2"},
			ExpectedRunID: "run-0",
		},
	})
	requireErrorIs(t, err, store.ErrConflict, "writing with a stale current pointer")
	requireExecutionAbsent(t, s, keyOf(e))
	requireNoEvents(t, s, "ns", "run-2")
	requireCurrent(t, s, "ns", "wf", "run-1")
}

func testAtomicSecondExecutionExists(t *testing.T, s store.Store) {
	existing := newExecution("ns", "parent", "run-1")
	createExecution(t, s, existing)

	child := newExecution("ns", "child", "run-1")
	dup := newExecution("ns", "parent", "run-1")
	dup.State = []byte("overwrite attempt")
	err := s.Write(t.Context(), &store.Transition{Executions: []store.ExecutionWrite{
		{Execution: child},
		{Execution: dup},
	}})
	requireErrorIs(t, err, store.ErrAlreadyExists, "creating two runs, the second existing")
	requireExecutionAbsent(t, s, keyOf(child))
	requireStoredExecution(t, s, existing)
}

func testAtomicEventConflict(t *testing.T, s store.Store) {
	e := newExecution("ns", "wf", "run-1")
	err := s.Write(t.Context(), &store.Transition{
		Executions: []store.ExecutionWrite{{Execution: e}},
		Events:     []store.EventBatch{eventBatch("ns", "run-1", 1, 3)},
	})
	requireNoError(t, err, "starting run")

	next := *e
	next.State = []byte("advanced")
	next.HistoryLength = 5
	err = s.Write(t.Context(), &store.Transition{
		Executions: []store.ExecutionWrite{{Execution: &next, ExpectedVersion: 1}},
		Events:     []store.EventBatch{eventBatch("ns", "run-1", 4, 5), eventBatch("ns", "run-1", 1, 2)},
	})
	requireErrorIs(t, err, store.ErrConflict, "appending an existing batch after a valid update")
	requireStoredExecution(t, s, e)
	got, err := s.ReadEvents(t.Context(), "ns", "run-1", 1, 100)
	requireNoError(t, err, "reading events")
	if len(got) != 1 || got[0].FirstEventID != 1 || got[0].LastEventID != 3 {
		t.Fatalf("after a failed transition the run holds %+v, want only [1,3]", got)
	}
}

func testAtomicFullTransition(t *testing.T, s store.Store) {
	first := newExecution("ns", "wf", "run-1")
	err := s.Write(t.Context(), &store.Transition{
		Executions: []store.ExecutionWrite{{Execution: first}},
		Events:     []store.EventBatch{eventBatch("ns", "run-1", 1, 2)},
		Current: &store.CurrentWrite{
			Current: store.CurrentExecution{NamespaceID: "ns", WorkflowID: "wf", RunID: "run-1"},
		},
	})
	requireNoError(t, err, "starting run-1")

	// Continue-as-new: close run-1, start run-2, move the pointer, together.
	closed := *first
	closed.CloseTime = baseTime.Add(1)
	closed.Status = 6
	second := newExecution("ns", "wf", "run-2")
	err = s.Write(t.Context(), &store.Transition{
		Executions: []store.ExecutionWrite{{Execution: &closed, ExpectedVersion: 1}, {Execution: second}},
		Events:     []store.EventBatch{eventBatch("ns", "run-1", 3, 4), eventBatch("ns", "run-2", 1, 1)},
		Current: &store.CurrentWrite{
			Current:       store.CurrentExecution{NamespaceID: "ns", WorkflowID: "wf", RunID: "run-2"},
			ExpectedRunID: "run-1",
		},
	})
	requireNoError(t, err, "continuing as new")
	if closed.Version != 2 || second.Version != 1 {
		t.Fatalf("versions after write: closed %d (want 2), new %d (want 1)", closed.Version, second.Version)
	}
	requireStoredExecution(t, s, &closed)
	requireStoredExecution(t, s, second)
	requireCurrent(t, s, "ns", "wf", "run-2")
	got, err := s.ReadEvents(t.Context(), "ns", "run-1", 1, 10)
	requireNoError(t, err, "reading events")
	if len(got) != 2 || !bytes.Equal(got[1].Data, eventBatch("ns", "run-1", 3, 4).Data) {
		t.Fatalf("run-1 events: %+v", got)
	}
}
