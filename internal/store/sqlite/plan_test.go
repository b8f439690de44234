package sqlite

import (
	"strings"
	"testing"
)

// TestQueriesUseIndexes checks the plans of the scans that must not read
// whole tables: a run's history range and the open-runs listing.
func TestQueriesUseIndexes(t *testing.T) {
	s := openMemoryStore(t)
	cases := []struct {
		name, query string
		args        []any
		want        []string
		forbid      string
	}{
		{"history range", sqlReadEvents, []any{"ns", "run", 5, 10},
			[]string{"SEARCH history USING PRIMARY KEY (namespace_id=? AND run_id=? AND first_event_id>? AND first_event_id<?)"}, "SCAN history"},
		{"open runs after a key", sqlOpenAfter, []any{"ns", "wf", "run", 10},
			[]string{"SEARCH executions USING INDEX executions_open"}, "SCAN executions\n"},
		{"open runs from the start", sqlOpenFromStart, []any{10},
			[]string{"executions USING INDEX executions_open"}, "TEMP B-TREE"},
	}
	for _, c := range cases {
		rows, err := s.conns.write.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+c.query, c.args...)
		if err != nil {
			t.Fatalf("%s: explaining: %v", c.name, err)
		}
		var plan strings.Builder
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatalf("%s: scanning plan: %v", c.name, err)
			}
			plan.WriteString(detail + "\n")
		}
		rows.Close()
		for _, w := range c.want {
			if !strings.Contains(plan.String(), w) {
				t.Errorf("%s: plan lacks %q:\n%s", c.name, w, plan.String())
			}
		}
		if strings.Contains(plan.String(), c.forbid) {
			t.Errorf("%s: plan has %q:\n%s", c.name, c.forbid, plan.String())
		}
	}
}
