package storetest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/sundialdev/sundial/internal/store"
)

var eventTests = []namedTest{
	{"ReadRanges", testEventReadRanges},
	{"DuplicateBatch", testEventDuplicateBatch},
}

func eventBatch(namespaceID, runID string, first, last int64) store.EventBatch {
	return store.EventBatch{
		NamespaceID:  namespaceID,
		RunID:        runID,
		FirstEventID: first,
		LastEventID:  last,
		Data:         fmt.Appendf(nil, "%s/%s events %d-%d", namespaceID, runID, first, last),
	}
}

func appendEvents(t *testing.T, s store.Store, batches ...store.EventBatch) {
	t.Helper()
	requireNoError(t, s.Write(t.Context(), &store.Transition{Events: batches}), "appending events")
}

func testEventReadRanges(t *testing.T, s store.Store) {
	// Run r1 of ns holds [1,3] [4,4] [5,9] [10,12], written by three
	// transitions. The same run id in another namespace and another run of ns
	// must never show up.
	appendEvents(t, s, eventBatch("ns", "r1", 1, 3))
	appendEvents(t, s, eventBatch("ns", "r1", 4, 4), eventBatch("ns", "r1", 5, 9))
	appendEvents(t, s, eventBatch("ns", "r1", 10, 12))
	appendEvents(t, s, eventBatch("ns-2", "r1", 1, 5), eventBatch("ns", "r2", 1, 2), eventBatch("ns", "r0", 1, 20))

	cases := []struct {
		from, to int64
		firsts   []int64
	}{
		{1, 13, []int64{1, 4, 5, 10}},
		{1, 1000, []int64{1, 4, 5, 10}},
		{0, 2, []int64{1}},
		{5, 10, []int64{5}},
		{6, 8, []int64{5}},    // inside one batch
		{4, 6, []int64{4, 5}}, // ends inside a batch
		{3, 4, []int64{1}},    // starts on a batch's last event
		{3, 5, []int64{1, 4}},
		{2, 11, []int64{1, 4, 5, 10}},
		{12, 13, []int64{10}},
		{13, 20, nil}, // past the end
		{7, 7, nil},   // empty range
		{9, 5, nil},   // inverted range
		{0, 1, nil},   // before the start
	}
	for _, c := range cases {
		got, err := s.ReadEvents(t.Context(), "ns", "r1", c.from, c.to)
		requireNoError(t, err, fmt.Sprintf("reading events [%d,%d)", c.from, c.to))
		var firsts []int64
		for _, b := range got {
			want := eventBatch("ns", "r1", b.FirstEventID, b.LastEventID)
			if b.NamespaceID != "ns" || b.RunID != "r1" || !bytes.Equal(b.Data, want.Data) {
				t.Fatalf("reading [%d,%d): batch %+v is not one that was written", c.from, c.to, b)
			}
			firsts = append(firsts, b.FirstEventID)
		}
		if fmt.Sprint(firsts) != fmt.Sprint(c.firsts) {
			t.Errorf("reading [%d,%d): got batches starting at %v, want %v", c.from, c.to, firsts, c.firsts)
		}
	}

	got, err := s.ReadEvents(t.Context(), "ns", "unknown", 1, 100)
	requireNoError(t, err, "reading events of an unknown run")
	if len(got) != 0 {
		t.Fatalf("unknown run returned %d batches", len(got))
	}
}

func testEventDuplicateBatch(t *testing.T, s store.Store) {
	appendEvents(t, s, eventBatch("ns", "r1", 1, 3))
	dup := eventBatch("ns", "r1", 1, 5)
	dup.Data = []byte("second writer")
	err := s.Write(t.Context(), &store.Transition{Events: []store.EventBatch{dup}})
	requireErrorIs(t, err, store.ErrConflict, "appending a batch whose first event exists")

	got, err := s.ReadEvents(t.Context(), "ns", "r1", 1, 10)
	requireNoError(t, err, "reading events")
	if len(got) != 1 || got[0].LastEventID != 3 || !bytes.Equal(got[0].Data, eventBatch("ns", "r1", 1, 3).Data) {
		t.Fatalf("after a rejected duplicate: got %+v", got)
	}
}
