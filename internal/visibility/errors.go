package visibility

import "fmt"

// Error is a query the language cannot accept. Position is the 1-based
// character offset of Token in the query (0 when the problem is not tied to
// one token); Token is the offending text as written.
type Error struct {
	Position int
	Token    string
	Message  string
}

func (e *Error) Error() string {
	if e.Position > 0 {
		return fmt.Sprintf("invalid query: %s at position %d near '%s'", e.Message, e.Position, e.Token)
	}
	return "invalid query: " + e.Message
}

// errorAt reports a problem with the token tok.
func errorAt(tok token, format string, args ...any) *Error {
	return &Error{Position: tok.pos, Token: tok.display(), Message: fmt.Sprintf(format, args...)}
}

// errorf reports a problem that no single token carries.
func errorf(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}
