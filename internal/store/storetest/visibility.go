package storetest

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/proto"

	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/visibility"
)

// RunVisibility runs the visibility part of the suite: listing, counting and
// paging with the filter language, and the search attribute registry.
func RunVisibility(t *testing.T, open Opener) {
	t.Helper()
	tests := []namedTest{
		{"Filters", testVisibilityFilters},
		{"Paging", testVisibilityPaging},
		{"PagingUnderWrites", testVisibilityPagingUnderWrites},
		{"ForeignCursor", testVisibilityForeignCursor},
		{"Count", testVisibilityCount},
		{"UpsertReindexes", testVisibilityUpsertReindexes},
		{"Registry", testVisibilityRegistry},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { _ = s.Close() })
			tc.run(t, s)
		})
	}
}

// visibilityCatalog registers the custom attributes the fixture uses.
var visibilityCatalog = visibility.Catalog{Custom: map[string]enumspb.IndexedValueType{
	"CustomKeywordField":     enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"CustomIntField":         enumspb.INDEXED_VALUE_TYPE_INT,
	"CustomDoubleField":      enumspb.INDEXED_VALUE_TYPE_DOUBLE,
	"CustomBoolField":        enumspb.INDEXED_VALUE_TYPE_BOOL,
	"CustomDatetimeField":    enumspb.INDEXED_VALUE_TYPE_DATETIME,
	"CustomTextField":        enumspb.INDEXED_VALUE_TYPE_TEXT,
	"CustomKeywordListField": enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
}}

// encodeSearchAttributes encodes values as an SDK would: JSON payloads,
// with the type in metadata when typed is set.
func encodeSearchAttributes(t *testing.T, values map[string]any) []byte {
	t.Helper()
	if values == nil {
		return nil
	}
	sa := &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{}}
	for name, v := range values {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("encoding %s: %v", name, err)
		}
		sa.IndexedFields[name] = &commonpb.Payload{
			Metadata: map[string][]byte{"encoding": []byte("json/plain")},
			Data:     data,
		}
	}
	b, err := proto.Marshal(sa)
	if err != nil {
		t.Fatalf("encoding search attributes: %v", err)
	}
	return b
}

// visibilityRun describes one fixture run; minutes are offsets from baseTime.
type visibilityRun struct {
	id            string
	workflowType  string
	status        enumspb.WorkflowExecutionStatus
	startMinute   int
	closeMinute   int // 0: open
	historyLength int64
	attrs         map[string]any
}

var visibilityRuns = []visibilityRun{
	{"a", "Order", enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, 0, 0, 3, map[string]any{
		"CustomKeywordField": "alpha", "CustomIntField": 5, "CustomDoubleField": 1.5,
		"CustomBoolField": true, "CustomDatetimeField": "2025-01-01T00:00:00Z",
		"CustomTextField": "The quick brown fox", "CustomKeywordListField": []string{"red", "green"},
	}},
	{"b", "Order", enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, 1, 10, 10, map[string]any{
		"CustomKeywordField": "beta", "CustomIntField": 10, "CustomDoubleField": 2.0,
		"CustomBoolField": false, "CustomDatetimeField": "2025-06-01T12:00:00+02:00",
		"CustomKeywordListField": []string{"blue"},
	}},
	{"c", "Payment", enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, 2, 5, 7, map[string]any{
		"CustomKeywordField": "alphabet", "CustomTextField": "lazy dog",
	}},
	{"d", "Payment", enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, 3, 0, 2, nil},
	{"e", "Order", enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED, 4, 20, 5, map[string]any{
		"CustomIntField": -3,
	}},
}

func minute(n int) time.Time { return baseTime.Add(time.Duration(n) * time.Minute) }

