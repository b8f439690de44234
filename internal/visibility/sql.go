package visibility

import (
	"fmt"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
)

// SQL is a rendered statement and its arguments, in placeholder order.
type SQL struct {
	Text string
	Args []any
	// SortKeys is how many values Select appends to each row after the
	// caller's columns; they form the row's Cursor.
	SortKeys int
}

// closeSortKey sorts open runs (close_time 0) after every closed one. Both
// drivers' index executions_recent is built on exactly this expression.
const closeSortKey = "(CASE WHEN e.close_time = 0 THEN 9223372036854775807 ELSE e.close_time END)"

// Select renders the statement reading one page of runs of a namespace that
// match q, in q's order, after the cursor (nil for the first page). columns
// is the caller's select list over executions; the sort keys follow it.
func Select(d Dialect, columns, namespaceID string, q *Query, after *Cursor, limit int) (SQL, error) {
	b := newBuilder(d, namespaceID)
	keys := q.sortKeys()
	where := b.where(q)
	if after != nil {
		if err := after.check(keys); err != nil {
			return SQL{}, err
		}
		where += " AND " + b.keyset(keys, after.Keys)
	}
	order := make([]string, len(keys))
	selected := make([]string, len(keys))
	for i, k := range keys {
		selected[i] = sortExpr(k.column)
		order[i] = selected[i] + " ASC"
		if k.desc {
			order[i] = selected[i] + " DESC"
		}
	}
	text := fmt.Sprintf("SELECT %s, %s FROM executions e WHERE %s ORDER BY %s LIMIT %s",
		columns, strings.Join(selected, ", "), where, strings.Join(order, ", "), b.arg(int64(limit)))
	return SQL{Text: text, Args: b.args, SortKeys: len(keys)}, nil
}

// Count renders a statement returning the number of runs of a namespace that
// match q, as one row with one integer.
func Count(d Dialect, namespaceID string, q *Query) SQL {
	b := newBuilder(d, namespaceID)
	return SQL{Text: "SELECT count(*) FROM executions e WHERE " + b.where(q), Args: b.args}
}

// CountByStatus renders a statement returning (status, count) rows, ordered
// by status, for the runs of a namespace that match q.
func CountByStatus(d Dialect, namespaceID string, q *Query) SQL {
	b := newBuilder(d, namespaceID)
	return SQL{
		Text: "SELECT e.status, count(*) FROM executions e WHERE " + b.where(q) + " GROUP BY e.status ORDER BY e.status",
		Args: b.args,
	}
}

// builder accumulates arguments while rendering.
type builder struct {
	d    Dialect
	args []any
	ns   string // placeholder of the namespace id
}

func newBuilder(d Dialect, namespaceID string) *builder {
	b := &builder{d: d}
	b.ns = b.arg(namespaceID)
	return b
}

// arg binds v and returns its placeholder. Booleans bind as 0 or 1, the way
// they are stored.
func (b *builder) arg(v any) string {
	if flag, ok := v.(bool); ok {
		v = int64(0)
		if flag {
			v = int64(1)
		}
	}
	b.args = append(b.args, v)
	return b.d.Placeholder(len(b.args))
}

func (b *builder) list(vs []any) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = b.arg(v)
	}
	return strings.Join(out, ", ")
}

func (b *builder) where(q *Query) string {
	cond := "e.namespace_id = " + b.ns
	if q != nil && q.Filter != nil {
		cond += " AND " + b.expr(q.Filter)
	}
	return cond
}

func (b *builder) expr(e Expr) string {
	switch e := e.(type) {
	case *And:
		return b.join(e.Terms, " AND ")
	case *Or:
		return b.join(e.Terms, " OR ")
	case *Comparison:
		if e.Attr.Column != ColumnNone {
			return b.columnComparison(e)
		}
		return b.attributeComparison(e)
	}
	panic(fmt.Sprintf("visibility: unknown expression %T", e))
}

func (b *builder) join(terms []Expr, sep string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = b.expr(t)
	}
	return "(" + strings.Join(parts, sep) + ")"
}

// filterExpr is the SQL value of a column attribute; NULL where the
// attribute is absent (CloseTime and ExecutionDuration of open runs).
func filterExpr(c Column) string {
	switch c {
	case ColumnWorkflowID:
		return "e.workflow_id"
	case ColumnRunID:
		return "e.run_id"
	case ColumnWorkflowType:
		return "e.workflow_type"
	case ColumnTaskQueue:
		return "e.task_queue"
	case ColumnStatus:
		return "e.status"
	case ColumnStartTime:
		return "e.start_time"
	case ColumnExecutionTime:
		return "e.execution_time"
	case ColumnCloseTime:
		return "NULLIF(e.close_time, 0)"
	case ColumnHistoryLength:
		return "e.history_length"
	case ColumnExecutionDuration:
		return "(NULLIF(e.close_time, 0) - e.execution_time)"
	}
	panic(fmt.Sprintf("visibility: column %d has no expression", c))
}

