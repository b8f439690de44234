package sqlite

import (
	"context"
	"fmt"

	"github.com/sundialdev/sundial/internal/store"
)

// The open-runs-by-queue scans walk the partial index executions_open_queue.
const (
	sqlOpenOnQueueFromStart = `SELECT ` + executionColumns + ` FROM executions
		WHERE close_time = 0 AND namespace_id = ?1 AND task_queue = ?2
		ORDER BY workflow_id, run_id LIMIT ?3`
	sqlOpenOnQueueAfter = `SELECT ` + executionColumns + ` FROM executions
		WHERE close_time = 0 AND namespace_id = ?1 AND task_queue = ?2 AND (workflow_id, run_id) > (?3, ?4)
		ORDER BY workflow_id, run_id LIMIT ?5`
)

// ListOpenExecutionsOnQueue implements store.Store.
func (s *Store) ListOpenExecutionsOnQueue(ctx context.Context, namespaceID, taskQueue string, after *store.ExecutionKey, limit int) (*store.OpenExecutionsPage, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("sqlite: list open executions on a queue: limit must be positive, got %d", limit)
	}
	// Built per call rather than prepared: the scan runs only while a queue
	// has spilled, so it is rare.
	db, leave, err := s.visibilityReads()
	if err != nil {
		return nil, err
	}
	defer leave()
	// One row more than asked tells whether another page exists.
	probe := limit + 1
	var text string
	args := []any{namespaceID, taskQueue}
	if after == nil {
		text = sqlOpenOnQueueFromStart
		args = append(args, probe)
	} else {
		text = sqlOpenOnQueueAfter
		args = append(args, after.WorkflowID, after.RunID, probe)
	}
	rows, err := db.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: listing open executions on queue %q: %w", taskQueue, interpretError(err, nil))
	}
	defer rows.Close()
	page := &store.OpenExecutionsPage{}
	for rows.Next() {
		if len(page.Executions) == limit {
			last := page.Executions[limit-1]
			page.Next = &store.ExecutionKey{NamespaceID: last.NamespaceID, WorkflowID: last.WorkflowID, RunID: last.RunID}
			break
		}
		e, err := scanExecution(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: listing open executions on queue %q: %w", taskQueue, err)
		}
		page.Executions = append(page.Executions, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: listing open executions on queue %q: %w", taskQueue, interpretError(err, nil))
	}
	return page, nil
}