func (r visibilityRun) execution(t *testing.T, namespaceID string) *store.Execution {
	e := &store.Execution{
		NamespaceID:      namespaceID,
		WorkflowID:       "wf-" + r.id,
		RunID:            "run-" + r.id,
		State:            []byte("state"),
		WorkflowType:     r.workflowType,
		TaskQueue:        strings.ToLower(r.workflowType) + "s",
		Status:           int32(r.status),
		StartTime:        minute(r.startMinute),
		ExecutionTime:    minute(r.startMinute),
		HistoryLength:    r.historyLength,
		Memo:             []byte("memo of " + r.id),
		SearchAttributes: encodeSearchAttributes(t, r.attrs),
	}
	if r.closeMinute != 0 {
		e.CloseTime = minute(r.closeMinute)
	}
	return e
}

// seedVisibility writes the fixture to namespace "ns", plus a look-alike run
// in namespace "other" that no query on "ns" may return.
func seedVisibility(t *testing.T, s store.Store) map[string]*store.Execution {
	out := map[string]*store.Execution{}
	for _, r := range visibilityRuns {
		e := r.execution(t, "ns")
		createExecution(t, s, e)
		out[r.id] = e
	}
	createExecution(t, s, visibilityRuns[0].execution(t, "other"))
	return out
}

func compileQuery(t *testing.T, query string) *visibility.Query {
	t.Helper()
	q, err := visibility.Compile(query, visibilityCatalog)
	if err != nil {
		t.Fatalf("compiling %q: %v", query, err)
	}
	return q
}

// listIDs lists every matching run of "ns" in pages of pageSize and returns
// the fixture ids in the order returned.
func listIDs(t *testing.T, s store.Store, q *visibility.Query, pageSize int) []string {
	t.Helper()
	var ids []string
	var after *visibility.Cursor
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatalf("listing did not end after 100 pages")
		}
		page, err := s.ListExecutions(t.Context(), &store.ListExecutionsParams{NamespaceID: "ns", Query: q, PageSize: pageSize, After: after})
		requireNoError(t, err, "listing executions")
		if len(page.Executions) > pageSize {
			t.Fatalf("page holds %d runs, page size is %d", len(page.Executions), pageSize)
		}
		for _, e := range page.Executions {
			ids = append(ids, strings.TrimPrefix(e.WorkflowID, "wf-"))
		}
		if page.Next == nil {
			return ids
		}
		// Cursors travel as page tokens.
		after, err = visibility.DecodeCursor(page.Next.Encode(), q)
		requireNoError(t, err, "decoding a page token")
	}
}

