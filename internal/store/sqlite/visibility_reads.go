package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/visibility"
)

// listColumns are the execution columns a listing returns: all but state,
// of which only the parent (a JSON object, NULL on runs without one) is read;
// a state that is not JSON (only tests write such) has none.
const listColumns = `namespace_id, workflow_id, run_id, version,
	workflow_type, task_queue, status, start_time, execution_time, close_time,
	history_length, memo, search_attributes,
	CASE WHEN json_valid(CAST(state AS TEXT)) THEN CAST(state AS TEXT) -> '$.Parent' END`

// querier is what *sql.DB and *sql.Conn offer for ad hoc reads.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// visibilityReads returns where visibility queries run (the read pool, or
// the shared connection in memory mode) and admits the read; the returned
// func ends it. Visibility statements are built per query, so they are not
// prepared.
func (s *Store) visibilityReads() (querier, func(), error) {
	leave, err := s.enterRead()
	if err != nil {
		return nil, nil, err
	}
	if s.conns.memory {
		return s.conns.write, leave, nil
	}
	return s.conns.readDB, leave, nil
}

// ListExecutions implements store.Store.
func (s *Store) ListExecutions(ctx context.Context, p *store.ListExecutionsParams) (*store.ListExecutionsPage, error) {
	if p == nil || p.PageSize <= 0 {
		return nil, errors.New("sqlite: list executions: page size must be positive")
	}
	// One row more than asked tells whether another page exists.
	stmt, err := visibility.Select(visibility.SQLite{}, listColumns, p.NamespaceID, p.Query, p.After, p.PageSize+1)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list executions: %w", err)
	}
	q, leave, err := s.visibilityReads()
	if err != nil {
		return nil, err
	}
	defer leave()
	rows, err := q.QueryContext(ctx, stmt.Text, stmt.Args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list executions: %w", interpretError(err, nil))
	}
	defer rows.Close()
	page := &store.ListExecutionsPage{}
	var lastKeys []any
	for rows.Next() {
		if len(page.Executions) == p.PageSize {
			if page.Next, err = visibility.NewCursor(lastKeys); err != nil {
				return nil, fmt.Errorf("sqlite: list executions: %w", err)
			}
			break
		}
		e, keys, err := scanListedExecution(rows, stmt.SortKeys)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list executions: %w", err)
		}
		page.Executions = append(page.Executions, e)
		lastKeys = keys
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list executions: %w", interpretError(err, nil))
	}
	return page, nil
}

// scanListedExecution reads listColumns followed by sortKeys sort values.
func scanListedExecution(rows *sql.Rows, sortKeys int) (*store.Execution, []any, error) {
	var (
		e                                   store.Execution
		status                              int64
		startTime, executionTime, closeTime int64
		parent                              sql.NullString
	)
	keys := make([]any, sortKeys)
	dest := []any{&e.NamespaceID, &e.WorkflowID, &e.RunID, &e.Version,
		&e.WorkflowType, &e.TaskQueue, &status, &startTime, &executionTime, &closeTime,
		&e.HistoryLength, &e.Memo, &e.SearchAttributes, &parent}
	for i := range keys {
		dest = append(dest, &keys[i])
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, nil, err
	}
	if parent.Valid && parent.String != "" {
		e.Parent = &store.Lineage{}
		if err := json.Unmarshal([]byte(parent.String), e.Parent); err != nil {
			return nil, nil, fmt.Errorf("reading the parent of %s/%s: %w", e.WorkflowID, e.RunID, err)
		}
	}
	e.Status = int32(status)
	e.StartTime = store.TimeFromColumn(startTime)
	e.ExecutionTime = store.TimeFromColumn(executionTime)
	e.CloseTime = store.TimeFromColumn(closeTime)
	return &e, keys, nil
}

// CountExecutions implements store.Store.
func (s *Store) CountExecutions(ctx context.Context, namespaceID string, query *visibility.Query) (int64, error) {
	stmt := visibility.Count(visibility.SQLite{}, namespaceID, query)
	q, leave, err := s.visibilityReads()
	if err != nil {
		return 0, err
	}
	defer leave()
	rows, err := q.QueryContext(ctx, stmt.Text, stmt.Args...)
	if err != nil {
		return 0, fmt.Errorf("sqlite: count executions: %w", interpretError(err, nil))
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("sqlite: count executions: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("sqlite: count executions: %w", interpretError(err, nil))
	}
	return n, nil
}

// CountExecutionsGroupByStatus implements store.Store.
func (s *Store) CountExecutionsGroupByStatus(ctx context.Context, namespaceID string, query *visibility.Query) ([]store.StatusCount, error) {
	stmt := visibility.CountByStatus(visibility.SQLite{}, namespaceID, query)
	q, leave, err := s.visibilityReads()
	if err != nil {
		return nil, err
	}
	defer leave()
	rows, err := q.QueryContext(ctx, stmt.Text, stmt.Args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: count executions by status: %w", interpretError(err, nil))
	}
	defer rows.Close()
	var out []store.StatusCount
	for rows.Next() {
		var c store.StatusCount
		if err := rows.Scan(&c.Status, &c.Count); err != nil {
			return nil, fmt.Errorf("sqlite: count executions by status: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: count executions by status: %w", interpretError(err, nil))
	}
	return out, nil
}
