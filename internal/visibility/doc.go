// Package visibility implements the filter language that Temporal clients send
// to ListWorkflowExecutions, CountWorkflowExecutions and ScanWorkflowExecutions
// (for example `WorkflowType = 'Order' AND StartTime > '2025-01-01T00:00:00Z'
// ORDER BY StartTime DESC`), and turns it into SQL.
//
// The work happens in three steps:
//
//   - Parse reads the text into a syntax tree (Statement). It knows the grammar
//     but no attribute names; errors name the offending token and its position.
//   - Statement.Resolve binds every name to a search attribute (system columns,
//     Temporal's predefined attributes, and the namespace's registered custom
//     attributes), checks each operator against the attribute's type, converts
//     literals to typed values and pushes NOT down to the comparisons. The
//     result, Query, is what store drivers receive.
//   - Select, Count and CountByStatus render a Query as SQL for a Dialect.
//     Drivers provide the schema described below; a Dialect supplies the few
//     pieces of syntax that differ between databases.
//
// # Semantics
//
// Comparisons follow SQL's three-valued logic: a comparison on an attribute a
// run does not have is never true, so `X != 'a'` and `NOT X = 'a'` both match
// only runs that have X. `IS NULL` matches runs without the attribute; for
// CloseTime and ExecutionDuration that means open runs.
//
//   - Keyword: every comparison, IN, BETWEEN and STARTS_WITH; ranges compare
//     strings byte by byte.
//   - KeywordList: `=` means "contains", `!=` "does not contain", IN "contains
//     any of", NOT IN "contains none of".
//   - Text: `=` matches when the value shares at least one word with the
//     literal (words are runs of letters and digits, compared
//     case-insensitively), as Temporal's full-text backends do; `!=` is its
//     negation.
//   - Int, Double, Datetime: comparisons, IN and BETWEEN. Datetime literals are
//     RFC 3339 strings (any offset, optional fraction) or Unix nanoseconds.
//   - Bool: `=` and `!=` with true/false.
//   - ExecutionStatus takes names ('Running', 'Completed', ...) or numbers;
//     ExecutionDuration takes nanoseconds or Go-style durations ('90s', '1h').
//
// Results are ordered like Temporal's SQL stores unless ORDER BY says
// otherwise: open runs first, then by CloseTime descending, StartTime
// descending and RunId. ORDER BY accepts the system attributes stored as
// columns; ties are broken by RunId, which is what makes page cursors
// (keyset pagination) stable while runs are written.
//
// # Schema
//
// The SQL refers to the table executions (aliased e) with the columns
// namespace_id, workflow_id, run_id, workflow_type, task_queue, status,
// start_time, execution_time, close_time (Unix nanoseconds, 0 while open) and
// history_length, and to the table search_attribute_values, one row per value
// of a run's search attribute (one per element of a list), with columns
// namespace_id, workflow_id, run_id, name, value (text, integer or real;
// booleans as 0/1) and time_value (Unix nanoseconds when the value reads as an
// RFC 3339 time, else NULL). IndexRows computes those rows from a run's
// encoded search attributes.
package visibility
