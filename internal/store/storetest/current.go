package storetest

import (
	"testing"

	"github.com/sundialdev/sundial/internal/store"
)

var currentTests = []namedTest{
	{"CompareAndSet", testCurrentCompareAndSet},
	{"Independent", testCurrentIndependent},
}

func moveCurrent(t *testing.T, s store.Store, namespaceID, workflowID, runID, expected string) error {
	return s.Write(t.Context(), &store.Transition{Current: &store.CurrentWrite{
		Current:       store.CurrentExecution{NamespaceID: namespaceID, WorkflowID: workflowID, RunID: runID},
		ExpectedRunID: expected,
	}})
}

func requireCurrent(t *testing.T, s store.Store, namespaceID, workflowID, want string) {
	t.Helper()
	got, err := s.GetCurrentExecution(t.Context(), namespaceID, workflowID)
	requireNoError(t, err, "reading current run of "+namespaceID+"/"+workflowID)
	if got.NamespaceID != namespaceID || got.WorkflowID != workflowID || got.RunID != want {
		t.Fatalf("current run of %s/%s: got %+v, want run %s", namespaceID, workflowID, *got, want)
	}
}

func testCurrentCompareAndSet(t *testing.T, s store.Store) {
	_, err := s.GetCurrentExecution(t.Context(), "ns", "wf")
	requireErrorIs(t, err, store.ErrNotFound, "reading the current run of an unused workflow id")

	requireNoError(t, moveCurrent(t, s, "ns", "wf", "run-1", ""), "pointing a new workflow id at its first run")
	requireCurrent(t, s, "ns", "wf", "run-1")

	err = moveCurrent(t, s, "ns", "wf", "run-2", "")
	requireErrorIs(t, err, store.ErrConflict, "creating a pointer that exists")
	err = moveCurrent(t, s, "ns", "wf", "run-2", "run-0")
	requireErrorIs(t, err, store.ErrConflict, "moving a pointer from the wrong run")
	requireCurrent(t, s, "ns", "wf", "run-1")

	requireNoError(t, moveCurrent(t, s, "ns", "wf", "run-2", "run-1"), "moving the pointer to the next run")
	requireCurrent(t, s, "ns", "wf", "run-2")

	err = moveCurrent(t, s, "ns", "wf", "run-3", "run-1")
	requireErrorIs(t, err, store.ErrConflict, "moving a pointer from its previous run")
	requireCurrent(t, s, "ns", "wf", "run-2")
}

func testCurrentIndependent(t *testing.T, s store.Store) {
	requireNoError(t, moveCurrent(t, s, "ns", "wf", "a", ""), "creating pointer")
	requireNoError(t, moveCurrent(t, s, "ns", "wf-2", "b", ""), "creating pointer of another workflow id")
	requireNoError(t, moveCurrent(t, s, "ns-2", "wf", "c", ""), "creating pointer in another namespace")
	requireCurrent(t, s, "ns", "wf", "a")
	requireCurrent(t, s, "ns", "wf-2", "b")
	requireCurrent(t, s, "ns-2", "wf", "c")
	_, err := s.GetCurrentExecution(t.Context(), "ns-3", "wf")
	requireErrorIs(t, err, store.ErrNotFound, "reading the pointer in an unused namespace")
}
