// Package storetest is the conformance suite every store.Store driver must
// pass. A driver's test calls Run with a function that opens a fresh, empty
// store; the suite closes the stores it opens.
package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/store"
)

// Opener returns a fresh, empty store for one test. It may register cleanup
// with t; the suite also calls Close, so Close must be safe to call twice.
type Opener func(t *testing.T) store.Store

// Run runs the whole suite against stores made by open.
func Run(t *testing.T, open Opener) {
	t.Helper()
	groups := []struct {
		name  string
		tests []namedTest
	}{
		{"Namespaces", namespaceTests},
		{"Executions", executionTests},
		{"Current", currentTests},
		{"Events", eventTests},
		{"OpenExecutions", openExecutionTests},
		{"OpenExecutionsOnQueue", openOnQueueTests},
		{"Atomicity", atomicityTests},
		{"Concurrency", concurrencyTests},
		{"Lifecycle", lifecycleTests},
		{"Records", recordTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					s := open(t)
					t.Cleanup(func() { _ = s.Close() })
					tc.run(t, s)
				})
			}
		})
	}
	RunVisibility(t, open)
	RunRetention(t, func(t *testing.T) store.Store {
		s := open(t)
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

type namedTest struct {
	name string
	run  func(t *testing.T, s store.Store)
}

// baseTime has nanoseconds so that drivers must keep full precision.
var baseTime = time.Date(2025, time.March, 4, 5, 6, 7, 123456789, time.UTC)

// newExecution returns an open run with every column set to something
// distinctive.
func newExecution(namespaceID, workflowID, runID string) *store.Execution {
	return &store.Execution{
		NamespaceID:      namespaceID,
		WorkflowID:       workflowID,
		RunID:            runID,
		State:            []byte("state of " + runID),
		WorkflowType:     "OrderWorkflow",
		TaskQueue:        "orders",
		Status:           1,
		StartTime:        baseTime,
		ExecutionTime:    baseTime.Add(time.Second),
		HistoryLength:    3,
		Memo:             []byte("memo"),
		SearchAttributes: []byte("attrs"),
	}
}

func keyOf(e *store.Execution) store.ExecutionKey {
	return store.ExecutionKey{NamespaceID: e.NamespaceID, WorkflowID: e.WorkflowID, RunID: e.RunID}
}

// createExecution writes e as a new run and fails the test if that fails.
func createExecution(t *testing.T, s store.Store, e *store.Execution) {
	t.Helper()
	err := s.Write(t.Context(), &store.Transition{Executions: []store.ExecutionWrite{{Execution: e}}})
	if err != nil {
		t.Fatalf("creating execution %v: %v", keyOf(e), err)
	}
}

// requireErrorIs fails unless err matches target.
func requireErrorIs(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

// requireNoError fails if err is not nil.
func requireNoError(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// diffExecution describes how got differs from want, or returns "".
// Blobs compare by content: nil and empty are the same.
func diffExecution(want, got *store.Execution) string {
	var diffs []string
	check := func(field string, equal bool, w, g any) {
		if !equal {
			diffs = append(diffs, fmt.Sprintf("%s: got %v, want %v", field, g, w))
		}
	}
	check("NamespaceID", want.NamespaceID == got.NamespaceID, want.NamespaceID, got.NamespaceID)
	check("WorkflowID", want.WorkflowID == got.WorkflowID, want.WorkflowID, got.WorkflowID)
	check("RunID", want.RunID == got.RunID, want.RunID, got.RunID)
	check("Version", want.Version == got.Version, want.Version, got.Version)
	check("State", bytes.Equal(want.State, got.State), want.State, got.State)
	check("WorkflowType", want.WorkflowType == got.WorkflowType, want.WorkflowType, got.WorkflowType)
	check("TaskQueue", want.TaskQueue == got.TaskQueue, want.TaskQueue, got.TaskQueue)
	check("Status", want.Status == got.Status, want.Status, got.Status)
	check("StartTime", sameTime(want.StartTime, got.StartTime), want.StartTime, got.StartTime)
	check("ExecutionTime", sameTime(want.ExecutionTime, got.ExecutionTime), want.ExecutionTime, got.ExecutionTime)
	check("CloseTime", sameTime(want.CloseTime, got.CloseTime), want.CloseTime, got.CloseTime)
	check("HistoryLength", want.HistoryLength == got.HistoryLength, want.HistoryLength, got.HistoryLength)
	check("Memo", bytes.Equal(want.Memo, got.Memo), want.Memo, got.Memo)
	check("SearchAttributes", bytes.Equal(want.SearchAttributes, got.SearchAttributes), want.SearchAttributes, got.SearchAttributes)
	if len(diffs) == 0 {
		return ""
	}
	return fmt.Sprint(diffs)
}

// sameTime requires the same instant, and a zero time to stay zero. Non-zero
// times must come back in UTC.
func sameTime(want, got time.Time) bool {
	if want.IsZero() || got.IsZero() {
		return want.IsZero() && got.IsZero()
	}
	return want.Equal(got) && got.Location() == time.UTC
}

// requireStoredExecution reads want's run and compares it with want.
func requireStoredExecution(t *testing.T, s store.Store, want *store.Execution) {
	t.Helper()
	got, err := s.GetExecution(t.Context(), keyOf(want))
	requireNoError(t, err, fmt.Sprintf("reading execution %v", keyOf(want)))
	if d := diffExecution(want, got); d != "" {
		t.Fatalf("execution %v differs: %s", keyOf(want), d)
	}
}

// requireExecutionAbsent fails unless key's run does not exist.
func requireExecutionAbsent(t *testing.T, s store.Store, key store.ExecutionKey) {
	t.Helper()
	_, err := s.GetExecution(t.Context(), key)
	requireErrorIs(t, err, store.ErrNotFound, fmt.Sprintf("reading execution %v", key))
}
