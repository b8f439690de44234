package visibility

import (
	"fmt"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
)

// PostgreSQL is the dialect of PostgreSQL 12 and later, with the PostgreSQL
// driver's search_attribute_values: a text column (str_value, "C"
// collation), a numeric one (num_value) for integers, doubles and booleans
// (0 or 1), time_value for datetimes, and words, the text's Words.
type PostgreSQL struct{}

// Placeholder implements Dialect with PostgreSQL's $n parameters.
func (PostgreSQL) Placeholder(n int) string { return fmt.Sprintf("$%d", n) }

// StartsWith implements Dialect. In the "C" collation every string that
// starts with the prefix sorts at or after it, so the range test lets an
// index narrow the scan; starts_with decides.
func (PostgreSQL) StartsWith(expr, prefix string) string {
	return fmt.Sprintf("(%s >= %s AND starts_with(%s, %s))", expr, prefix, expr, prefix)
}

// AttributeValue implements Dialect.
func (PostgreSQL) AttributeValue(t enumspb.IndexedValueType) string {
	switch t {
	case enumspb.INDEXED_VALUE_TYPE_DATETIME:
		return "v.time_value"
	case enumspb.INDEXED_VALUE_TYPE_INT, enumspb.INDEXED_VALUE_TYPE_DOUBLE, enumspb.INDEXED_VALUE_TYPE_BOOL:
		return "v.num_value"
	case enumspb.INDEXED_VALUE_TYPE_TEXT:
		return "v.words"
	}
	return "v.str_value"
}

// TextQuery implements Dialect: the query's words, which the driver's
// words column holds in the same form.
func (PostgreSQL) TextQuery(query string) any { return Words(query) }

// TextMatch implements Dialect: the two word arrays overlap (an operator a
// GIN index on words serves).
func (PostgreSQL) TextMatch(expr, query string) string {
	return fmt.Sprintf("%s && %s::text[]", expr, query)
}

// PostgreSQLStateFunction is the SQL function of the PostgreSQL driver's
// schema that reads a run's stored state (bytea holding machine.Encode's
// JSON) as jsonb, or NULL when it is not JSON.
const PostgreSQLStateFunction = "sundial_state_json"

// StateField implements Dialect: the text at path (dot-separated field
// names) in the state's JSON, NULL where absent.
func (PostgreSQL) StateField(path string) string {
	return fmt.Sprintf("(%s(e.state) #>> '{%s}')", PostgreSQLStateFunction, strings.ReplaceAll(path, ".", ","))
}
