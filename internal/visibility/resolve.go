package visibility

import (
	"math"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// Compile parses query and resolves it against catalog.
func Compile(query string, catalog Catalog) (*Query, error) {
	st, err := Parse(query)
	if err != nil {
		return nil, err
	}
	return st.Resolve(catalog)
}

// Resolve binds the statement's names to catalog's attributes, checks every
// operator and literal against the attribute's type and pushes NOT down.
func (st *Statement) Resolve(catalog Catalog) (*Query, error) {
	q := &Query{}
	if st.Where != nil {
		f, err := resolveNode(st.Where, catalog, false)
		if err != nil {
			return nil, err
		}
		q.Filter = f
	}
	if len(st.GroupBy) > 1 {
		return nil, errorAt(st.GroupBy[1], "operation is not supported: GROUP BY takes a single attribute")
	}
	for _, name := range st.GroupBy {
		a, err := lookup(catalog, name)
		if err != nil {
			return nil, err
		}
		if a.Column != ColumnStatus {
			return nil, errorAt(name, "operation is not supported: GROUP BY is supported only on ExecutionStatus")
		}
		q.GroupBy = append(q.GroupBy, a)
	}
	seen := map[string]bool{}
	for _, term := range st.OrderBy {
		a, err := lookup(catalog, term.name)
		if err != nil {
			return nil, err
		}
		if a.Column == ColumnNone || a.Column == ColumnExecutionDuration || a.Column.isLineage() {
			return nil, errorAt(term.name, "operation is not supported: ORDER BY %s; sort by WorkflowId, RunId, WorkflowType, TaskQueue, ExecutionStatus, StartTime, ExecutionTime, CloseTime or HistoryLength", a.Name)
		}
		if seen[a.Name] {
			return nil, errorAt(term.name, "ORDER BY names %s twice", a.Name)
		}
		seen[a.Name] = true
		q.OrderBy = append(q.OrderBy, Order{Attr: a, Desc: term.desc})
	}
	return q, nil
}

func lookup(catalog Catalog, name token) (Attribute, error) {
	a, ok := catalog.lookup(name.text)
	if !ok {
		return Attribute{}, errorAt(name, "invalid search attribute: %s is not defined in this namespace", name.text)
	}
	return a, nil
}

// resolveNode resolves n, or its negation when negate is set.
func resolveNode(n syntaxNode, catalog Catalog, negate bool) (Expr, error) {
	switch n := n.(type) {
	case notNode:
		return resolveNode(n.x, catalog, !negate)
	case logicalNode:
		left, err := resolveNode(n.left, catalog, negate)
		if err != nil {
			return nil, err
		}
		right, err := resolveNode(n.right, catalog, negate)
		if err != nil {
			return nil, err
		}
		return join(n.and != negate, left, right), nil
	default:
		c, err := resolveComparison(n.(comparisonNode), catalog)
		if err != nil {
			return nil, err
		}
		if negate {
			c.Op = c.Op.negate()
		}
		return c, nil
	}
}

// join builds an And (and set) or an Or of terms, splicing in the terms of
// nested nodes of the same kind.
func join(and bool, terms ...Expr) Expr {
	var out []Expr
	for _, t := range terms {
		if inner, ok := t.(*And); ok && and {
			out = append(out, inner.Terms...)
			continue
		}
		if inner, ok := t.(*Or); ok && !and {
			out = append(out, inner.Terms...)
			continue
		}
		out = append(out, t)
	}
	if and {
		return &And{Terms: out}
	}
	return &Or{Terms: out}
}

func resolveComparison(n comparisonNode, catalog Catalog) (*Comparison, error) {
	a, err := lookup(catalog, n.name)
	if err != nil {
		return nil, err
	}
	if !operatorAllowed(a, n.op) {
		return nil, errorAt(n.opTok, "operation is not supported: operator %s on %s search attribute %s", n.op, typeName(a), a.Name)
	}
	c := &Comparison{Attr: a, Op: n.op}
	for _, lit := range n.values {
		v, err := convertLiteral(a, lit)
		if err != nil {
			return nil, err
		}
		c.Values = append(c.Values, v)
	}
	return c, nil
}

func typeName(a Attribute) string {
	if a.Column == ColumnStatus {
		return "ExecutionStatus"
	}
	return a.Type.String()
}

// operatorAllowed says which operators each kind of attribute takes.
func operatorAllowed(a Attribute, op Op) bool {
	if op == OpIsNull || op == OpIsNotNull {
		return true
	}
	equality := op == OpEqual || op == OpNotEqual
	set := op == OpIn || op == OpNotIn
	prefix := op == OpStartsWith || op == OpNotStartsWith
	if a.Column == ColumnStatus {
		return equality || set
	}
	switch a.Type {
	case enumspb.INDEXED_VALUE_TYPE_KEYWORD:
		return true
	case enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST:
		return equality || set
	case enumspb.INDEXED_VALUE_TYPE_TEXT, enumspb.INDEXED_VALUE_TYPE_BOOL:
		return equality
	default: // Int, Double, Datetime
		return !prefix
	}
}

// convertLiteral turns a literal into the value type the attribute compares
// with.
func convertLiteral(a Attribute, lit literal) (any, error) {
	tok := lit.tok
	isString := tok.kind == tokString
	isNumber := tok.kind == tokNumber
	switch {
	case a.Column == ColumnStatus:
		return statusValue(lit)
	case a.Column == ColumnExecutionDuration:
		if isString {
			d, err := parseDuration(tok.text)
			if err != nil {
				return nil, errorAt(tok, "invalid expression: '%s' is not a duration (write nanoseconds, or a duration such as '90s' or '1h30m')", tok.text)
			}
			return int64(d), nil
		}
		return integerValue(a, lit)
	}
	switch a.Type {
	case enumspb.INDEXED_VALUE_TYPE_KEYWORD, enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST:
		if !isString {
			return nil, typeError(a, lit)
		}
		return tok.text, nil
	case enumspb.INDEXED_VALUE_TYPE_TEXT:
		if !isString {
			return nil, typeError(a, lit)
		}
		if len(Words(tok.text)) == 0 {
			return nil, errorAt(tok, "invalid expression: no words to match in the value for Text search attribute %s", a.Name)
		}
		return tok.text, nil
	case enumspb.INDEXED_VALUE_TYPE_INT:
		if isNumber && !strings.ContainsAny(tok.text, ".eE") {
			return integerValue(a, lit)
		}
		if isNumber {
			return floatValue(a, lit)
		}
		return nil, typeError(a, lit)
	case enumspb.INDEXED_VALUE_TYPE_DOUBLE:
		if !isNumber {
			return nil, typeError(a, lit)
		}
		return floatValue(a, lit)
	case enumspb.INDEXED_VALUE_TYPE_BOOL:
		switch {
		case tok.isKeyword("TRUE") || (isString && strings.EqualFold(tok.text, "true")):
			return true, nil
		case tok.isKeyword("FALSE") || (isString && strings.EqualFold(tok.text, "false")):
			return false, nil
		}
		return nil, typeError(a, lit)
	case enumspb.INDEXED_VALUE_TYPE_DATETIME:
		if isNumber {
			return integerValue(a, lit)
		}
		if !isString {
			return nil, typeError(a, lit)
		}
		t, ok := ParseTime(tok.text)
		if !ok {
			return nil, errorAt(tok, "invalid expression: unable to parse datetime '%s' (use RFC 3339, such as '2025-01-02T15:04:05Z')", tok.text)
		}
		return t.UnixNano(), nil
	}
	return nil, errorAt(tok, "invalid expression: search attribute %s has unknown type %s", a.Name, a.Type)
}

func typeError(a Attribute, lit literal) error {
	return errorAt(lit.tok, "invalid expression: value %s does not fit %s search attribute %s", lit.tok.display(), typeName(a), a.Name)
}

func integerValue(a Attribute, lit literal) (any, error) {
	if lit.tok.kind != tokNumber {
		return nil, typeError(a, lit)
	}
	n, err := strconv.ParseInt(lit.tok.text, 10, 64)
	if err != nil {
		return nil, errorAt(lit.tok, "invalid expression: %s is not a 64-bit integer", lit.tok.display())
	}
	if lit.negative {
		n = -n
	}
	return n, nil
}

func floatValue(a Attribute, lit literal) (any, error) {
	f, err := strconv.ParseFloat(lit.tok.text, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, errorAt(lit.tok, "invalid expression: %s is not a number", lit.tok.display())
	}
	if lit.negative {
		f = -f
	}
	return f, nil
}

// statusValue reads an ExecutionStatus name ('Running', also the enum's full
// name, any case) or number.
func statusValue(lit literal) (any, error) {
	tok := lit.tok
	switch tok.kind {
	case tokNumber:
		n, err := strconv.ParseInt(tok.text, 10, 32)
		if err == nil && !lit.negative {
			if _, ok := enumspb.WorkflowExecutionStatus_name[int32(n)]; ok && n != 0 {
				return n, nil
			}
		}
	case tokString:
		if s, err := enumspb.WorkflowExecutionStatusFromString(tok.text); err == nil && s != enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED {
			return int64(s), nil
		}
		for n := range enumspb.WorkflowExecutionStatus_name {
			s := enumspb.WorkflowExecutionStatus(n)
			if n != 0 && strings.EqualFold(s.String(), tok.text) {
				return int64(n), nil
			}
		}
	}
	return nil, errorAt(tok, "invalid expression: invalid ExecutionStatus value %s (use Running, Completed, Failed, Canceled, Terminated, ContinuedAsNew or TimedOut)", tok.display())
}

// timeLayouts are the datetime forms a query may use, most specific first.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// ParseTime reads a datetime literal: RFC 3339 with any offset and optional
// fraction, also with a space for the T, and a bare date; forms without an
// offset are UTC.
func ParseTime(s string) (time.Time, bool) {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseDuration reads nanoseconds, a Go duration ("1h30m"), days ("2d") or
// "hh:mm:ss".
func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(n), nil
	}
	if strings.HasSuffix(s, "d") {
		if days, err := strconv.ParseFloat(strings.TrimSuffix(s, "d"), 64); err == nil && math.Abs(days) < 100000 {
			return time.Duration(days * float64(24*time.Hour)), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	var h, m, sec int
	if parts := strings.Split(s, ":"); len(parts) == 3 {
		var errs [3]error
		h, errs[0] = strconv.Atoi(parts[0])
		m, errs[1] = strconv.Atoi(parts[1])
		sec, errs[2] = strconv.Atoi(parts[2])
		if errs[0] == nil && errs[1] == nil && errs[2] == nil && h >= 0 && m >= 0 && m < 60 && sec >= 0 && sec < 60 {
			return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second, nil
		}
	}
	return 0, errorf("not a duration: %q", s)
}
