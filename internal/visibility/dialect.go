package visibility

import (
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
)

// Dialect supplies the SQL syntax, and the layout of search_attribute_values,
// that differ between databases.
type Dialect interface {
	// Placeholder is the text of the n-th bound argument (1-based).
	Placeholder(n int) string
	// StartsWith is a condition that holds when the string expression expr
	// begins with the string bound at prefix.
	StartsWith(expr, prefix string) string
	// AttributeValue is the column of search_attribute_values (alias v) that
	// comparisons with a custom attribute of type t read.
	AttributeValue(t enumspb.IndexedValueType) string
	// TextQuery is the argument TextMatch compares with, made from the
	// words a query gave for a Text attribute.
	TextQuery(query string) any
	// TextMatch is a condition that holds when the Text attribute value expr
	// (from AttributeValue) shares a word with the argument bound at query
	// (from TextQuery); see TextMatches.
	TextMatch(expr, query string) string
	// StateField is the text value of a string field of the run's stored
	// state (column e.state, machine.Encode's JSON) at path, a dot-separated
	// list of field names; NULL where it is absent.
	StateField(path string) string
}

// SQLiteTextMatchFunction is the name under which the SQLite driver registers
// TextMatches as a SQL function of two arguments returning 0 or 1.
const SQLiteTextMatchFunction = "sundial_text_match"

// SQLite is the dialect of SQLite 3.38 and later.
type SQLite struct{}

// Placeholder implements Dialect with SQLite's numbered parameters, which may
// be used more than once.
func (SQLite) Placeholder(n int) string { return fmt.Sprintf("?%d", n) }

// StartsWith implements Dialect. The range test lets an index on expr narrow
// the scan; the substr test decides.
func (SQLite) StartsWith(expr, prefix string) string {
	return fmt.Sprintf("(%s >= %s AND substr(%s, 1, length(%s)) = %s)", expr, prefix, expr, prefix, prefix)
}

// AttributeValue implements Dialect: SQLite keeps every value in one
// dynamically typed column, and datetimes also as nanoseconds.
func (SQLite) AttributeValue(t enumspb.IndexedValueType) string {
	if t == enumspb.INDEXED_VALUE_TYPE_DATETIME {
		return "v.time_value"
	}
	return "v.value"
}

// TextQuery implements Dialect: the registered function takes the query's
// text as it is.
func (SQLite) TextQuery(query string) any { return query }

// TextMatch implements Dialect with the driver's registered function.
func (SQLite) TextMatch(expr, query string) string {
	return fmt.Sprintf("%s(%s, %s)", SQLiteTextMatchFunction, expr, query)
}

// StateField implements Dialect with SQLite's JSON operator; the state is
// stored as a BLOB, which SQLite's JSON functions would read as JSONB, so it
// is cast to text first; a state that is not JSON has no fields.
func (SQLite) StateField(path string) string {
	return fmt.Sprintf("(CASE WHEN json_valid(CAST(e.state AS TEXT)) THEN CAST(e.state AS TEXT) ->> '$.%s' END)", path)
}