var visibilityFilterCases = []struct {
	query string
	want  []string // in the order returned
}{
	{"", []string{"d", "a", "e", "b", "c"}},
	{"WorkflowType = 'Order'", []string{"a", "e", "b"}},
	{"ExecutionStatus = 'Running'", []string{"d", "a"}},
	{"ExecutionStatus != 'Running'", []string{"e", "b", "c"}},
	{"ExecutionStatus IN ('Failed', 'Terminated')", []string{"e", "c"}},
	{"CloseTime IS NULL", []string{"d", "a"}},
	{"CloseTime IS NOT NULL", []string{"e", "b", "c"}},
	{"CloseTime > '" + minute(6).Format(time.RFC3339Nano) + "'", []string{"e", "b"}},
	{"NOT CloseTime > '" + minute(6).Format(time.RFC3339Nano) + "'", []string{"c"}},
	{"ExecutionDuration > '8m'", []string{"e", "b"}},
	{"StartTime BETWEEN '" + minute(1).Format(time.RFC3339Nano) + "' AND '" + minute(3).Format(time.RFC3339Nano) + "'", []string{"d", "b", "c"}},
	{"StartTime < " + itoa(minute(1).UnixNano()), []string{"a"}},
	{"WorkflowId IN ('wf-a', 'wf-c')", []string{"a", "c"}},
	{"WorkflowId NOT IN ('wf-a', 'wf-c')", []string{"d", "e", "b"}},
	{"TaskQueue STARTS_WITH 'pay'", []string{"d", "c"}},
	{"TaskQueue NOT STARTS_WITH 'pay'", []string{"a", "e", "b"}},
	{"RunId = 'run-b'", []string{"b"}},
	{"HistoryLength >= 5", []string{"e", "b", "c"}},
	{"CustomKeywordField = 'alpha'", []string{"a"}},
	{"CustomKeywordField STARTS_WITH 'alpha'", []string{"a", "c"}},
	{"CustomKeywordField != 'alpha'", []string{"b", "c"}},
	{"NOT CustomKeywordField = 'alpha'", []string{"b", "c"}},
	{"CustomKeywordField IS NULL", []string{"d", "e"}},
	{"CustomKeywordField > 'alpha'", []string{"b", "c"}},
	{"CustomIntField > 0", []string{"a", "b"}},
	{"CustomIntField < 0", []string{"e"}},
	{"CustomIntField BETWEEN 5 AND 10", []string{"a", "b"}},
	{"CustomIntField NOT BETWEEN 5 AND 10", []string{"e"}},
	{"CustomDoubleField >= 2", []string{"b"}},
	{"CustomDoubleField = 1.5", []string{"a"}},
	{"CustomBoolField = true", []string{"a"}},
	{"CustomBoolField = false", []string{"b"}},
	{"CustomBoolField != true", []string{"b"}},
	{"CustomDatetimeField > '2025-03-01T00:00:00Z'", []string{"b"}},
	{"CustomDatetimeField < '2025-06-01T11:00:00Z'", []string{"a", "b"}},
	{"CustomDatetimeField = '2025-06-01T10:00:00Z'", []string{"b"}},
	{"CustomKeywordListField = 'red'", []string{"a"}},
	{"CustomKeywordListField IN ('blue', 'green')", []string{"a", "b"}},
	{"CustomKeywordListField != 'red'", []string{"b"}},
	{"CustomKeywordListField NOT IN ('red', 'blue')", nil},
	{"CustomKeywordListField IS NOT NULL", []string{"a", "b"}},
	{"CustomTextField = 'fox'", []string{"a"}},
	{"CustomTextField = 'DOG cat'", []string{"c"}},
	{"CustomTextField != 'fox'", []string{"c"}},
	{"(WorkflowType = 'Payment' OR CustomIntField > 7) AND ExecutionStatus != 'Running'", []string{"b", "c"}},
	{"NOT (WorkflowType = 'Payment' OR CustomIntField > 7)", []string{"a", "e"}},
	{"ORDER BY StartTime ASC", []string{"a", "b", "c", "d", "e"}},
	{"ORDER BY WorkflowType DESC, StartTime", []string{"c", "d", "a", "b", "e"}},
	{"ORDER BY CloseTime", []string{"c", "b", "e", "a", "d"}},
	{"WorkflowType = 'Order' ORDER BY HistoryLength DESC", []string{"b", "e", "a"}},
	{"ORDER BY ExecutionStatus, RunId DESC", []string{"d", "a", "b", "c", "e"}},
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func testVisibilityFilters(t *testing.T, s store.Store) {
	runs := seedVisibility(t, s)
	for _, tc := range visibilityFilterCases {
		got := listIDs(t, s, compileQuery(t, tc.query), 1000)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q listed %v, want %v", tc.query, got, tc.want)
		}
	}
	// Listed runs carry every visibility column, but no state.
	page, err := s.ListExecutions(t.Context(), &store.ListExecutionsParams{NamespaceID: "ns", Query: compileQuery(t, "RunId = 'run-b'"), PageSize: 10})
	requireNoError(t, err, "listing run b")
	if len(page.Executions) != 1 {
		t.Fatalf("listed %d runs, want 1", len(page.Executions))
	}
	got, want := page.Executions[0], *runs["b"]
	want.State = nil
	if diff := diffExecution(&want, got); diff != "" {
		t.Fatalf("listed run differs: %s", diff)
	}
}

