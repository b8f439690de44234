package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/sundialdev/sundial/internal/store"
)

// writeStatements are the writer connection's prepared statements.
type writeStatements struct {
	conn                             *sql.Conn
	begin, commit, rollback          *sql.Stmt
	savepoint, release, rollbackTo   *sql.Stmt
	insertNamespace, updateNamespace *sql.Stmt
	insertExecution, updateExecution *sql.Stmt
	updateExecutionState             *sql.Stmt
	insertCurrent, moveCurrent       *sql.Stmt
	insertEvents                     *sql.Stmt
}

// executionColumns is the column order both execution statements bind:
// ?1..?3 key, ?4 version, ?5.. the rest.
const executionColumns = `namespace_id, workflow_id, run_id, version, state,
	workflow_type, task_queue, status, start_time, execution_time, close_time,
	history_length, memo, search_attributes`

func prepareWriteStatements(ctx context.Context, conn *sql.Conn) (*writeStatements, error) {
	ws := &writeStatements{conn: conn}
	texts := []struct {
		stmt **sql.Stmt
		text string
	}{
		{&ws.begin, `BEGIN IMMEDIATE`},
		{&ws.commit, `COMMIT`},
		{&ws.rollback, `ROLLBACK`},
		{&ws.savepoint, `SAVEPOINT transition`},
		{&ws.release, `RELEASE transition`},
		{&ws.rollbackTo, `ROLLBACK TO transition`},
		{&ws.insertNamespace, `INSERT INTO namespaces (id, name, data) VALUES (?1, ?2, ?3)`},
		{&ws.updateNamespace, `UPDATE namespaces SET data = ?2, name = ?3 WHERE id = ?1`},
		{&ws.insertExecution, `INSERT INTO executions (` + executionColumns + `)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)`},
		{&ws.updateExecution, `UPDATE executions SET version = ?4, state = ?5,
			workflow_type = ?6, task_queue = ?7, status = ?8, start_time = ?9,
			execution_time = ?10, close_time = ?11, history_length = ?12, memo = ?13,
			search_attributes = ?14
			WHERE namespace_id = ?1 AND workflow_id = ?2 AND run_id = ?3 AND version = ?15`},
		// Sets no indexed column, so SQLite leaves every index and the
		// search-attribute trigger alone: one table page changes.
		{&ws.updateExecutionState, `UPDATE executions SET version = ?4, state = ?5, history_length = ?6
			WHERE namespace_id = ?1 AND workflow_id = ?2 AND run_id = ?3 AND version = ?7`},
		{&ws.insertCurrent, `INSERT INTO current_executions (namespace_id, workflow_id, run_id)
			VALUES (?1, ?2, ?3)`},
		{&ws.moveCurrent, `UPDATE current_executions SET run_id = ?3
			WHERE namespace_id = ?1 AND workflow_id = ?2 AND run_id = ?4`},
		{&ws.insertEvents, `INSERT INTO history (namespace_id, run_id, first_event_id, last_event_id, data)
			VALUES (?1, ?2, ?3, ?4, ?5)`},
	}
	for _, t := range texts {
		stmt, err := conn.PrepareContext(ctx, t.text)
		if err != nil {
			ws.close()
			return nil, fmt.Errorf("preparing %q: %w", t.text, err)
		}
		*t.stmt = stmt
	}
	return ws, nil
}

func (ws *writeStatements) close() error {
	var errs []error
	for _, stmt := range []*sql.Stmt{
		ws.begin, ws.commit, ws.rollback, ws.savepoint, ws.release, ws.rollbackTo,
		ws.insertNamespace, ws.updateNamespace, ws.insertExecution, ws.updateExecution, ws.updateExecutionState,
		ws.insertCurrent, ws.moveCurrent, ws.insertEvents,
	} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	return errors.Join(errs...)
}

// applyRequest performs one request's statements inside the open
// transaction. It does not manage the savepoint around them.
func (ws *writeStatements) applyRequest(ctx context.Context, r *writeRequest) error {
	switch r.kind {
	case requestCreateNamespace:
		return ws.createNamespace(ctx, r.namespace)
	case requestUpdateNamespace:
		return ws.updateNamespaceData(ctx, r.namespace)
	case requestExec:
		return r.exec(ctx, ws.conn)
	default:
		return ws.applyTransition(ctx, r.transition)
	}
}

func (ws *writeStatements) createNamespace(ctx context.Context, ns *store.Namespace) error {
	_, err := ws.insertNamespace.ExecContext(ctx, ns.ID, ns.Name, ns.Data)
	if err != nil {
		return fmt.Errorf("inserting namespace %q (%s): %w", ns.Name, ns.ID, interpretError(err, store.ErrAlreadyExists))
	}
	return nil
}

