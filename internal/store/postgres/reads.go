package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/sundialdev/sundial/internal/store"
)

// The read queries.
const (
	sqlNamespaceByName = `SELECT id, name, data FROM namespaces WHERE name = $1`
	sqlNamespaceByID   = `SELECT id, name, data FROM namespaces WHERE id = $1`
	sqlListNamespaces  = `SELECT id, name, data FROM namespaces WHERE name > $1 ORDER BY name LIMIT $2`
	sqlExecution       = `SELECT ` + executionColumns + ` FROM executions
		WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $3`
	sqlCurrent = `SELECT run_id FROM current_executions WHERE namespace_id = $1 AND workflow_id = $2`
	// The open-runs scans walk the partial index executions_open.
	sqlOpenFromStart = `SELECT ` + executionColumns + ` FROM executions
		WHERE close_time = 0
		ORDER BY namespace_id, workflow_id, run_id LIMIT $1`
	sqlOpenAfter = `SELECT ` + executionColumns + ` FROM executions
		WHERE close_time = 0 AND (namespace_id, workflow_id, run_id) > ($1, $2, $3)
		ORDER BY namespace_id, workflow_id, run_id LIMIT $4`
	// The open-runs-by-queue scans walk the partial index executions_open_queue.
	sqlOpenOnQueueFromStart = `SELECT ` + executionColumns + ` FROM executions
		WHERE close_time = 0 AND namespace_id = $1 AND task_queue = $2
		ORDER BY workflow_id, run_id LIMIT $3`
	sqlOpenOnQueueAfter = `SELECT ` + executionColumns + ` FROM executions
		WHERE close_time = 0 AND namespace_id = $1 AND task_queue = $2 AND (workflow_id, run_id) > ($3, $4)
		ORDER BY workflow_id, run_id LIMIT $5`
	// Batches never overlap, so the only batch that starts before
	// fromEventID ($3) and can reach into the range is the last one starting
	// at or before it; the subquery finds its start with one index probe.
	sqlReadEvents = `SELECT first_event_id, last_event_id, data FROM history
		WHERE namespace_id = $1 AND run_id = $2
		  AND first_event_id >= coalesce((SELECT max(first_event_id) FROM history
		      WHERE namespace_id = $1 AND run_id = $2 AND first_event_id <= $3), $3)
		  AND first_event_id < $4
		  AND last_event_id >= $3
		ORDER BY first_event_id`
)

func scanNamespace(row pgx.Row) (*store.Namespace, error) {
	ns := &store.Namespace{}
	if err := row.Scan(&ns.ID, &ns.Name, &ns.Data); err != nil {
		return nil, err
	}
	return ns, nil
}

func scanExecution(row pgx.Row) (*store.Execution, error) {
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

// GetNamespaceByName implements store.Store.
func (s *Store) GetNamespaceByName(ctx context.Context, name string) (*store.Namespace, error) {
	return s.getNamespace(ctx, sqlNamespaceByName, "name", name)
}

// GetNamespaceByID implements store.Store.
func (s *Store) GetNamespaceByID(ctx context.Context, id string) (*store.Namespace, error) {
	return s.getNamespace(ctx, sqlNamespaceByID, "id", id)
}

func (s *Store) getNamespace(ctx context.Context, query, by, value string) (*store.Namespace, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	ns, err := scanNamespace(s.pool.QueryRow(ctx, query, value))
	if err != nil {
		return nil, fmt.Errorf("postgres: reading namespace with %s %q: %w", by, value, interpretError(err, nil))
	}
	return ns, nil
}

// ListNamespaces implements store.Store. limit must be positive.
func (s *Store) ListNamespaces(ctx context.Context, afterName string, limit int) ([]*store.Namespace, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("postgres: list namespaces: limit must be positive, got %d", limit)
	}
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, sqlListNamespaces, afterName, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: listing namespaces: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*store.Namespace, error) { return scanNamespace(row) })
	if err != nil {
		return nil, fmt.Errorf("postgres: listing namespaces: %w", err)
	}
	return out, nil
}

