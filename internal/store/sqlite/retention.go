package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sundialdev/sundial/internal/store"
)

// DeleteClosedExecutions implements store.Store. The deletes run through the
// writer in one savepoint: a run disappears with all its rows or not at all.
func (s *Store) DeleteClosedExecutions(ctx context.Context, namespaceID string, cutoff time.Time, limit int) ([]store.ExecutionKey, error) {
	var deleted []store.ExecutionKey
	err := s.writer.submitExec(ctx, func(ctx context.Context, conn *sql.Conn) error {
		deleted = deleted[:0]
		rows, err := conn.QueryContext(ctx, `SELECT workflow_id, run_id FROM executions
			WHERE namespace_id = ?1 AND close_time > 0 AND close_time < ?2
			ORDER BY close_time LIMIT ?3`, namespaceID, store.TimeToColumn(cutoff), limit)
		if err != nil {
			return fmt.Errorf("finding expired runs: %w", interpretError(err, nil))
		}
		for rows.Next() {
			k := store.ExecutionKey{NamespaceID: namespaceID}
			if err := rows.Scan(&k.WorkflowID, &k.RunID); err != nil {
				rows.Close()
				return fmt.Errorf("finding expired runs: %w", err)
			}
			deleted = append(deleted, k)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("finding expired runs: %w", interpretError(err, nil))
		}
		for _, k := range deleted {
			if _, err := deleteRun(ctx, conn, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: delete closed executions: %w", err)
	}
	return deleted, nil
}

// EarliestCloseTime implements store.Store.
func (s *Store) EarliestCloseTime(ctx context.Context, namespaceID string) (time.Time, error) {
	return s.closeTimeBound(ctx, "min", namespaceID)
}

// LatestCloseTime implements store.Store.
func (s *Store) LatestCloseTime(ctx context.Context, namespaceID string) (time.Time, error) {
	return s.closeTimeBound(ctx, "max", namespaceID)
}

// closeTimeBound reads the min or max close time of a namespace's closed
// runs through the executions_closed index.
func (s *Store) closeTimeBound(ctx context.Context, fn, namespaceID string) (time.Time, error) {
	q, leave, err := s.visibilityReads()
	if err != nil {
		return time.Time{}, err
	}
	defer leave()
	rows, err := q.QueryContext(ctx, `SELECT `+fn+`(close_time) FROM executions WHERE namespace_id = ?1 AND close_time > 0`, namespaceID)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: %s close time: %w", fn, interpretError(err, nil))
	}
	defer rows.Close()
	var nanos sql.NullInt64
	if rows.Next() {
		if err := rows.Scan(&nanos); err != nil {
			return time.Time{}, fmt.Errorf("sqlite: %s close time: %w", fn, err)
		}
	}
	if err := rows.Err(); err != nil {
		return time.Time{}, fmt.Errorf("sqlite: %s close time: %w", fn, interpretError(err, nil))
	}
	return store.TimeFromColumn(nanos.Int64), nil
}

// DeleteExecution implements store.Store.
func (s *Store) DeleteExecution(ctx context.Context, key store.ExecutionKey) error {
	err := s.writer.submitExec(ctx, func(ctx context.Context, conn *sql.Conn) error {
		found, err := deleteRun(ctx, conn, key)
		if err == nil && !found {
			return store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete execution %s: %w", key.RunID, err)
	}
	return nil
}

// deleteRun removes a run's rows; it reports whether the run existed.
func deleteRun(ctx context.Context, conn *sql.Conn, k store.ExecutionKey) (bool, error) {
	var found bool
	for i, stmt := range []string{
		`DELETE FROM executions WHERE namespace_id = ?1 AND workflow_id = ?2 AND run_id = ?3`,
		`DELETE FROM history WHERE namespace_id = ?1 AND run_id = ?3`,
		`DELETE FROM current_executions WHERE namespace_id = ?1 AND workflow_id = ?2 AND run_id = ?3`,
	} {
		res, err := conn.ExecContext(ctx, stmt, k.NamespaceID, k.WorkflowID, k.RunID)
		if err != nil {
			return false, fmt.Errorf("deleting run %s: %w", k.RunID, interpretError(err, nil))
		}
		if i == 0 {
			n, _ := res.RowsAffected()
			found = n > 0
		}
	}
	return found, nil
}
