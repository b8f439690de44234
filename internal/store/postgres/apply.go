package postgres

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/visibility"
)

// statementOwner ties a queued statement to the request that sent it and
// explains its failure in that request's terms.
type statementOwner struct {
	request  int
	describe func(err error) error
}

// executionColumns is the column order of the execution statements: $1..$3
// the key, $4 the version, then the rest.
const executionColumns = `namespace_id, workflow_id, run_id, version, state,
	workflow_type, task_queue, status, start_time, execution_time, close_time,
	history_length, memo, search_attributes`

// The write statements. A conditional update counts the rows it changed and
// hands the count to sundial_require_row, which fails the statement (and so
// the group's transaction) when it is zero.
const (
	sqlInsertNamespace = `INSERT INTO namespaces (id, name, data) VALUES ($1, $2, $3)`
	sqlUpdateNamespace = `WITH u AS (UPDATE namespaces SET data = $2, name = $3 WHERE id = $1 RETURNING 1)
		SELECT sundial_require_row(count(*), '` + codeNoRowNotFound + `') FROM u`
	sqlInsertExecution = `INSERT INTO executions (` + executionColumns + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`
	sqlUpdateExecution = `WITH u AS (UPDATE executions SET version = $4, state = $5,
			workflow_type = $6, task_queue = $7, status = $8, start_time = $9,
			execution_time = $10, close_time = $11, history_length = $12, memo = $13,
			search_attributes = $14
			WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $3 AND version = $15 RETURNING 1)
		SELECT sundial_require_row(count(*), '` + codeNoRowConflict + `') FROM u`
	// Sets no indexed column, so the row can be updated in place (HOT)
	// without touching any index.
	sqlUpdateExecutionState = `WITH u AS (UPDATE executions SET version = $4, state = $5, history_length = $6
			WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $3 AND version = $7 RETURNING 1)
		SELECT sundial_require_row(count(*), '` + codeNoRowConflict + `') FROM u`
	sqlInsertCurrent = `INSERT INTO current_executions (namespace_id, workflow_id, run_id) VALUES ($1, $2, $3)`
	sqlMoveCurrent   = `WITH u AS (UPDATE current_executions SET run_id = $3
			WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $4 RETURNING 1)
		SELECT sundial_require_row(count(*), '` + codeNoRowConflict + `') FROM u`
	sqlInsertEvents = `INSERT INTO history (namespace_id, run_id, first_event_id, last_event_id, data)
		VALUES ($1, $2, $3, $4, $5)`

	// A run's search-attribute rows are rewritten only when its encoded
	// search attributes change. Both statements run before the execution's
	// update, so they compare with the stored (old) value.
	sqlSearchAttributesChanged = `EXISTS (SELECT 1 FROM executions
		WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $3 AND search_attributes IS DISTINCT FROM `
	sqlDeleteChangedSearchAttributeRows = `DELETE FROM search_attribute_values
		WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $3 AND ` + sqlSearchAttributesChanged + `$4)`
	sqlInsertSearchAttributeRows = `INSERT INTO search_attribute_values
			(namespace_id, workflow_id, run_id, name, str_value, num_value, time_value, words)
		SELECT $1::text, $2::text, $3::text, r.name, r.str_value, r.num_value::numeric, r.time_value, string_to_array(r.words, ' ')
		FROM unnest($4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[])
			AS r(name, str_value, num_value, time_value, words)`
	sqlInsertChangedSearchAttributeRows = sqlInsertSearchAttributeRows + ` WHERE ` + sqlSearchAttributesChanged + `$9)`
)

// queueRequest appends request number i's statements to b and returns
// owners extended with one entry per statement.
func queueRequest(b *pgx.Batch, owners []statementOwner, i int, r *writeRequest) []statementOwner {
	add := func(describe func(error) error, sql string, args ...any) {
		b.Queue(sql, args...)
		owners = append(owners, statementOwner{request: i, describe: describe})
	}
	switch r.kind {
	case requestCreateNamespace:
		ns := r.namespace
		add(func(err error) error {
			return fmt.Errorf("inserting namespace %q (%s): %w", ns.Name, ns.ID, interpretError(err, store.ErrAlreadyExists))
		}, sqlInsertNamespace, ns.ID, ns.Name, ns.Data)
	case requestUpdateNamespace:
		ns := r.namespace
		add(func(err error) error {
			return fmt.Errorf("updating namespace %s: %w", ns.ID, interpretError(err, store.ErrAlreadyExists))
		}, sqlUpdateNamespace, ns.ID, ns.Data, ns.Name)
	default:
		queueTransition(r.transition, add)
	}
	return owners
}

// queueFunc queues one statement with the explanation of its failure.
type queueFunc func(describe func(error) error, sql string, args ...any)

func queueTransition(t *store.Transition, add queueFunc) {
	for i := range t.Executions {
		queueExecution(&t.Executions[i], add)
	}
	for i := range t.Events {
		ev := &t.Events[i]
		add(func(err error) error {
			return fmt.Errorf("appending events %d-%d of run %s/%s: %w",
				ev.FirstEventID, ev.LastEventID, ev.NamespaceID, ev.RunID, interpretError(err, store.ErrConflict))
		}, sqlInsertEvents, ev.NamespaceID, ev.RunID, ev.FirstEventID, ev.LastEventID, ev.Data)
	}
	if cw := t.Current; cw != nil {
		c := cw.Current
		if cw.ExpectedRunID == "" {
			add(func(err error) error {
				return fmt.Errorf("creating current run of %s/%s: %w", c.NamespaceID, c.WorkflowID, interpretError(err, store.ErrConflict))
			}, sqlInsertCurrent, c.NamespaceID, c.WorkflowID, c.RunID)
		} else {
			add(func(err error) error {
				return fmt.Errorf("moving current run of %s/%s from %s: %w",
					c.NamespaceID, c.WorkflowID, cw.ExpectedRunID, interpretError(err, nil))
			}, sqlMoveCurrent, c.NamespaceID, c.WorkflowID, c.RunID, cw.ExpectedRunID)
		}
	}
	for i := range t.Records {
		queueRecord(&t.Records[i], add)
	}
}

func queueExecution(w *store.ExecutionWrite, add queueFunc) {
	e := w.Execution
	describe := func(err error) error {
		onDuplicate := error(nil)
		if w.ExpectedVersion == 0 {
			onDuplicate = store.ErrAlreadyExists
		}
		return fmt.Errorf("writing execution %s/%s/%s at version %d: %w",
			e.NamespaceID, e.WorkflowID, e.RunID, w.ExpectedVersion, interpretError(err, onDuplicate))
	}
	next := w.ExpectedVersion + 1
	if w.ExpectedVersion > 0 && w.StateOnly {
		add(describe, sqlUpdateExecutionState, e.NamespaceID, e.WorkflowID, e.RunID,
			next, e.State, e.HistoryLength, w.ExpectedVersion)
		return
	}
	cols := []any{e.NamespaceID, e.WorkflowID, e.RunID, next, e.State,
		e.WorkflowType, e.TaskQueue, int64(e.Status),
		store.TimeToColumn(e.StartTime), store.TimeToColumn(e.ExecutionTime), store.TimeToColumn(e.CloseTime),
		e.HistoryLength, e.Memo, e.SearchAttributes}
	rows := newAttributeRows(visibility.IndexRows(e.SearchAttributes))
	if w.ExpectedVersion == 0 {
		add(describe, sqlInsertExecution, cols...)
		if rows.len() > 0 {
			add(describe, sqlInsertSearchAttributeRows, rows.args(e)...)
		}
		return
	}
	add(describe, sqlDeleteChangedSearchAttributeRows, e.NamespaceID, e.WorkflowID, e.RunID, e.SearchAttributes)
	if rows.len() > 0 {
		add(describe, sqlInsertChangedSearchAttributeRows, append(rows.args(e), e.SearchAttributes)...)
	}
	add(describe, sqlUpdateExecution, append(cols, w.ExpectedVersion)...)
}

// attributeRows are a run's search_attribute_values rows as column arrays,
// bound to the unnest in sqlInsertSearchAttributeRows. Numbers travel as
// decimal text so that 64-bit integers and doubles both reach the numeric
// column exactly; words are joined by spaces (a word never holds one).
type attributeRows struct {
	names, strs, nums, words []*string
	times                    []*int64
}

func newAttributeRows(rows []visibility.IndexRow) attributeRows {
	var a attributeRows
	for _, r := range rows {
		name := r.Name
		a.names = append(a.names, &name)
		var str, num, words *string
		switch v := r.Value.(type) {
		case string:
			s, w := v, strings.Join(visibility.Words(v), " ")
			str, words = &s, &w
		case int64:
			n := strconv.FormatInt(v, 10)
			num = &n
		case float64:
			n := strconv.FormatFloat(v, 'g', -1, 64)
			num = &n
		}
		a.strs = append(a.strs, str)
		a.nums = append(a.nums, num)
		a.words = append(a.words, words)
		a.times = append(a.times, r.TimeNanos)
	}
	return a
}

func (a attributeRows) len() int { return len(a.names) }

// args are the insert's arguments: the run's key and the column arrays.
func (a attributeRows) args(e *store.Execution) []any {
	return []any{e.NamespaceID, e.WorkflowID, e.RunID, a.names, a.strs, a.nums, a.times, a.words}
}
