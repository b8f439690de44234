package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/visibility"
)

// listColumns are the execution columns a listing returns: all but state,
// of which only the parent (a JSON object, NULL on runs without one) is read.
const listColumns = `namespace_id, workflow_id, run_id, version,
	workflow_type, task_queue, status, start_time, execution_time, close_time,
	history_length, memo, search_attributes,
	(` + visibility.PostgreSQLStateFunction + `(state) -> 'Parent')::text`

// ListExecutions implements store.Store.
func (s *Store) ListExecutions(ctx context.Context, p *store.ListExecutionsParams) (*store.ListExecutionsPage, error) {
	if p == nil || p.PageSize <= 0 {
		return nil, errors.New("postgres: list executions: page size must be positive")
	}
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	// One row more than asked tells whether another page exists.
	stmt, err := visibility.Select(visibility.PostgreSQL{}, listColumns, p.NamespaceID, p.Query, p.After, p.PageSize+1)
	if err != nil {
		return nil, fmt.Errorf("postgres: list executions: %w", err)
	}
	rows, err := s.pool.Query(ctx, stmt.Text, stmt.Args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list executions: %w", err)
	}
	defer rows.Close()
	page := &store.ListExecutionsPage{}
	var lastKeys []any
	for rows.Next() {
		if len(page.Executions) == p.PageSize {
			if page.Next, err = visibility.NewCursor(lastKeys); err != nil {
				return nil, fmt.Errorf("postgres: list executions: %w", err)
			}
			break
		}
		e, keys, err := scanListedExecution(rows, stmt.SortKeys)
		if err != nil {
			return nil, fmt.Errorf("postgres: list executions: %w", err)
		}
		page.Executions = append(page.Executions, e)
		lastKeys = keys
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list executions: %w", err)
	}
	return page, nil
}

// scanListedExecution reads listColumns followed by sortKeys sort values
// (bigint or text, which pgx returns as int64 or string).
func scanListedExecution(rows pgx.Rows, sortKeys int) (*store.Execution, []any, error) {
	var (
		e                                   store.Execution
		status                              int64
		startTime, executionTime, closeTime int64
		parent                              *string
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
	if parent != nil && *parent != "" && *parent != "null" {
		e.Parent = &store.Lineage{}
		if err := json.Unmarshal([]byte(*parent), e.Parent); err != nil {
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
	if err := s.checkOpen(); err != nil {
		return 0, err
	}
	stmt := visibility.Count(visibility.PostgreSQL{}, namespaceID, query)
	var n int64
	if err := s.pool.QueryRow(ctx, stmt.Text, stmt.Args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count executions: %w", err)
	}
	return n, nil
}

// CountExecutionsGroupByStatus implements store.Store.
func (s *Store) CountExecutionsGroupByStatus(ctx context.Context, namespaceID string, query *visibility.Query) ([]store.StatusCount, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	stmt := visibility.CountByStatus(visibility.PostgreSQL{}, namespaceID, query)
	rows, err := s.pool.Query(ctx, stmt.Text, stmt.Args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: count executions by status: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.StatusCount, error) {
		var (
			c      store.StatusCount
			status int64
		)
		err := row.Scan(&status, &c.Count)
		c.Status = int32(status)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: count executions by status: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
