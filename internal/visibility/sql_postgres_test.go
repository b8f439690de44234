package visibility

import (
	"fmt"
	"testing"
)

func TestPostgreSQLCountSQL(t *testing.T) {
	const sub = "(e.workflow_id, e.run_id) IN (SELECT v.workflow_id, v.run_id FROM search_attribute_values v WHERE v.namespace_id = $1 AND v.name = "
	cases := []struct {
		query string
		where string
		args  string
	}{
		{"Kw = 'a' AND CloseTime IS NULL",
			" AND (" + sub + "$2 AND v.str_value = $3) AND e.close_time = 0)", `[ns Kw a]`},
		{"Tags != 'x'",
			" AND (" + sub + "$2) AND NOT " + sub + "$2 AND v.str_value = $3))", `[ns Tags x]`},
		{"Txt = 'Hello, World'",
			" AND " + sub + "$2 AND v.words && $3::text[])", `[ns Txt [hello world]]`},
		{"When > '2025-01-01T00:00:00Z' OR Flag = true",
			" AND (" + sub + "$2 AND v.time_value > $3) OR " + sub + "$4 AND v.num_value = $5))", `[ns When 1735689600000000000 Flag 1]`},
		{"ExecutionDuration >= 5 AND WorkflowId STARTS_WITH 'p'",
			" AND ((NULLIF(e.close_time, 0) - e.execution_time) >= $2 AND (e.workflow_id >= $3 AND starts_with(e.workflow_id, $3)))", `[ns 5 p]`},
		{"Kw NOT STARTS_WITH 'p'",
			" AND " + sub + "$2 AND NOT (v.str_value >= $3 AND starts_with(v.str_value, $3)))", `[ns Kw p]`},
		{"WorkflowType NOT IN ('a', 'b')", " AND e.workflow_type NOT IN ($2, $3)", `[ns a b]`},
	}
	for _, tc := range cases {
		q, err := Compile(tc.query, testCatalog)
		if err != nil {
			t.Fatalf("Compile(%q): %v", tc.query, err)
		}
		got := Count(PostgreSQL{}, "ns", q)
		want := "SELECT count(*) FROM executions e WHERE e.namespace_id = $1" + tc.where
		if got.Text != want {
			t.Errorf("Count(%q):\n got %s\nwant %s", tc.query, got.Text, want)
		}
		if args := fmt.Sprint(got.Args); args != tc.args {
			t.Errorf("Count(%q) args %s, want %s", tc.query, args, tc.args)
		}
	}
}

func TestPostgreSQLSelectSQL(t *testing.T) {
	q, err := Compile("WorkflowType = 'x' AND ExecutionStatus = 'Running' ORDER BY StartTime DESC", testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Select(PostgreSQL{}, "run_id", "ns", q, &Cursor{Keys: []any{int64(7), "r"}}, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT run_id, e.start_time, e.run_id FROM executions e WHERE e.namespace_id = $1" +
		" AND (e.workflow_type = $2 AND e.status = $3)" +
		" AND e.start_time <= $4 AND (e.start_time < $4 OR e.start_time = $4 AND e.run_id > $5)" +
		" ORDER BY e.start_time DESC, e.run_id ASC LIMIT $6"
	if got.Text != want || fmt.Sprint(got.Args) != "[ns x 1 7 r 10]" || got.SortKeys != 2 {
		t.Errorf("Select:\n got %s %v %d\nwant %s", got.Text, got.Args, got.SortKeys, want)
	}
}
