package sqlite

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"

	"modernc.org/sqlite"

	"github.com/sundialdev/sundial/internal/visibility"
)

// searchAttributeRowsFunction is the SQL function the visibility triggers
// call to index a run's search attributes.
const searchAttributeRowsFunction = "sundial_search_attribute_rows"

// The driver's SQL functions are registered with modernc.org/sqlite once per
// process, before any connection opens: the library keeps its function table
// per driver, and every connection opened afterwards gets them. Registering
// from init is the only point that precedes every Open.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction(searchAttributeRowsFunction, 1, searchAttributeRows)
	sqlite.MustRegisterDeterministicScalarFunction(visibility.SQLiteTextMatchFunction, 2, textMatch)
}

// searchAttributeRows implements sundial_search_attribute_rows(blob): the
// rows of visibility.IndexRows as a JSON array of [name, value, time_value].
func searchAttributeRows(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	var blob []byte
	switch v := args[0].(type) {
	case []byte:
		blob = v
	case string:
		blob = []byte(v)
	case nil:
		return "[]", nil
	default:
		return "[]", nil
	}
	rows := visibility.IndexRows(blob)
	out := make([][3]any, len(rows))
	for i, r := range rows {
		out[i] = [3]any{r.Name, r.Value, nil}
		if r.TimeNanos != nil {
			out[i][2] = *r.TimeNanos
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encoding search attribute rows: %w", err)
	}
	return string(b), nil
}

// textMatch implements sundial_text_match(text, query).
func textMatch(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	text, ok1 := args[0].(string)
	query, ok2 := args[1].(string)
	if !ok1 || !ok2 || !visibility.TextMatches(text, query) {
		return int64(0), nil
	}
	return int64(1), nil
}
