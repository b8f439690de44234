package visibility

// Query is a resolved query: every name bound to an attribute, every literal
// converted to its attribute's type and NOT pushed down onto the
// comparisons, so that Filter holds only And, Or and Comparison nodes.
type Query struct {
	// Filter is nil when the query selects everything.
	Filter Expr
	// OrderBy is empty for the default order.
	OrderBy []Order
	// GroupBy holds at most ExecutionStatus; only counts may group.
	GroupBy []Attribute
}

// Expr is a resolved filter: *And, *Or or *Comparison.
type Expr interface{ isExpr() }

// And holds when every term does.
type And struct{ Terms []Expr }

// Or holds when any term does.
type Or struct{ Terms []Expr }

// Comparison tests one attribute. Values holds one value for the binary
// operators, two for BETWEEN, one or more for IN and none for IS NULL. Each
// value is a string, int64, float64 or bool as the attribute's type asks:
// Datetime values are Unix nanoseconds, ExecutionStatus values are enum
// numbers and ExecutionDuration values nanoseconds.
type Comparison struct {
	Attr   Attribute
	Op     Op
	Values []any
}

func (*And) isExpr()        {}
func (*Or) isExpr()         {}
func (*Comparison) isExpr() {}

// Order is one sort key.
type Order struct {
	Attr Attribute
	Desc bool
}

// sortKey is one key of the effective order of a listing; closeKey marks
// CloseTime, which sorts open runs as if they closed at the end of time.
type sortKey struct {
	column Column
	desc   bool
}

// defaultOrder is Temporal's SQL order: open runs first, then latest close,
// latest start, and run id.
var defaultOrder = []sortKey{
	{ColumnCloseTime, true},
	{ColumnStartTime, true},
	{ColumnRunID, false},
}

// sortKeys is the order a listing uses: the query's ORDER BY (or the
// default), always ending with RunId so that every row has a distinct key.
func (q *Query) sortKeys() []sortKey {
	if q == nil || len(q.OrderBy) == 0 {
		return defaultOrder
	}
	keys := make([]sortKey, 0, len(q.OrderBy)+1)
	for _, o := range q.OrderBy {
		keys = append(keys, sortKey{o.Attr.Column, o.Desc})
		if o.Attr.Column == ColumnRunID {
			return keys
		}
	}
	return append(keys, sortKey{ColumnRunID, false})
}

// GroupsByStatus reports whether the query asks for counts per
// ExecutionStatus.
func (q *Query) GroupsByStatus() bool {
	return q != nil && len(q.GroupBy) == 1 && q.GroupBy[0].Column == ColumnStatus
}

// isText reports whether values of c are strings.
func (c Column) isText() bool {
	switch c {
	case ColumnWorkflowID, ColumnRunID, ColumnWorkflowType, ColumnTaskQueue:
		return true
	}
	return false
}
