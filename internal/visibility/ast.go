package visibility

// Statement is a parsed query before its names are bound to attributes.
type Statement struct {
	// Where is the filter; nil when the query has none.
	Where syntaxNode
	// GroupBy lists the GROUP BY names in order.
	GroupBy []token
	// OrderBy lists the ORDER BY terms in order.
	OrderBy []orderTerm
}

// syntaxNode is one node of a filter as written.
type syntaxNode interface{ syntax() }

// logicalNode is `left AND right` or `left OR right`.
type logicalNode struct {
	and         bool
	left, right syntaxNode
}

// notNode is `NOT x`.
type notNode struct{ x syntaxNode }

// comparisonNode is one comparison of a named attribute with literals.
type comparisonNode struct {
	name   token
	op     Op
	opTok  token
	values []literal
}

// literal is a value as written. For a negative number, tok is the number and
// negative is set.
type literal struct {
	tok      token
	negative bool
}

// orderTerm is one ORDER BY term.
type orderTerm struct {
	name token
	desc bool
}

func (logicalNode) syntax()    {}
func (notNode) syntax()        {}
func (comparisonNode) syntax() {}

// Op is a comparison operator.
type Op uint8

// The operators. Each has a negation (see Op.negate); NOT is pushed down onto
// them when a query is resolved.
const (
	OpEqual Op = iota + 1
	OpNotEqual
	OpLess
	OpLessOrEqual
	OpGreater
	OpGreaterOrEqual
	OpIn
	OpNotIn
	OpBetween
	OpNotBetween
	OpStartsWith
	OpNotStartsWith
	OpIsNull
	OpIsNotNull
)

var opNames = map[Op]string{
	OpEqual: "=", OpNotEqual: "!=", OpLess: "<", OpLessOrEqual: "<=", OpGreater: ">",
	OpGreaterOrEqual: ">=", OpIn: "IN", OpNotIn: "NOT IN", OpBetween: "BETWEEN",
	OpNotBetween: "NOT BETWEEN", OpStartsWith: "STARTS_WITH", OpNotStartsWith: "NOT STARTS_WITH",
	OpIsNull: "IS NULL", OpIsNotNull: "IS NOT NULL",
}

func (o Op) String() string { return opNames[o] }

// negate returns the operator that holds exactly when o does not, for an
// attribute that is present (IS NULL and IS NOT NULL are exact opposites).
func (o Op) negate() Op {
	switch o {
	case OpEqual:
		return OpNotEqual
	case OpNotEqual:
		return OpEqual
	case OpLess:
		return OpGreaterOrEqual
	case OpLessOrEqual:
		return OpGreater
	case OpGreater:
		return OpLessOrEqual
	case OpGreaterOrEqual:
		return OpLess
	case OpIn:
		return OpNotIn
	case OpNotIn:
		return OpIn
	case OpBetween:
		return OpNotBetween
	case OpNotBetween:
		return OpBetween
	case OpStartsWith:
		return OpNotStartsWith
	case OpNotStartsWith:
		return OpStartsWith
	case OpIsNull:
		return OpIsNotNull
	default:
		return OpIsNull
	}
}
