package sqlite

import (
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sundialdev/sundial/internal/visibility"
)

// TestVisibilityQueriesUseIndexes checks that listings in the default order
// walk executions_recent instead of sorting, also from a cursor, and that
// custom attribute filters probe search_attribute_values by value.
func TestVisibilityQueriesUseIndexes(t *testing.T) {
	s := openMemoryStore(t)
	catalog := visibility.Catalog{Custom: map[string]enumspb.IndexedValueType{
		"CustomKeywordField":  enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"CustomDatetimeField": enumspb.INDEXED_VALUE_TYPE_DATETIME,
	}}
	cursor := &visibility.Cursor{Keys: []any{int64(100), int64(50), "run"}}
	cases := []struct {
		name   string
		query  string
		after  *visibility.Cursor
		want   []string
		forbid []string
	}{
		{"default order", "", nil, []string{"USING INDEX executions_recent"}, []string{"TEMP B-TREE"}},
		{"default order from a cursor", "", cursor, []string{"SEARCH e USING INDEX executions_recent"}, []string{"TEMP B-TREE"}},
		{"keyword value", "CustomKeywordField = 'x'", nil,
			[]string{"USING INDEX executions_recent", "search_attribute_values_by_value (namespace_id=? AND name=? AND value=?)"}, []string{"TEMP B-TREE FOR ORDER BY"}},
		{"datetime range", "CustomDatetimeField > '2025-01-01T00:00:00Z'", nil,
			[]string{"search_attribute_values_by_time (namespace_id=? AND name=? AND time_value>?)"}, nil},
	}
	for _, c := range cases {
		q, err := visibility.Compile(c.query, catalog)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		stmt, err := visibility.Select(visibility.SQLite{}, listColumns, "ns", q, c.after, 10)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		rows, err := s.conns.write.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+stmt.Text, stmt.Args...)
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
		for _, f := range c.forbid {
			if strings.Contains(plan.String(), f) {
				t.Errorf("%s: plan has %q:\n%s", c.name, f, plan.String())
			}
		}
	}
}
