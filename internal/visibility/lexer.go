package visibility

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenKind classifies a token.
type tokenKind uint8

const (
	tokEOF tokenKind = iota
	tokIdent
	tokQuotedIdent // `name`: never a keyword
	tokString
	tokNumber
	tokOperator // = != <> < <= > >=
	tokLParen
	tokRParen
	tokComma
	tokMinus
)

// token is one lexeme. text is the identifier or operator as written, or the
// decoded content of a string literal; raw is the source text.
type token struct {
	kind tokenKind
	text string
	raw  string
	pos  int // 1-based character offset
}

// display is how an error quotes the token.
func (t token) display() string {
	if t.kind == tokEOF {
		return "end of query"
	}
	return t.raw
}

// isKeyword reports whether t is the (case-insensitive) keyword kw.
func (t token) isKeyword(kw string) bool {
	return t.kind == tokIdent && strings.EqualFold(t.text, kw)
}

// keywords cannot be used as bare attribute names; quote them with backticks.
var keywords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "IN": true, "BETWEEN": true, "IS": true,
	"NULL": true, "STARTS_WITH": true, "ORDER": true, "GROUP": true, "BY": true,
	"ASC": true, "DESC": true, "LIMIT": true, "TRUE": true, "FALSE": true,
	"LIKE": true, "SELECT": true, "FROM": true, "WHERE": true,
}

func isKeywordText(s string) bool { return keywords[strings.ToUpper(s)] }

// lexer splits a query into tokens.
type lexer struct {
	src  string
	off  int // byte offset
	char int // characters consumed so far
}

// tokenize returns every token of src, ending with tokEOF.
func tokenize(src string) ([]token, error) {
	lx := &lexer{src: src}
	var out []token
	for {
		tok, err := lx.next()
		if err != nil {
			return nil, err
		}
		out = append(out, tok)
		if tok.kind == tokEOF {
			return out, nil
		}
	}
}

func (lx *lexer) peekRune(ahead int) rune {
	off := lx.off
	for i := 0; ; i++ {
		if off >= len(lx.src) {
			return -1
		}
		r, size := utf8.DecodeRuneInString(lx.src[off:])
		if i == ahead {
			return r
		}
		off += size
	}
}

func (lx *lexer) advance() rune {
	r, size := utf8.DecodeRuneInString(lx.src[lx.off:])
	lx.off += size
	lx.char++
	return r
}

func (lx *lexer) next() (token, error) {
	for lx.off < len(lx.src) && unicode.IsSpace(lx.peekRune(0)) {
		lx.advance()
	}
	start, startChar := lx.off, lx.char+1
	if lx.off >= len(lx.src) {
		return token{kind: tokEOF, pos: startChar}, nil
	}
	finish := func(kind tokenKind, text string) (token, error) {
		return token{kind: kind, text: text, raw: lx.src[start:lx.off], pos: startChar}, nil
	}
	r := lx.advance()
	switch {
	case r == '(':
		return finish(tokLParen, "(")
	case r == ')':
		return finish(tokRParen, ")")
	case r == ',':
		return finish(tokComma, ",")
	case r == '-':
		return finish(tokMinus, "-")
	case r == '=':
		return finish(tokOperator, "=")
	case r == '!':
		if lx.peekRune(0) == '=' {
			lx.advance()
			return finish(tokOperator, "!=")
		}
		return token{}, &Error{Position: startChar, Token: "!", Message: "syntax error: '!' must be followed by '='"}
	case r == '<':
		switch lx.peekRune(0) {
		case '=':
			lx.advance()
			return finish(tokOperator, "<=")
		case '>':
			lx.advance()
			return finish(tokOperator, "!=")
		}
		return finish(tokOperator, "<")
	case r == '>':
		if lx.peekRune(0) == '=' {
			lx.advance()
			return finish(tokOperator, ">=")
		}
		return finish(tokOperator, ">")
	case r == '\'' || r == '"':
		text, err := lx.quoted(r, start, startChar)
		if err != nil {
			return token{}, err
		}
		return finish(tokString, text)
	case r == '`':
		text, err := lx.quoted(r, start, startChar)
		if err != nil {
			return token{}, err
		}
		if text == "" {
			return token{}, &Error{Position: startChar, Token: "``", Message: "syntax error: empty quoted name"}
		}
		return finish(tokQuotedIdent, text)
	case isDigit(r) || (r == '.' && isDigit(lx.peekRune(0))):
		lx.number()
		return finish(tokNumber, lx.src[start:lx.off])
	case isIdentStart(r):
		for lx.off < len(lx.src) && isIdentPart(lx.peekRune(0)) {
			lx.advance()
		}
		return finish(tokIdent, lx.src[start:lx.off])
	}
	return token{}, &Error{Position: startChar, Token: string(r), Message: "syntax error: unexpected character"}
}

// number consumes the rest of a decimal number: digits, an optional fraction
// and an optional exponent.
func (lx *lexer) number() {
	for isDigit(lx.peekRune(0)) || lx.peekRune(0) == '.' {
		lx.advance()
	}
	if e := lx.peekRune(0); e == 'e' || e == 'E' {
		sign := lx.peekRune(1)
		if isDigit(sign) || ((sign == '+' || sign == '-') && isDigit(lx.peekRune(2))) {
			lx.advance()
			lx.advance()
			for isDigit(lx.peekRune(0)) {
				lx.advance()
			}
		}
	}
	// A number glued to letters ("12abc") is one bad token, not two.
	for isIdentPart(lx.peekRune(0)) {
		lx.advance()
	}
}

// quoted reads the rest of a literal opened by quote. Inside, the quote is
// written twice or escaped with a backslash; a backslash also introduces \n,
// \t, \r, \0 and \\, and stands for the next character otherwise.
func (lx *lexer) quoted(quote rune, start, startChar int) (string, error) {
	var b strings.Builder
	for lx.off < len(lx.src) {
		r := lx.advance()
		switch {
		case r == quote:
			if lx.peekRune(0) == quote {
				lx.advance()
				b.WriteRune(quote)
				continue
			}
			return b.String(), nil
		case r == '\\' && quote != '`' && lx.off < len(lx.src):
			e := lx.advance()
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			default:
				b.WriteRune(e)
			}
		default:
			b.WriteRune(r)
		}
	}
	return "", &Error{Position: startChar, Token: truncate(lx.src[start:], 32), Message: "syntax error: unterminated quoted text"}
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }

func isIdentPart(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// truncate shortens s to at most n characters for an error message.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "..."
}
