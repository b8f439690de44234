package visibility

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCompile checks that no query text panics the parser, the resolver or
// the SQL rendering, that every refusal is an *Error pointing inside the
// query, and that rendered SQL binds exactly the arguments it references.
func FuzzCompile(f *testing.F) {
	for _, seed := range []string{
		"", "WorkflowId = 'a'", "(Kw = 'a' OR NOT Num BETWEEN 1 AND 2) AND Tags IN ('x','y')",
		"Txt = 'hello' ORDER BY StartTime DESC", "GROUP BY ExecutionStatus", "When > '2025-01-01T00:00:00Z'",
		"ExecutionStatus = 'Running' AND CloseTime IS NULL", "Kw STARTS_WITH 'p' AND `Flag` != true",
		"a = 'unterminated", "NOT NOT NOT x", "((((", "ExecutionDuration > '1h'", "Dbl = -1.5e3",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		q, err := Compile(query, testCatalog)
		if err != nil {
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("Compile(%q) returned %T: %v", query, err, err)
			}
			if qe.Position < 0 || qe.Position > utf8.RuneCountInString(query)+1 {
				t.Fatalf("Compile(%q): position %d is outside the query", query, qe.Position)
			}
			return
		}
		for _, stmt := range []SQL{Count(SQLite{}, "ns", q), CountByStatus(SQLite{}, "ns", q)} {
			checkPlaceholders(t, query, stmt)
		}
		sel, err := Select(SQLite{}, "run_id", "ns", q, nil, 10)
		if err != nil {
			t.Fatalf("Select(%q): %v", query, err)
		}
		checkPlaceholders(t, query, sel)
	})
}

// checkPlaceholders verifies that ?1..?n all appear and nothing beyond, and
// that parentheses balance.
func checkPlaceholders(t *testing.T, query string, stmt SQL) {
	t.Helper()
	for i := 1; i <= len(stmt.Args); i++ {
		if !strings.Contains(stmt.Text, SQLite{}.Placeholder(i)) {
			t.Fatalf("%q: SQL never uses argument %d: %s", query, i, stmt.Text)
		}
	}
	if strings.Contains(stmt.Text, SQLite{}.Placeholder(len(stmt.Args)+1)) {
		t.Fatalf("%q: SQL uses an unbound argument: %s", query, stmt.Text)
	}
	if strings.Count(stmt.Text, "(") != strings.Count(stmt.Text, ")") {
		t.Fatalf("%q: unbalanced SQL: %s", query, stmt.Text)
	}
}

// FuzzIndexRows checks that no stored blob panics the indexer.
func FuzzIndexRows(f *testing.F) {
	f.Add([]byte("attrs"))
	f.Add([]byte{0x0a, 0x05, 0x0a, 0x01, 0x4b, 0x12, 0x00})
	f.Fuzz(func(t *testing.T, blob []byte) {
		for _, r := range IndexRows(blob) {
			if r.Name == "" || r.Value == nil {
				t.Fatalf("IndexRows(%x) produced %+v", blob, r)
			}
		}
	})
}
