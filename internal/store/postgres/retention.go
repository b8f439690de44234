package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sundialdev/sundial/internal/store"
)

// retentionChunk is the most runs one retention transaction deletes: a
// sweep of any size is a series of short transactions, each holding its
// rows' locks for milliseconds.
const retentionChunk = 100

// sqlDeleteExpired deletes the oldest closed runs of a namespace, with their
// history, search-attribute rows and current-run pointers, in one statement
// (one implicit transaction), and returns their keys and close times.
const sqlDeleteExpired = `WITH doomed AS (
		SELECT workflow_id, run_id FROM executions
		WHERE namespace_id = $1 AND close_time > 0 AND close_time < $2
		ORDER BY close_time LIMIT $3
	), runs AS (
		DELETE FROM executions e USING doomed d
		WHERE e.namespace_id = $1 AND e.workflow_id = d.workflow_id AND e.run_id = d.run_id
		RETURNING e.workflow_id, e.run_id, e.close_time
	), events AS (
		DELETE FROM history h USING runs r WHERE h.namespace_id = $1 AND h.run_id = r.run_id
	), attrs AS (
		DELETE FROM search_attribute_values v USING runs r
		WHERE v.namespace_id = $1 AND v.workflow_id = r.workflow_id AND v.run_id = r.run_id
	), pointers AS (
		DELETE FROM current_executions c USING runs r
		WHERE c.namespace_id = $1 AND c.workflow_id = r.workflow_id AND c.run_id = r.run_id
	)
	SELECT workflow_id, run_id, close_time FROM runs`

// sqlDeleteRun is sqlDeleteExpired for one named run.
const sqlDeleteRun = `WITH runs AS (
		DELETE FROM executions WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $3
		RETURNING workflow_id, run_id
	), events AS (
		DELETE FROM history h USING runs r WHERE h.namespace_id = $1 AND h.run_id = r.run_id
	), attrs AS (
		DELETE FROM search_attribute_values v USING runs r
		WHERE v.namespace_id = $1 AND v.workflow_id = r.workflow_id AND v.run_id = r.run_id
	), pointers AS (
		DELETE FROM current_executions c USING runs r
		WHERE c.namespace_id = $1 AND c.workflow_id = r.workflow_id AND c.run_id = r.run_id
	)
	SELECT count(*) FROM runs`

// DeleteClosedExecutions implements store.Store. It deletes in transactions
// of at most retentionChunk runs; each run goes with all its rows or not at
// all. Like every write, each is fenced by the store's lease, if any.
func (s *Store) DeleteClosedExecutions(ctx context.Context, namespaceID string, cutoff time.Time, limit int) ([]store.ExecutionKey, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	var deleted []store.ExecutionKey
	for len(deleted) < limit {
		chunk := min(limit-len(deleted), retentionChunk)
		keys, err := s.deleteExpiredChunk(ctx, namespaceID, cutoff, chunk)
		if err != nil {
			return deleted, fmt.Errorf("postgres: delete closed executions: %w", err)
		}
		deleted = append(deleted, keys...)
		if len(keys) < chunk {
			break
		}
	}
	return deleted, nil
}

func (s *Store) deleteExpiredChunk(ctx context.Context, namespaceID string, cutoff time.Time, limit int) ([]store.ExecutionKey, error) {
	type expired struct {
		key       store.ExecutionKey
		closeTime int64
	}
	var found []expired
	err := s.fence.inTx(ctx, s, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sqlDeleteExpired, namespaceID, store.TimeToColumn(cutoff), limit)
		if err != nil {
			return err
		}
		found, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (expired, error) {
			x := expired{key: store.ExecutionKey{NamespaceID: namespaceID}}
			err := row.Scan(&x.key.WorkflowID, &x.key.RunID, &x.closeTime)
			return x, err
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	// RETURNING has no order; the contract is oldest first.
	slices.SortStableFunc(found, func(a, b expired) int {
		switch {
		case a.closeTime < b.closeTime:
			return -1
		case a.closeTime > b.closeTime:
			return 1
		}
		return 0
	})
	keys := make([]store.ExecutionKey, len(found))
	for i, x := range found {
		keys[i] = x.key
	}
	return keys, nil
}

// DeleteExecution implements store.Store.
func (s *Store) DeleteExecution(ctx context.Context, key store.ExecutionKey) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	var n int64
	err := s.fence.inTx(ctx, s, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, sqlDeleteRun, key.NamespaceID, key.WorkflowID, key.RunID).Scan(&n)
	})
	if err != nil {
		return fmt.Errorf("postgres: delete execution %s: %w", key.RunID, err)
	}
	if n == 0 {
		return fmt.Errorf("postgres: delete execution %s: %w", key.RunID, store.ErrNotFound)
	}
	return nil
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
	if err := s.checkOpen(); err != nil {
		return time.Time{}, err
	}
	var nanos *int64
	err := s.pool.QueryRow(ctx, `SELECT `+fn+`(close_time) FROM executions WHERE namespace_id = $1 AND close_time > 0`, namespaceID).Scan(&nanos)
	if err != nil {
		return time.Time{}, fmt.Errorf("postgres: %s close time: %w", fn, err)
	}
	if nanos == nil {
		return time.Time{}, nil
	}
	return store.TimeFromColumn(*nanos), nil
}
