package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/store"
)

var openExecutionTests = []namedTest{
	{"PagingAcrossNamespaces", testOpenExecutionsPaging},
	{"ClosingRemoves", testOpenExecutionsClosingRemoves},
	{"Empty", testOpenExecutionsEmpty},
}

// listAllOpen pages through every open run with the given page size.
func listAllOpen(t *testing.T, s store.Store, limit int) []store.ExecutionKey {
	t.Helper()
	var (
		keys  []store.ExecutionKey
		after *store.ExecutionKey
	)
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("paging did not end after %d pages", pages)
		}
		page, err := s.ListOpenExecutions(t.Context(), after, limit)
		requireNoError(t, err, "listing open executions")
		if len(page.Executions) > limit {
			t.Fatalf("page holds %d runs, limit %d", len(page.Executions), limit)
		}
		for _, e := range page.Executions {
			if !e.CloseTime.IsZero() {
				t.Fatalf("closed run %v listed as open", keyOf(e))
			}
			keys = append(keys, keyOf(e))
		}
		if page.Next == nil {
			return keys
		}
		if len(page.Executions) == 0 {
			t.Fatalf("empty page with a Next key %+v", *page.Next)
		}
		after = page.Next
	}
}

func testOpenExecutionsPaging(t *testing.T, s store.Store) {
	var want []store.ExecutionKey
	// Written in an order unrelated to key order; every third run is closed.
	i := 0
	for _, ns := range []string{"ns-c", "ns-a", "ns-b"} {
		for _, wf := range []string{"wf-2", "wf-1"} {
			for _, run := range []string{"r2", "r1", "r3"} {
				e := newExecution(ns, wf, run)
				if i%3 == 0 {
					e.CloseTime = baseTime.Add(time.Hour)
				}
				i++
				createExecution(t, s, e)
			}
		}
	}
	for _, ns := range []string{"ns-a", "ns-b", "ns-c"} {
		for _, wf := range []string{"wf-1", "wf-2"} {
			for _, run := range []string{"r1", "r2", "r3"} {
				e, err := s.GetExecution(t.Context(), store.ExecutionKey{NamespaceID: ns, WorkflowID: wf, RunID: run})
				requireNoError(t, err, "reading execution")
				if e.CloseTime.IsZero() {
					want = append(want, keyOf(e))
				}
			}
		}
	}
	if len(want) != 12 {
		t.Fatalf("setup: %d open runs, want 12", len(want))
	}
	for _, limit := range []int{1, 2, 3, 5, 12, 100} {
		got := listAllOpen(t, s, limit)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("limit %d: listed\n%v\nwant\n%v", limit, got, want)
		}
	}

	// Paging resumes strictly after the given key, which need not exist.
	after := store.ExecutionKey{NamespaceID: "ns-b", WorkflowID: "wf-1", RunID: "r1a"}
	var wantTail []store.ExecutionKey
	for _, k := range want {
		if keyLess(after, k) {
			wantTail = append(wantTail, k)
		}
	}
	page, err := s.ListOpenExecutions(t.Context(), &after, 100)
	requireNoError(t, err, "listing open executions")
	var tail []store.ExecutionKey
	for _, e := range page.Executions {
		tail = append(tail, keyOf(e))
	}
	if fmt.Sprint(tail) != fmt.Sprint(wantTail) || len(tail) == 0 {
		t.Fatalf("listing after a missing key: got %v, want %v", tail, wantTail)
	}
	if page.Next != nil {
		t.Fatalf("a page holding the rest of the runs has Next %+v", *page.Next)
	}
}

// keyLess orders keys by namespace, workflow id, run id, comparing bytes.
func keyLess(a, b store.ExecutionKey) bool {
	if a.NamespaceID != b.NamespaceID {
		return a.NamespaceID < b.NamespaceID
	}
	if a.WorkflowID != b.WorkflowID {
		return a.WorkflowID < b.WorkflowID
	}
	return a.RunID < b.RunID
}

func testOpenExecutionsClosingRemoves(t *testing.T, s store.Store) {
	open := newExecution("ns", "wf", "open")
	createExecution(t, s, open)
	closing := newExecution("ns", "wf", "closing")
	createExecution(t, s, closing)
	if got := listAllOpen(t, s, 10); len(got) != 2 {
		t.Fatalf("listed %v, want both runs", got)
	}

	closed := *closing
	closed.CloseTime = baseTime.Add(time.Minute)
	closed.Status = 2
	err := s.Write(t.Context(), &store.Transition{Executions: []store.ExecutionWrite{{Execution: &closed, ExpectedVersion: 1}}})
	requireNoError(t, err, "closing a run")
	got := listAllOpen(t, s, 10)
	if len(got) != 1 || got[0] != keyOf(open) {
		t.Fatalf("after closing, listed %v, want only %v", got, keyOf(open))
	}
}

func testOpenExecutionsEmpty(t *testing.T, s store.Store) {
	page, err := s.ListOpenExecutions(t.Context(), nil, 10)
	requireNoError(t, err, "listing open executions")
	if len(page.Executions) != 0 || page.Next != nil {
		t.Fatalf("empty store listed %d runs, Next %v", len(page.Executions), page.Next)
	}
}
