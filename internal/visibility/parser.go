package visibility

import "strings"

// maxQueryLength bounds the text Parse accepts.
const maxQueryLength = 32 << 10

// maxNesting bounds how deeply parentheses and NOTs may nest, so that a
// hostile query cannot exhaust the stack.
const maxNesting = 100

// Parse reads a filter-language query:
//
//	query      = [ expr ] [ GROUP BY name { , name } ] [ ORDER BY name [ASC|DESC] { , ... } ]
//	expr       = and { OR and }
//	and        = unary { AND unary }
//	unary      = NOT unary | ( expr ) | comparison
//	comparison = name ( op value | [NOT] IN ( value { , value } ) | [NOT] BETWEEN value AND value
//	                  | [NOT] STARTS_WITH value | IS [NOT] NULL )
//	value      = 'text' | "text" | [-] number | TRUE | FALSE
//
// Keywords are case-insensitive; a name that is a keyword, or that holds other
// characters than letters, digits and '_', is written in backticks. An empty
// query means "everything".
func Parse(query string) (*Statement, error) {
	if len(query) > maxQueryLength {
		return nil, errorf("query is %d bytes long, the limit is %d", len(query), maxQueryLength)
	}
	toks, err := tokenize(query)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	return p.statement()
}

type parser struct {
	toks  []token
	at    int
	depth int
}

func (p *parser) peek() token { return p.toks[p.at] }

func (p *parser) take() token {
	t := p.toks[p.at]
	if t.kind != tokEOF {
		p.at++
	}
	return t
}

// takeKeyword consumes the keyword kw if it comes next.
func (p *parser) takeKeyword(kw string) bool {
	if p.peek().isKeyword(kw) {
		p.at++
		return true
	}
	return false
}

func (p *parser) expectKeyword(kw, what string) error {
	if !p.takeKeyword(kw) {
		return errorAt(p.peek(), "syntax error: expected %s", what)
	}
	return nil
}

func (p *parser) statement() (*Statement, error) {
	st := &Statement{}
	if t := p.peek(); t.kind != tokEOF && !t.isKeyword("ORDER") && !t.isKeyword("GROUP") {
		where, err := p.or()
		if err != nil {
			return nil, err
		}
		st.Where = where
	}
	if p.takeKeyword("GROUP") {
		if err := p.expectKeyword("BY", "BY after GROUP"); err != nil {
			return nil, err
		}
		for {
			name, err := p.name()
			if err != nil {
				return nil, err
			}
			st.GroupBy = append(st.GroupBy, name)
			if p.peek().kind != tokComma {
				break
			}
			p.take()
		}
	}
	if p.takeKeyword("ORDER") {
		if err := p.expectKeyword("BY", "BY after ORDER"); err != nil {
			return nil, err
		}
		for {
			name, err := p.name()
			if err != nil {
				return nil, err
			}
			term := orderTerm{name: name}
			if p.takeKeyword("DESC") {
				term.desc = true
			} else {
				p.takeKeyword("ASC")
			}
			st.OrderBy = append(st.OrderBy, term)
			if p.peek().kind != tokComma {
				break
			}
			p.take()
		}
	}
	if t := p.peek(); t.kind != tokEOF {
		if t.isKeyword("LIMIT") {
			return nil, errorAt(t, "operation is not supported: LIMIT clause")
		}
		if t.kind == tokRParen {
			return nil, errorAt(t, "syntax error: unbalanced ')'")
		}
		return nil, errorAt(t, "syntax error: unexpected token; expected AND, OR, GROUP BY, ORDER BY or the end of the query")
	}
	return st, nil
}

func (p *parser) nest() error {
	p.depth++
	if p.depth > maxNesting {
		return errorAt(p.peek(), "query nests deeper than %d levels", maxNesting)
	}
	return nil
}

func (p *parser) or() (syntaxNode, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.takeKeyword("OR") {
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = logicalNode{and: false, left: left, right: right}
	}
	return left, nil
}

func (p *parser) and() (syntaxNode, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.takeKeyword("AND") {
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		left = logicalNode{and: true, left: left, right: right}
	}
	return left, nil
}