func testVisibilityPaging(t *testing.T, s store.Store) {
	seedVisibility(t, s)
	for _, tc := range visibilityFilterCases {
		for _, size := range []int{1, 2, 3} {
			got := listIDs(t, s, compileQuery(t, tc.query), size)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%q in pages of %d listed %v, want %v", tc.query, size, got, tc.want)
			}
		}
	}
}

// testVisibilityPagingUnderWrites checks that runs written between pages
// neither repeat nor hide the runs a listing has not reached yet.
func testVisibilityPagingUnderWrites(t *testing.T, s store.Store) {
	seedVisibility(t, s)
	ctx := t.Context()
	first, err := s.ListExecutions(ctx, &store.ListExecutionsParams{NamespaceID: "ns", PageSize: 2})
	requireNoError(t, err, "listing the first page")
	if first.Next == nil {
		t.Fatal("first page has no cursor")
	}
	// A new open run sorts before the cursor; an old closed one after it.
	newest := visibilityRun{"f", "Order", enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, 30, 0, 2, nil}
	oldest := visibilityRun{"g", "Order", enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, -10, 1, 2, nil}
	createExecution(t, s, newest.execution(t, "ns"))
	createExecution(t, s, oldest.execution(t, "ns"))
	var rest []string
	for after := first.Next; after != nil; {
		page, err := s.ListExecutions(ctx, &store.ListExecutionsParams{NamespaceID: "ns", PageSize: 2, After: after})
		requireNoError(t, err, "listing a later page")
		for _, e := range page.Executions {
			rest = append(rest, strings.TrimPrefix(e.WorkflowID, "wf-"))
		}
		after = page.Next
	}
	if want := []string{"e", "b", "c", "g"}; !slices.Equal(rest, want) {
		t.Fatalf("pages after the first listed %v, want %v", rest, want)
	}
}

func testVisibilityForeignCursor(t *testing.T, s store.Store) {
	seedVisibility(t, s)
	page, err := s.ListExecutions(t.Context(), &store.ListExecutionsParams{NamespaceID: "ns", PageSize: 1})
	requireNoError(t, err, "listing the first page")
	_, err = s.ListExecutions(t.Context(), &store.ListExecutionsParams{
		NamespaceID: "ns", PageSize: 1, After: page.Next, Query: compileQuery(t, "ORDER BY WorkflowType"),
	})
	if err == nil {
		t.Fatal("a cursor of the default order was accepted for ORDER BY WorkflowType")
	}
	_, err = s.ListExecutions(t.Context(), &store.ListExecutionsParams{NamespaceID: "ns", PageSize: 0})
	if err == nil {
		t.Fatal("page size 0 was accepted")
	}
}

func testVisibilityCount(t *testing.T, s store.Store) {
	seedVisibility(t, s)
	ctx := t.Context()
	for _, tc := range visibilityFilterCases {
		n, err := s.CountExecutions(ctx, "ns", compileQuery(t, tc.query))
		requireNoError(t, err, "counting "+tc.query)
		if n != int64(len(tc.want)) {
			t.Errorf("%q counted %d, want %d", tc.query, n, len(tc.want))
		}
	}
	n, err := s.CountExecutions(ctx, "ns", nil)
	requireNoError(t, err, "counting everything")
	if n != 5 {
		t.Errorf("counted %d runs, want 5", n)
	}
	groups, err := s.CountExecutionsGroupByStatus(ctx, "ns", compileQuery(t, "GROUP BY ExecutionStatus"))
	requireNoError(t, err, "counting by status")
	want := []store.StatusCount{{Status: 1, Count: 2}, {Status: 2, Count: 1}, {Status: 3, Count: 1}, {Status: 5, Count: 1}}
	if !slices.Equal(groups, want) {
		t.Errorf("counts by status %v, want %v", groups, want)
	}
	groups, err = s.CountExecutionsGroupByStatus(ctx, "ns", compileQuery(t, "WorkflowType = 'Order' GROUP BY ExecutionStatus"))
	requireNoError(t, err, "counting orders by status")
	want = []store.StatusCount{{Status: 1, Count: 1}, {Status: 2, Count: 1}, {Status: 5, Count: 1}}
	if !slices.Equal(groups, want) {
		t.Errorf("order counts by status %v, want %v", groups, want)
	}
	groups, err = s.CountExecutionsGroupByStatus(ctx, "empty", nil)
	requireNoError(t, err, "counting an empty namespace")
	if len(groups) != 0 {
		t.Errorf("empty namespace has groups %v", groups)
	}
}

