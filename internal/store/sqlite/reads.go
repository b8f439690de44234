package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/sundialdev/sundial/internal/store"
)

// readStatements are the read queries, prepared on the read pool (or, in
// memory mode, on the shared connection).
type readStatements struct {
	namespaceByName, namespaceByID, listNamespaces *sql.Stmt
	execution, current                             *sql.Stmt
	openFromStart, openAfter                       *sql.Stmt
	events                                         *sql.Stmt
}

// The read queries.
const (
	sqlNamespaceByName = `SELECT id, name, data FROM namespaces WHERE name = ?1`
	sqlNamespaceByID   = `SELECT id, name, data FROM namespaces WHERE id = ?1`
	sqlListNamespaces  = `SELECT id, name, data FROM namespaces WHERE name > ?1 ORDER BY name LIMIT ?2`
	sqlExecution       = `SELECT ` + executionColumns + ` FROM executions
		WHERE namespace_id = ?1 AND workflow_id = ?2 AND run_id = ?3`
	sqlCurrent = `SELECT run_id FROM current_executions WHERE namespace_id = ?1 AND workflow_id = ?2`
	// The open-runs scans walk the partial index executions_open.
	sqlOpenFromStart = `SELECT ` + executionColumns + ` FROM executions
		WHERE close_time = 0
		ORDER BY namespace_id, workflow_id, run_id LIMIT ?1`
	sqlOpenAfter = `SELECT ` + executionColumns + ` FROM executions
		WHERE close_time = 0 AND (namespace_id, workflow_id, run_id) > (?1, ?2, ?3)
		ORDER BY namespace_id, workflow_id, run_id LIMIT ?4`
	// Batches never overlap, so the only batch that starts before fromEventID
	// (?3) and can reach into the range is the last one starting at or before
	// it; the subquery finds its start with one index probe, and the rest is
	// a range scan of the primary key.
	sqlReadEvents = `SELECT first_event_id, last_event_id, data FROM history
		WHERE namespace_id = ?1 AND run_id = ?2
		  AND first_event_id >= coalesce((SELECT max(first_event_id) FROM history
		      WHERE namespace_id = ?1 AND run_id = ?2 AND first_event_id <= ?3), ?3)
		  AND first_event_id < ?4
		  AND last_event_id >= ?3
		ORDER BY first_event_id`
)

// readSide runs reads. In memory mode every read holds gate, which the writer
// holds for each whole batch, because both share one connection.
type readSide struct {
	gate   *sync.Mutex
	stmts  readStatements
	closed bool // guarded by gate; only meaningful in memory mode
}

// preparer is what *sql.DB and *sql.Conn have in common here.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

func newReadSide(ctx context.Context, on preparer, gate *sync.Mutex) (*readSide, error) {
	rs := &readSide{gate: gate}
	st := &rs.stmts
	texts := []struct {
		stmt **sql.Stmt
		text string
	}{
		{&st.namespaceByName, sqlNamespaceByName},
		{&st.namespaceByID, sqlNamespaceByID},
		{&st.listNamespaces, sqlListNamespaces},
		{&st.execution, sqlExecution},
		{&st.current, sqlCurrent},
		{&st.openFromStart, sqlOpenFromStart},
		{&st.openAfter, sqlOpenAfter},
		{&st.events, sqlReadEvents},
	}
	for _, t := range texts {
		stmt, err := on.PrepareContext(ctx, t.text)
		if err != nil {
			rs.closeStatements()
			return nil, fmt.Errorf("preparing %q: %w", t.text, err)
		}
		*t.stmt = stmt
	}
	return rs, nil
}

// enter admits one read; the returned func ends it.
func (rs *readSide) enter() (func(), error) {
	if rs.gate == nil {
		return func() {}, nil
	}
	rs.gate.Lock()
	if rs.closed {
		rs.gate.Unlock()
		return nil, store.ErrClosed
	}
	return rs.gate.Unlock, nil
}

// close waits for reads in progress (memory mode) and closes the statements.
func (rs *readSide) close() error {
	if rs.gate != nil {
		rs.gate.Lock()
		defer rs.gate.Unlock()
		rs.closed = true
	}
	return rs.closeStatements()
}

func (rs *readSide) closeStatements() error {
	st := &rs.stmts
	var errs []error
	for _, stmt := range []*sql.Stmt{
		st.namespaceByName, st.namespaceByID, st.listNamespaces,
		st.execution, st.current, st.openFromStart, st.openAfter, st.events,
	} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	return errors.Join(errs...)
}

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

func scanNamespace(row rowScanner) (*store.Namespace, error) {
	ns := &store.Namespace{}
	if err := row.Scan(&ns.ID, &ns.Name, &ns.Data); err != nil {
		return nil, err
	}
	return ns, nil
}

func scanExecution(row rowScanner) (*store.Execution, error) {
	var (
		e                                   store.Execution
		status                              int64
		startTime, executionTime, closeTime int64
	)
	err := row.Scan(&e.NamespaceID, &e.WorkflowID, &e.RunID, &e.Version, &e.State,
		&e.WorkflowType, &e.TaskQueue, &status, &startTime, &executionTime, &closeTime,
		&e.HistoryLength, &e.Memo, &e.SearchAttributes)
	if err != nil {
		return nil, err
	}
	e.Status = int32(status)
	e.StartTime = store.TimeFromColumn(startTime)
	e.ExecutionTime = store.TimeFromColumn(executionTime)
	e.CloseTime = store.TimeFromColumn(closeTime)
	return &e, nil
}
