package sqlite

import (
	"strings"
	"testing"
)

// TestOpenOnQueueScansUseTheQueueIndex: finding a queue's open runs again
// walks executions_open_queue, without a sort or a table scan.
func TestOpenOnQueueScansUseTheQueueIndex(t *testing.T) {
	s := openMemoryStore(t)
	for name, c := range map[string]struct {
		query string
		args  []any
	}{
		"from the start": {sqlOpenOnQueueFromStart, []any{"ns", "q", 10}},
		"after a key":    {sqlOpenOnQueueAfter, []any{"ns", "q", "wf", "run", 10}},
	} {
		rows, err := s.conns.write.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+c.query, c.args...)
		if err != nil {
			t.Fatalf("%s: explaining: %v", name, err)
		}
		var plan strings.Builder
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatalf("%s: scanning plan: %v", name, err)
			}
			plan.WriteString(detail + "\n")
		}
		rows.Close()
		if !strings.Contains(plan.String(), "USING INDEX executions_open_queue") || strings.Contains(plan.String(), "TEMP B-TREE") {
			t.Errorf("%s: plan does not walk executions_open_queue in order:\n%s", name, plan.String())
		}
	}
}