// testVisibilityUpsertReindexes checks that rewriting a run's search
// attributes replaces its indexed values.
func testVisibilityUpsertReindexes(t *testing.T, s store.Store) {
	runs := seedVisibility(t, s)
	c := *runs["c"]
	c.SearchAttributes = encodeSearchAttributes(t, map[string]any{"CustomKeywordField": "gamma"})
	requireNoError(t, s.Write(t.Context(), &store.Transition{Executions: []store.ExecutionWrite{{Execution: &c, ExpectedVersion: c.Version}}}), "rewriting run c")
	check := func(query string, want []string) {
		t.Helper()
		if got := listIDs(t, s, compileQuery(t, query), 10); !slices.Equal(got, want) {
			t.Errorf("%q listed %v, want %v", query, got, want)
		}
	}
	check("CustomKeywordField = 'alphabet'", nil)
	check("CustomKeywordField = 'gamma'", []string{"c"})
	check("CustomTextField = 'dog'", nil)

	c.SearchAttributes = nil
	requireNoError(t, s.Write(t.Context(), &store.Transition{Executions: []store.ExecutionWrite{{Execution: &c, ExpectedVersion: c.Version}}}), "clearing run c")
	check("CustomKeywordField IS NULL", []string{"d", "e", "c"})
}

func testVisibilityRegistry(t *testing.T, s store.Store) {
	ctx := t.Context()
	keyword := int32(enumspb.INDEXED_VALUE_TYPE_KEYWORD)
	integer := int32(enumspb.INDEXED_VALUE_TYPE_INT)
	list := func(namespaceID string) []store.SearchAttribute {
		t.Helper()
		got, err := s.ListSearchAttributes(ctx, namespaceID)
		requireNoError(t, err, "listing search attributes")
		return got
	}
	if got := list("ns"); len(got) != 0 {
		t.Fatalf("fresh namespace has attributes %v", got)
	}
	requireNoError(t, s.AddSearchAttributes(ctx, "ns", []store.SearchAttribute{{Name: "Zeta", Type: integer}, {Name: "Alpha", Type: keyword}}), "adding")
	want := []store.SearchAttribute{{Name: "Alpha", Type: keyword}, {Name: "Zeta", Type: integer}}
	if got := list("ns"); !slices.Equal(got, want) {
		t.Fatalf("listed %v, want %v", got, want)
	}
	requireNoError(t, s.AddSearchAttributes(ctx, "ns", []store.SearchAttribute{{Name: "Alpha", Type: keyword}}), "adding again with the same type")

	err := s.AddSearchAttributes(ctx, "ns", []store.SearchAttribute{{Name: "Beta", Type: keyword}, {Name: "Alpha", Type: integer}})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("re-adding Alpha with another type: got %v, want ErrConflict", err)
	}
	if got := list("ns"); !slices.Equal(got, want) {
		t.Fatalf("a failed add changed the registry to %v", got)
	}
	if got := list("other"); len(got) != 0 {
		t.Fatalf("namespace other sees %v", got)
	}
	requireNoError(t, s.RemoveSearchAttributes(ctx, "ns", []string{"Zeta", "Unknown"}), "removing")
	if got, want := list("ns"), []store.SearchAttribute{{Name: "Alpha", Type: keyword}}; !slices.Equal(got, want) {
		t.Fatalf("after remove listed %v, want %v", got, want)
	}
}
