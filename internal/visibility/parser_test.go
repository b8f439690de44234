package visibility

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// render prints a statement's tree in a compact, fully parenthesized form.
func render(st *Statement) string {
	var b strings.Builder
	if st.Where != nil {
		b.WriteString(renderNode(st.Where))
	}
	for i, g := range st.GroupBy {
		if i == 0 {
			b.WriteString(" GROUP BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(g.text)
	}
	for i, o := range st.OrderBy {
		if i == 0 {
			b.WriteString(" ORDER BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(o.name.text)
		if o.desc {
			b.WriteString(" DESC")
		}
	}
	return strings.TrimSpace(b.String())
}

func renderNode(n syntaxNode) string {
	switch n := n.(type) {
	case logicalNode:
		op := "OR"
		if n.and {
			op = "AND"
		}
		return fmt.Sprintf("(%s %s %s)", renderNode(n.left), op, renderNode(n.right))
	case notNode:
		return "NOT " + renderNode(n.x)
	case comparisonNode:
		vals := make([]string, len(n.values))
		for i, v := range n.values {
			vals[i] = v.tok.raw
			if v.tok.kind == tokString {
				vals[i] = "<" + v.tok.text + ">"
			}
		}
		return fmt.Sprintf("[%s %s %s]", n.name.text, n.op, strings.Join(vals, ","))
	}
	return "?"
}

func TestParseAccepts(t *testing.T) {
	cases := []struct{ query, want string }{
		{"", ""},
		{"   ", ""},
		{"WorkflowId = 'a'", "[WorkflowId = <a>]"},
		{`WorkflowId = "double"`, "[WorkflowId = <double>]"},
		{"WorkflowId='it''s'", "[WorkflowId = <it's>]"},
		{`WorkflowId = 'back\'slash\\'`, `[WorkflowId = <back'slash\>]`},
		{"a = 1 and b = 2 or c = 3", "(([a = 1] AND [b = 2]) OR [c = 3])"},
		{"a = 1 OR b = 2 AND c = 3", "([a = 1] OR ([b = 2] AND [c = 3]))"},
		{"(a = 1 OR b = 2) AND c = 3", "(([a = 1] OR [b = 2]) AND [c = 3])"},
		{"NOT a = 1 AND b = 2", "(NOT [a = 1] AND [b = 2])"},
		{"not (a = 1)", "NOT [a = 1]"},
		{"a != 1", "[a != 1]"},
		{"a <> 1", "[a != 1]"},
		{"a<=1 AND b>=2 AND c<3 AND d>4", "((([a <= 1] AND [b >= 2]) AND [c < 3]) AND [d > 4])"},
		{"a = -5", "[a = -5]"},
		{"a = 1.5e3", "[a = 1.5e3]"},
		{"a = .5", "[a = .5]"},
		{"a = true", "[a = true]"},
		{"a IN ('x', 'y')", "[a IN <x>,<y>]"},
		{"a not in ('x')", "[a NOT IN <x>]"},
		{"a BETWEEN 1 AND 2", "[a BETWEEN 1,2]"},
		{"a NOT BETWEEN 1 AND 2 AND b = 3", "([a NOT BETWEEN 1,2] AND [b = 3])"},
		{"a STARTS_WITH 'p'", "[a STARTS_WITH <p>]"},
		{"a not starts_with 'p'", "[a NOT STARTS_WITH <p>]"},
		{"a IS NULL", "[a IS NULL ]"},
		{"a is not null", "[a IS NOT NULL ]"},
		{"`Order` = 'x'", "[Order = <x>]"},
		{"`with space` = 'x'", "[with space = <x>]"},
		{"Ünïcode = 'ü'", "[Ünïcode = <ü>]"},
		{"ORDER BY StartTime", "ORDER BY StartTime"},
		{"order by StartTime desc, RunId asc", "ORDER BY StartTime DESC, RunId"},
		{"GROUP BY ExecutionStatus", "GROUP BY ExecutionStatus"},
		{"a = 1 GROUP BY ExecutionStatus ORDER BY StartTime", "[a = 1] GROUP BY ExecutionStatus ORDER BY StartTime"},
	}
	for _, tc := range cases {
		st, err := Parse(tc.query)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.query, err)
			continue
		}
		if got := render(st); got != tc.want {
			t.Errorf("Parse(%q) = %s, want %s", tc.query, got, tc.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		query    string
		position int
		token    string
		message  string
	}{
		{"WorkflowId =", 13, "end of query", "where a value was expected"},
		{"WorkflowId = 'a' AND", 21, "end of query", "search attribute name"},
		{"WorkflowId = 'a' AND AND", 22, "AND", "found the keyword AND"},
		{"WorkflowId 'a'", 12, "'a'", "expected a comparison operator"},
		{"WorkflowId", 11, "end of query", "expected an operator"},
		{"WorkflowId = 'a' WorkflowType = 'b'", 18, "WorkflowType", "unexpected token"},
		{"WorkflowId = 'abc", 14, "'abc", "unterminated"},
		{"WorkflowId = abc", 14, "abc", "quote text values"},
		{"(WorkflowId = 'a'", 1, "(", "never closed"},
		{"WorkflowId = 'a')", 17, ")", "unbalanced"},
		{"WorkflowId ! 'a'", 12, "!", "'!' must be followed by '='"},
		{"WorkflowId = 'a' ; DROP", 18, ";", "unexpected character"},
		{"WorkflowId IN 'a'", 15, "'a'", "expected '('"},
		{"WorkflowId IN ('a' 'b')", 20, "'b'", "expected ',' or ')'"},
		{"WorkflowId IN ()", 16, ")", "expected a value"},
		{"WorkflowId BETWEEN 1 OR 2", 22, "OR", "AND between the bounds"},
		{"WorkflowId NOT = 'a'", 16, "=", "expected IN, BETWEEN or STARTS_WITH after NOT"},
		{"WorkflowId IS 'a'", 15, "'a'", "NULL after IS"},
		{"WorkflowId LIKE 'a%'", 12, "LIKE", "LIKE"},
		{"WorkflowId = 'a' LIMIT 5", 18, "LIMIT", "LIMIT"},
		{"ORDER StartTime", 7, "StartTime", "BY after ORDER"},
		{"WorkflowId = - 'a'", 16, "'a'", "expected a number after '-'"},
		{"`` = 1", 1, "``", "empty quoted name"},
		{"WorkflowId = 12abc", 14, "12abc", ""},
	}
	for _, tc := range cases {
		_, err := Parse(tc.query)
		var qe *Error
		if !errors.As(err, &qe) {
			if tc.message == "" && err == nil {
				continue // accepted by the parser; the resolver rejects it
			}
			t.Errorf("Parse(%q) = %v, want an *Error", tc.query, err)
			continue
		}
		if qe.Position != tc.position || qe.Token != tc.token || !strings.Contains(qe.Error(), tc.message) {
			t.Errorf("Parse(%q) = %q (position %d, token %q), want position %d, token %q, message containing %q",
				tc.query, qe.Error(), qe.Position, qe.Token, tc.position, tc.token, tc.message)
		}
	}
}

func TestParseLimits(t *testing.T) {
	deep := strings.Repeat("(", maxNesting+1) + "a = 1" + strings.Repeat(")", maxNesting+1)
	if _, err := Parse(deep); err == nil || !strings.Contains(err.Error(), "nests deeper") {
		t.Errorf("deeply nested query: %v", err)
	}
	nots := strings.Repeat("NOT ", maxNesting+1) + "a = 1"
	if _, err := Parse(nots); err == nil {
		t.Error("a query of many NOTs was accepted")
	}
	ok := strings.Repeat("(", maxNesting-1) + "a = 1" + strings.Repeat(")", maxNesting-1)
	if _, err := Parse(ok); err != nil {
		t.Errorf("query nested %d deep: %v", maxNesting-1, err)
	}
	long := "a = '" + strings.Repeat("x", maxQueryLength) + "'"
	if _, err := Parse(long); err == nil {
		t.Error("an over-long query was accepted")
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := Parse("WorkflowId = 'a' AND AND")
	want := "invalid query: syntax error: expected a search attribute name, found the keyword AND (quote a name that is a keyword with backticks) at position 22 near 'AND'"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}
