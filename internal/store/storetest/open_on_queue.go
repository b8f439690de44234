package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/store"
)

var openOnQueueTests = []namedTest{
	{"PagingOneQueue", testOpenOnQueuePaging},
}

// testOpenOnQueuePaging: the scan lists exactly the open runs of one
// namespace and task queue, in workflow id then run id order, page by page.
func testOpenOnQueuePaging(t *testing.T, s store.Store) {
	var want []store.ExecutionKey
	for _, ns := range []string{"ns-b", "ns-a"} {
		for _, queue := range []string{"other", "orders"} {
			for _, wf := range []string{"wf-3", "wf-1", "wf-2"} {
				for _, run := range []string{"r2", "r1"} {
					id := wf
					if queue == "other" {
						id += "-elsewhere" // sorts among the runs listed, on another queue
					}
					e := newExecution(ns, id, run)
					e.TaskQueue = queue
					closed := wf == "wf-2" && run == "r1"
					if closed {
						e.CloseTime = baseTime.Add(time.Hour)
					}
					createExecution(t, s, e)
					if ns == "ns-a" && queue == "orders" && !closed {
						want = append(want, keyOf(e))
					}
				}
			}
		}
	}
	// Key order: wf-1 r1, wf-1 r2, wf-2 r2, wf-3 r1, wf-3 r2.
	ordered := []store.ExecutionKey{
		{NamespaceID: "ns-a", WorkflowID: "wf-1", RunID: "r1"},
		{NamespaceID: "ns-a", WorkflowID: "wf-1", RunID: "r2"},
		{NamespaceID: "ns-a", WorkflowID: "wf-2", RunID: "r2"},
		{NamespaceID: "ns-a", WorkflowID: "wf-3", RunID: "r1"},
		{NamespaceID: "ns-a", WorkflowID: "wf-3", RunID: "r2"},
	}
	if len(want) != len(ordered) {
		t.Fatalf("setup: %d open runs on the queue, want %d", len(want), len(ordered))
	}
	for _, limit := range []int{1, 2, 5, 100} {
		var got []store.ExecutionKey
		var after *store.ExecutionKey
		for pages := 0; ; pages++ {
			if pages > 100 {
				t.Fatalf("limit %d: paging did not end", limit)
			}
			page, err := s.ListOpenExecutionsOnQueue(t.Context(), "ns-a", "orders", after, limit)
			requireNoError(t, err, "listing open executions on a queue")
			if len(page.Executions) > limit {
				t.Fatalf("limit %d: page holds %d runs", limit, len(page.Executions))
			}
			for _, e := range page.Executions {
				if e.TaskQueue != "orders" || !e.CloseTime.IsZero() || len(e.State) == 0 {
					t.Fatalf("limit %d: listed %v on queue %q, closed %v, %d state bytes", limit, keyOf(e), e.TaskQueue, !e.CloseTime.IsZero(), len(e.State))
				}
				got = append(got, keyOf(e))
			}
			if page.Next == nil {
				break
			}
			after = page.Next
		}
		if fmt.Sprint(got) != fmt.Sprint(ordered) {
			t.Fatalf("limit %d: listed\n%v\nwant\n%v", limit, got, ordered)
		}
	}
	if _, err := s.ListOpenExecutionsOnQueue(t.Context(), "ns-a", "orders", nil, 0); err == nil {
		t.Fatal("a limit of 0 was accepted")
	}
}