func (p *parser) unary() (syntaxNode, error) {
	if err := p.nest(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	if p.takeKeyword("NOT") {
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return notNode{x: x}, nil
	}
	if p.peek().kind == tokLParen {
		open := p.take()
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek().kind != tokRParen {
			if p.peek().kind == tokEOF {
				return nil, errorAt(open, "syntax error: '(' is never closed")
			}
			return nil, errorAt(p.peek(), "syntax error: expected ')'")
		}
		p.take()
		return x, nil
	}
	return p.comparison()
}

// name reads an attribute name.
func (p *parser) name() (token, error) {
	t := p.peek()
	switch {
	case t.kind == tokQuotedIdent:
		return p.take(), nil
	case t.kind == tokIdent && !isKeywordText(t.text):
		return p.take(), nil
	case t.kind == tokIdent:
		return token{}, errorAt(t, "syntax error: expected a search attribute name, found the keyword %s (quote a name that is a keyword with backticks)", strings.ToUpper(t.text))
	case t.kind == tokEOF:
		return token{}, errorAt(t, "syntax error: query ends where a search attribute name was expected")
	}
	return token{}, errorAt(t, "syntax error: expected a search attribute name")
}

func (p *parser) comparison() (syntaxNode, error) {
	name, err := p.name()
	if err != nil {
		return nil, err
	}
	c := comparisonNode{name: name, opTok: p.peek()}
	op := p.take()
	switch {
	case op.kind == tokOperator:
		c.op = comparisonOps[op.text]
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		c.values = []literal{v}
		return c, nil
	case op.isKeyword("IS"):
		c.op = OpIsNull
		if p.takeKeyword("NOT") {
			c.op = OpIsNotNull
		}
		if err := p.expectKeyword("NULL", "NULL after IS"); err != nil {
			return nil, err
		}
		return c, nil
	case op.isKeyword("NOT"):
		next := p.take()
		switch {
		case next.isKeyword("IN"):
			c.op = OpNotIn
		case next.isKeyword("BETWEEN"):
			c.op = OpNotBetween
		case next.isKeyword("STARTS_WITH"):
			c.op = OpNotStartsWith
		default:
			return nil, errorAt(next, "syntax error: expected IN, BETWEEN or STARTS_WITH after NOT")
		}
	case op.isKeyword("IN"):
		c.op = OpIn
	case op.isKeyword("BETWEEN"):
		c.op = OpBetween
	case op.isKeyword("STARTS_WITH"):
		c.op = OpStartsWith
	case op.isKeyword("LIKE"):
		return nil, errorAt(op, "operation is not supported: LIKE (use STARTS_WITH)")
	case op.kind == tokEOF:
		return nil, errorAt(op, "syntax error: query ends after search attribute name '%s'; expected an operator", name.text)
	default:
		return nil, errorAt(op, "syntax error: expected a comparison operator after '%s'", name.text)
	}
	switch c.op {
	case OpIn, OpNotIn:
		c.values, err = p.valueList()
	case OpBetween, OpNotBetween:
		c.values, err = p.bounds()
	default:
		var v literal
		v, err = p.value()
		c.values = []literal{v}
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

var comparisonOps = map[string]Op{
	"=": OpEqual, "!=": OpNotEqual, "<": OpLess, "<=": OpLessOrEqual, ">": OpGreater, ">=": OpGreaterOrEqual,
}

func (p *parser) valueList() ([]literal, error) {
	if p.peek().kind != tokLParen {
		return nil, errorAt(p.peek(), "syntax error: expected '(' to open the IN list")
	}
	p.take()
	var out []literal
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		switch t := p.take(); t.kind {
		case tokComma:
			continue
		case tokRParen:
			return out, nil
		default:
			return nil, errorAt(t, "syntax error: expected ',' or ')' in the IN list")
		}
	}
}

func (p *parser) bounds() ([]literal, error) {
	low, err := p.value()
	if err != nil {
		return nil, err
	}
	if err := p.expectKeyword("AND", "AND between the bounds of BETWEEN"); err != nil {
		return nil, err
	}
	high, err := p.value()
	if err != nil {
		return nil, err
	}
	return []literal{low, high}, nil
}

func (p *parser) value() (literal, error) {
	t := p.peek()
	switch {
	case t.kind == tokString, t.kind == tokNumber, t.isKeyword("TRUE"), t.isKeyword("FALSE"):
		return literal{tok: p.take()}, nil
	case t.kind == tokMinus:
		p.take()
		if p.peek().kind != tokNumber {
			return literal{}, errorAt(p.peek(), "syntax error: expected a number after '-'")
		}
		n := p.take()
		n.raw = "-" + n.raw
		return literal{tok: n, negative: true}, nil
	case t.kind == tokEOF:
		return literal{}, errorAt(t, "syntax error: query ends where a value was expected")
	case t.kind == tokIdent || t.kind == tokQuotedIdent:
		return literal{}, errorAt(t, "syntax error: expected a value; quote text values with single quotes")
	}
	return literal{}, errorAt(t, "syntax error: expected a value")
}
