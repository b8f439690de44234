package storetest

import (
	"fmt"
	"testing"

	"github.com/sundialdev/sundial/internal/store"
)

var recordTests = []namedTest{
	{"CreateGetReplaceDelete", testRecordLifecycle},
	{"ListPagingAndScope", testRecordListPaging},
	{"AtomicWithExecutions", testRecordAtomicWithExecutions},
}

func writeRecord(s store.Store, t *testing.T, w store.RecordWrite) error {
	return s.Write(t.Context(), &store.Transition{Records: []store.RecordWrite{w}})
}

func testRecordLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := &store.Record{NamespaceID: "ns", Kind: "batch", ID: "job-1", Data: []byte("v1")}
	requireNoError(t, writeRecord(s, t, store.RecordWrite{Record: r}), "creating a record")
	if r.Version != 1 {
		t.Fatalf("created record's version = %d, want 1", r.Version)
	}
	err := writeRecord(s, t, store.RecordWrite{Record: &store.Record{NamespaceID: "ns", Kind: "batch", ID: "job-1", Data: []byte("again")}})
	requireErrorIs(t, err, store.ErrAlreadyExists, "creating a record that exists")

	got, err := s.GetRecord(ctx, "ns", "batch", "job-1")
	requireNoError(t, err, "reading the record")
	if string(got.Data) != "v1" || got.Version != 1 {
		t.Fatalf("record = %q v%d, want \"v1\" v1", got.Data, got.Version)
	}
	_, err = s.GetRecord(ctx, "ns", "schedule", "job-1")
	requireErrorIs(t, err, store.ErrNotFound, "reading a record of another kind")

	r.Data = []byte("v2")
	requireNoError(t, writeRecord(s, t, store.RecordWrite{Record: r, ExpectedVersion: 1}), "replacing the record")
	err = writeRecord(s, t, store.RecordWrite{Record: &store.Record{NamespaceID: "ns", Kind: "batch", ID: "job-1", Data: []byte("stale")}, ExpectedVersion: 1})
	requireErrorIs(t, err, store.ErrConflict, "replacing the record at a stale version")
	got, err = s.GetRecord(ctx, "ns", "batch", "job-1")
	requireNoError(t, err, "reading the record")
	if string(got.Data) != "v2" || got.Version != 2 {
		t.Fatalf("record = %q v%d, want \"v2\" v2", got.Data, got.Version)
	}

	err = writeRecord(s, t, store.RecordWrite{Record: got, ExpectedVersion: 1, Delete: true})
	requireErrorIs(t, err, store.ErrConflict, "deleting the record at a stale version")
	requireNoError(t, writeRecord(s, t, store.RecordWrite{Record: got, ExpectedVersion: 2, Delete: true}), "deleting the record")
	_, err = s.GetRecord(ctx, "ns", "batch", "job-1")
	requireErrorIs(t, err, store.ErrNotFound, "reading a deleted record")
}

func testRecordListPaging(t *testing.T, s store.Store) {
	ctx := t.Context()
	for i := range 5 {
		requireNoError(t, writeRecord(s, t, store.RecordWrite{Record: &store.Record{NamespaceID: "ns", Kind: "batch", ID: fmt.Sprintf("job-%d", i)}}), "creating a record")
	}
	requireNoError(t, writeRecord(s, t, store.RecordWrite{Record: &store.Record{NamespaceID: "other", Kind: "batch", ID: "job-x"}}), "creating a record in another namespace")
	requireNoError(t, writeRecord(s, t, store.RecordWrite{Record: &store.Record{NamespaceID: "ns", Kind: "schedule", ID: "job-y"}}), "creating a record of another kind")
	var ids []string
	after := ""
	for range 10 {
		page, err := s.ListRecords(ctx, "ns", "batch", after, 2)
		requireNoError(t, err, "listing records")
		for _, r := range page {
			ids = append(ids, r.ID)
		}
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1].ID
	}
	if fmt.Sprint(ids) != "[job-0 job-1 job-2 job-3 job-4]" {
		t.Fatalf("listed records %v, want job-0 … job-4 of the namespace and kind only", ids)
	}
}

func testRecordAtomicWithExecutions(t *testing.T, s store.Store) {
	ctx := t.Context()
	e := newExecution("ns", "wf", "run-1")
	createExecution(t, s, e)
	// The execution write conflicts, so the record must not be written either.
	err := s.Write(ctx, &store.Transition{
		Executions: []store.ExecutionWrite{{Execution: newExecution("ns", "wf", "run-1")}},
		Records:    []store.RecordWrite{{Record: &store.Record{NamespaceID: "ns", Kind: "batch", ID: "job-1"}}},
	})
	if err == nil {
		t.Fatal("a transition creating an existing execution succeeded")
	}
	_, err = s.GetRecord(ctx, "ns", "batch", "job-1")
	requireErrorIs(t, err, store.ErrNotFound, "the record of a failed transition")
}