func (ws *writeStatements) updateNamespaceData(ctx context.Context, ns *store.Namespace) error {
	res, err := ws.updateNamespace.ExecContext(ctx, ns.ID, ns.Data, ns.Name)
	if err != nil {
		return fmt.Errorf("updating namespace %s: %w", ns.ID, interpretError(err, store.ErrAlreadyExists))
	}
	if err := requireOneRow(res, nil, store.ErrNotFound); err != nil {
		return fmt.Errorf("updating namespace %s: %w", ns.ID, err)
	}
	return nil
}

func (ws *writeStatements) applyTransition(ctx context.Context, t *store.Transition) error {
	for i := range t.Executions {
		if err := ws.writeExecution(ctx, &t.Executions[i]); err != nil {
			return err
		}
	}
	for i := range t.Events {
		if err := ws.appendEvents(ctx, &t.Events[i]); err != nil {
			return err
		}
	}
	if t.Current != nil {
		if err := ws.moveCurrentPointer(ctx, t.Current); err != nil {
			return err
		}
	}
	for i := range t.Records {
		if err := ws.writeRecord(ctx, &t.Records[i]); err != nil {
			return err
		}
	}
	return nil
}

func (ws *writeStatements) writeExecution(ctx context.Context, w *store.ExecutionWrite) error {
	e := w.Execution
	args := [...]any{
		e.NamespaceID, e.WorkflowID, e.RunID, w.ExpectedVersion + 1, e.State,
		e.WorkflowType, e.TaskQueue, int64(e.Status),
		store.TimeToColumn(e.StartTime), store.TimeToColumn(e.ExecutionTime), store.TimeToColumn(e.CloseTime),
		e.HistoryLength, e.Memo, e.SearchAttributes,
		w.ExpectedVersion,
	}
	if w.ExpectedVersion == 0 {
		if _, err := ws.insertExecution.ExecContext(ctx, args[:14]...); err != nil {
			return fmt.Errorf("creating execution %s/%s/%s: %w",
				e.NamespaceID, e.WorkflowID, e.RunID, interpretError(err, store.ErrAlreadyExists))
		}
		return nil
	}
	var res sql.Result
	var err error
	if w.StateOnly {
		res, err = ws.updateExecutionState.ExecContext(ctx, e.NamespaceID, e.WorkflowID, e.RunID,
			w.ExpectedVersion+1, e.State, e.HistoryLength, w.ExpectedVersion)
	} else {
		res, err = ws.updateExecution.ExecContext(ctx, args[:]...)
	}
	if err := requireOneRow(res, err, store.ErrConflict); err != nil {
		return fmt.Errorf("updating execution %s/%s/%s at version %d: %w",
			e.NamespaceID, e.WorkflowID, e.RunID, w.ExpectedVersion, err)
	}
	return nil
}

func (ws *writeStatements) appendEvents(ctx context.Context, b *store.EventBatch) error {
	_, err := ws.insertEvents.ExecContext(ctx, b.NamespaceID, b.RunID, b.FirstEventID, b.LastEventID, b.Data)
	if err != nil {
		return fmt.Errorf("appending events %d-%d of run %s/%s: %w",
			b.FirstEventID, b.LastEventID, b.NamespaceID, b.RunID, interpretError(err, store.ErrConflict))
	}
	return nil
}

// moveCurrentPointer performs the compare-and-set on the current-run pointer
// in one statement: an insert that collides when a pointer exists, or an
// update conditioned on the expected run.
func (ws *writeStatements) moveCurrentPointer(ctx context.Context, cw *store.CurrentWrite) error {
	c := cw.Current
	if cw.ExpectedRunID == "" {
		if _, err := ws.insertCurrent.ExecContext(ctx, c.NamespaceID, c.WorkflowID, c.RunID); err != nil {
			return fmt.Errorf("creating current run of %s/%s: %w",
				c.NamespaceID, c.WorkflowID, interpretError(err, store.ErrConflict))
		}
		return nil
	}
	res, err := ws.moveCurrent.ExecContext(ctx, c.NamespaceID, c.WorkflowID, c.RunID, cw.ExpectedRunID)
	if err := requireOneRow(res, err, store.ErrConflict); err != nil {
		return fmt.Errorf("moving current run of %s/%s from %s: %w",
			c.NamespaceID, c.WorkflowID, cw.ExpectedRunID, err)
	}
	return nil
}

// requireOneRow turns a conditional statement that matched no row into
// onNoRow.
func requireOneRow(res sql.Result, err error, onNoRow error) error {
	if err != nil {
		return interpretError(err, nil)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("reading affected rows: %w", err)
	}
	if n == 0 {
		return onNoRow
	}
	return nil
}