// sortExpr is the SQL value a column attribute sorts by.
func sortExpr(c Column) string {
	if c == ColumnCloseTime {
		return closeSortKey
	}
	return filterExpr(c)
}

func (b *builder) columnComparison(c *Comparison) string {
	if c.Attr.Column.isLineage() {
		return b.lineageComparison(c)
	}
	col := filterExpr(c.Attr.Column)
	nullable := c.Attr.Column == ColumnCloseTime || c.Attr.Column == ColumnExecutionDuration
	switch c.Op {
	case OpIsNull:
		if nullable {
			return "e.close_time = 0"
		}
		return "(1 = 0)"
	case OpIsNotNull:
		if nullable {
			return "e.close_time <> 0"
		}
		return "(1 = 1)"
	}
	return b.valueCondition(col, c)
}

// valueCondition renders c's operator applied to expr (IS NULL excepted).
func (b *builder) valueCondition(expr string, c *Comparison) string {
	switch c.Op {
	case OpEqual:
		return expr + " = " + b.arg(c.Values[0])
	case OpNotEqual:
		return expr + " <> " + b.arg(c.Values[0])
	case OpLess:
		return expr + " < " + b.arg(c.Values[0])
	case OpLessOrEqual:
		return expr + " <= " + b.arg(c.Values[0])
	case OpGreater:
		return expr + " > " + b.arg(c.Values[0])
	case OpGreaterOrEqual:
		return expr + " >= " + b.arg(c.Values[0])
	case OpIn:
		return expr + " IN (" + b.list(c.Values) + ")"
	case OpNotIn:
		return expr + " NOT IN (" + b.list(c.Values) + ")"
	case OpBetween:
		return expr + " BETWEEN " + b.arg(c.Values[0]) + " AND " + b.arg(c.Values[1])
	case OpNotBetween:
		return expr + " NOT BETWEEN " + b.arg(c.Values[0]) + " AND " + b.arg(c.Values[1])
	case OpStartsWith:
		return b.d.StartsWith(expr, b.arg(c.Values[0]))
	case OpNotStartsWith:
		return "NOT " + b.d.StartsWith(expr, b.arg(c.Values[0]))
	}
	panic(fmt.Sprintf("visibility: operator %v has no value condition", c.Op))
}

// withValue renders "the run has a value of the attribute satisfying cond"
// (cond "" means any value).
func (b *builder) withValue(name, cond string) string {
	if cond != "" {
		cond = " AND " + cond
	}
	return fmt.Sprintf("(e.workflow_id, e.run_id) IN (SELECT v.workflow_id, v.run_id FROM search_attribute_values v WHERE v.namespace_id = %s AND v.name = %s%s)",
		b.ns, name, cond)
}

func (b *builder) attributeComparison(c *Comparison) string {
	name := b.arg(c.Attr.Name)
	value := b.d.AttributeValue(c.Attr.Type)
	switch {
	case c.Op == OpIsNotNull:
		return b.withValue(name, "")
	case c.Op == OpIsNull:
		return "NOT " + b.withValue(name, "")
	case c.Attr.Type == enumspb.INDEXED_VALUE_TYPE_TEXT:
		match := b.d.TextMatch(value, b.arg(b.d.TextQuery(c.Values[0].(string))))
		if c.Op == OpNotEqual {
			match = "NOT " + match
		}
		return b.withValue(name, match)
	case c.Attr.Type == enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST && (c.Op == OpNotEqual || c.Op == OpNotIn):
		// "Does not contain": has the attribute, and no element matches.
		positive := &Comparison{Attr: c.Attr, Op: c.Op.negate(), Values: c.Values}
		return "(" + b.withValue(name, "") + " AND NOT " + b.withValue(name, b.valueCondition(value, positive)) + ")"
	}
	return b.withValue(name, b.valueCondition(value, c))
}

// keyset renders "the row sorts after the cursor": for keys k1..kn,
// k1 beyond c1, or k1 = c1 and k2 beyond c2, and so on. A leading bound on k1
// lets an index on the order start at the cursor.
func (b *builder) keyset(keys []sortKey, values []any) string {
	beyond := func(k sortKey) string {
		if k.desc {
			return " < "
		}
		return " > "
	}
	placeholders := make([]string, len(keys))
	for i := range keys {
		placeholders[i] = b.arg(values[i])
	}
	alternatives := make([]string, len(keys))
	for i, k := range keys {
		var terms []string
		for j := 0; j < i; j++ {
			terms = append(terms, sortExpr(keys[j].column)+" = "+placeholders[j])
		}
		terms = append(terms, sortExpr(k.column)+beyond(k)+placeholders[i])
		alternatives[i] = strings.Join(terms, " AND ")
	}
	first := sortExpr(keys[0].column) + " >= " + placeholders[0]
	if keys[0].desc {
		first = sortExpr(keys[0].column) + " <= " + placeholders[0]
	}
	return first + " AND (" + strings.Join(alternatives, " OR ") + ")"
}