// GetExecution implements store.Store.
func (s *Store) GetExecution(ctx context.Context, key store.ExecutionKey) (*store.Execution, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	e, err := scanExecution(s.pool.QueryRow(ctx, sqlExecution, key.NamespaceID, key.WorkflowID, key.RunID))
	if err != nil {
		return nil, fmt.Errorf("postgres: reading execution %s/%s/%s: %w",
			key.NamespaceID, key.WorkflowID, key.RunID, interpretError(err, nil))
	}
	return e, nil
}

// GetCurrentExecution implements store.Store.
func (s *Store) GetCurrentExecution(ctx context.Context, namespaceID, workflowID string) (*store.CurrentExecution, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	c := &store.CurrentExecution{NamespaceID: namespaceID, WorkflowID: workflowID}
	if err := s.pool.QueryRow(ctx, sqlCurrent, namespaceID, workflowID).Scan(&c.RunID); err != nil {
		return nil, fmt.Errorf("postgres: reading current run of %s/%s: %w", namespaceID, workflowID, interpretError(err, nil))
	}
	return c, nil
}

// ListOpenExecutions implements store.Store. limit must be positive.
func (s *Store) ListOpenExecutions(ctx context.Context, after *store.ExecutionKey, limit int) (*store.OpenExecutionsPage, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("postgres: list open executions: limit must be positive, got %d", limit)
	}
	// One row more than asked tells whether another page exists.
	probe := limit + 1
	query, args := sqlOpenFromStart, []any{probe}
	if after != nil {
		query, args = sqlOpenAfter, []any{after.NamespaceID, after.WorkflowID, after.RunID, probe}
	}
	page, err := s.openPage(ctx, limit, query, args)
	if err != nil {
		return nil, fmt.Errorf("postgres: listing open executions: %w", err)
	}
	return page, nil
}

// ListOpenExecutionsOnQueue implements store.Store.
func (s *Store) ListOpenExecutionsOnQueue(ctx context.Context, namespaceID, taskQueue string, after *store.ExecutionKey, limit int) (*store.OpenExecutionsPage, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("postgres: list open executions on a queue: limit must be positive, got %d", limit)
	}
	probe := limit + 1
	query, args := sqlOpenOnQueueFromStart, []any{namespaceID, taskQueue, probe}
	if after != nil {
		query, args = sqlOpenOnQueueAfter, []any{namespaceID, taskQueue, after.WorkflowID, after.RunID, probe}
	}
	page, err := s.openPage(ctx, limit, query, args)
	if err != nil {
		return nil, fmt.Errorf("postgres: listing open executions on queue %q: %w", taskQueue, err)
	}
	return page, nil
}

// openPage runs a scan asking for limit+1 rows and returns the first limit,
// with Next set when the extra row came.
func (s *Store) openPage(ctx context.Context, limit int, query string, args []any) (*store.OpenExecutionsPage, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	found, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*store.Execution, error) { return scanExecution(row) })
	if err != nil {
		return nil, err
	}
	page := &store.OpenExecutionsPage{Executions: found}
	if len(found) > limit {
		page.Executions = found[:limit]
		last := found[limit-1]
		page.Next = &store.ExecutionKey{NamespaceID: last.NamespaceID, WorkflowID: last.WorkflowID, RunID: last.RunID}
	}
	return page, nil
}

// ReadEvents implements store.Store.
func (s *Store) ReadEvents(ctx context.Context, namespaceID, runID string, fromEventID, toEventID int64) ([]store.EventBatch, error) {
	if toEventID <= fromEventID {
		return nil, nil
	}
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, sqlReadEvents, namespaceID, runID, fromEventID, toEventID)
	if err != nil {
		return nil, fmt.Errorf("postgres: reading events of %s/%s: %w", namespaceID, runID, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.EventBatch, error) {
		b := store.EventBatch{NamespaceID: namespaceID, RunID: runID}
		err := row.Scan(&b.FirstEventID, &b.LastEventID, &b.Data)
		return b, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: reading events of %s/%s: %w", namespaceID, runID, err)
	}
	return out, nil
}
