package visibility

import (
	"fmt"
	"strings"
	"testing"
)

func TestCountSQL(t *testing.T) {
	const sub = "(e.workflow_id, e.run_id) IN (SELECT v.workflow_id, v.run_id FROM search_attribute_values v WHERE v.namespace_id = ?1 AND v.name = "
	cases := []struct {
		query string
		where string
		args  string
	}{
		{"", "", `[ns]`},
		{"Kw = 'a' AND CloseTime IS NULL",
			" AND (" + sub + "?2 AND v.value = ?3) AND e.close_time = 0)", `[ns Kw a]`},
		{"Tags != 'x'",
			" AND (" + sub + "?2) AND NOT " + sub + "?2 AND v.value = ?3))", `[ns Tags x]`},
		{"Txt = 'hi'",
			" AND " + sub + "?2 AND sundial_text_match(v.value, ?3))", `[ns Txt hi]`},
		{"When > '2025-01-01T00:00:00Z' OR Flag = true",
			" AND (" + sub + "?2 AND v.time_value > ?3) OR " + sub + "?4 AND v.value = ?5))", `[ns When 1735689600000000000 Flag 1]`},
		{"ExecutionDuration >= 5 AND WorkflowId STARTS_WITH 'p'",
			" AND ((NULLIF(e.close_time, 0) - e.execution_time) >= ?2 AND (e.workflow_id >= ?3 AND substr(e.workflow_id, 1, length(?3)) = ?3))", `[ns 5 p]`},
		{"Kw IS NULL", " AND NOT " + sub + "?2)", `[ns Kw]`},
		{"CloseTime > 7 OR RunId IS NULL", " AND (NULLIF(e.close_time, 0) > ?2 OR (1 = 0))", `[ns 7]`},
		{"WorkflowType NOT IN ('a', 'b')", " AND e.workflow_type NOT IN (?2, ?3)", `[ns a b]`},
		{"HistoryLength NOT BETWEEN 1 AND 2", " AND e.history_length NOT BETWEEN ?2 AND ?3", `[ns 1 2]`},
	}
	for _, tc := range cases {
		q, err := Compile(tc.query, testCatalog)
		if err != nil {
			t.Fatalf("Compile(%q): %v", tc.query, err)
		}
		got := Count(SQLite{}, "ns", q)
		want := "SELECT count(*) FROM executions e WHERE e.namespace_id = ?1" + tc.where
		if got.Text != want {
			t.Errorf("Count(%q):\n got %s\nwant %s", tc.query, got.Text, want)
		}
		if args := fmt.Sprint(got.Args); args != tc.args {
			t.Errorf("Count(%q) args %s, want %s", tc.query, args, tc.args)
		}
	}
}

func TestSelectSQL(t *testing.T) {
	q, err := Compile("ORDER BY WorkflowType DESC", testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Select(SQLite{}, "run_id", "ns", q, &Cursor{Keys: []any{"T", "r"}}, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT run_id, e.workflow_type, e.run_id FROM executions e WHERE e.namespace_id = ?1" +
		" AND e.workflow_type <= ?2 AND (e.workflow_type < ?2 OR e.workflow_type = ?2 AND e.run_id > ?3)" +
		" ORDER BY e.workflow_type DESC, e.run_id ASC LIMIT ?4"
	if got.Text != want || fmt.Sprint(got.Args) != "[ns T r 10]" || got.SortKeys != 2 {
		t.Errorf("Select:\n got %s %v %d\nwant %s", got.Text, got.Args, got.SortKeys, want)
	}

	got, err = Select(SQLite{}, "run_id", "ns", nil, nil, 5)
	if err != nil {
		t.Fatal(err)
	}
	want = "SELECT run_id, " + closeSortKey + ", e.start_time, e.run_id FROM executions e WHERE e.namespace_id = ?1" +
		" ORDER BY " + closeSortKey + " DESC, e.start_time DESC, e.run_id ASC LIMIT ?2"
	if got.Text != want || got.SortKeys != 3 {
		t.Errorf("Select default:\n got %s\nwant %s", got.Text, want)
	}

	if _, err := Select(SQLite{}, "run_id", "ns", nil, &Cursor{Keys: []any{"T", "r"}}, 5); err == nil {
		t.Error("Select accepted a cursor of another order")
	}
}

func TestCountByStatusSQL(t *testing.T) {
	q, err := Compile("WorkflowType = 'x' GROUP BY ExecutionStatus", testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	got := CountByStatus(SQLite{}, "ns", q)
	want := "SELECT e.status, count(*) FROM executions e WHERE e.namespace_id = ?1 AND e.workflow_type = ?2 GROUP BY e.status ORDER BY e.status"
	if got.Text != want {
		t.Errorf("got %s\nwant %s", got.Text, want)
	}
}

func TestCursorRoundTrip(t *testing.T) {
	q, err := Compile("", testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewCursor([]any{int64(9223372036854775807), int64(-5), []byte("run-1")})
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeCursor(c.Encode(), q)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(back.Keys) != "[9223372036854775807 -5 run-1]" {
		t.Errorf("round trip gave %v", back.Keys)
	}
	if _, err := NewCursor([]any{1.5}); err == nil {
		t.Error("NewCursor accepted a float")
	}
	byType, _ := Compile("ORDER BY WorkflowType", testCatalog)
	for _, bad := range []string{"", "garbage", `{"k":[1,2]}`, `{"k":[1,2,3]}`, `{"k":[1.5,2,"r"]}`, `{"k":[1,2,"r"]} x`, `{"k":[null,2,"r"]}`} {
		if _, err := DecodeCursor([]byte(bad), q); err == nil {
			t.Errorf("DecodeCursor(%s) succeeded", bad)
		}
	}
	if _, err := DecodeCursor(c.Encode(), byType); err == nil || !strings.Contains(err.Error(), "does not belong") {
		t.Errorf("a default-order cursor decoded for ORDER BY WorkflowType: %v", err)
	}
}
