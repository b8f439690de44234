package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/sundialdev/sundial/internal/store"
)

// The record statements. A conditional write hands its row count to
// sundial_require_row, which fails the group's transaction when it is zero.
const (
	sqlInsertRecord = `INSERT INTO records (namespace_id, kind, id, version, data) VALUES ($1, $2, $3, 1, $4)`
	sqlUpdateRecord = `WITH u AS (UPDATE records SET version = $4, data = $5
			WHERE namespace_id = $1 AND kind = $2 AND id = $3 AND version = $6 RETURNING 1)
		SELECT sundial_require_row(count(*), '` + codeNoRowConflict + `') FROM u`
	sqlDeleteRecord = `WITH d AS (DELETE FROM records
			WHERE namespace_id = $1 AND kind = $2 AND id = $3 AND version = $4 RETURNING 1)
		SELECT sundial_require_row(count(*), '` + codeNoRowConflict + `') FROM d`
	sqlGetRecord = `SELECT namespace_id, kind, id, version, data FROM records
		WHERE namespace_id = $1 AND kind = $2 AND id = $3`
	sqlListRecords = `SELECT namespace_id, kind, id, version, data FROM records
		WHERE namespace_id = $1 AND kind = $2 AND id > $3 ORDER BY id LIMIT $4`
)

// queueRecord queues one record write of a transition.
func queueRecord(w *store.RecordWrite, add queueFunc) {
	r := w.Record
	describe := func(err error) error {
		onDuplicate := error(nil)
		if w.ExpectedVersion == 0 && !w.Delete {
			onDuplicate = store.ErrAlreadyExists
		}
		return fmt.Errorf("writing %s record %s/%s at version %d: %w", r.Kind, r.NamespaceID, r.ID, w.ExpectedVersion, interpretError(err, onDuplicate))
	}
	switch {
	case w.Delete:
		add(describe, sqlDeleteRecord, r.NamespaceID, r.Kind, r.ID, w.ExpectedVersion)
	case w.ExpectedVersion == 0:
		add(describe, sqlInsertRecord, r.NamespaceID, r.Kind, r.ID, r.Data)
	default:
		add(describe, sqlUpdateRecord, r.NamespaceID, r.Kind, r.ID, w.ExpectedVersion+1, r.Data, w.ExpectedVersion)
	}
}

// GetRecord implements store.Store.
func (s *Store) GetRecord(ctx context.Context, namespaceID, kind, id string) (*store.Record, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	r, err := scanRecord(s.pool.QueryRow(ctx, sqlGetRecord, namespaceID, kind, id))
	if err != nil {
		return nil, fmt.Errorf("postgres: reading %s record %s/%s: %w", kind, namespaceID, id, interpretError(err, nil))
	}
	return r, nil
}

// ListRecords implements store.Store. limit must be positive.
func (s *Store) ListRecords(ctx context.Context, namespaceID, kind, afterID string, limit int) ([]*store.Record, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("postgres: list records: limit must be positive, got %d", limit)
	}
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, sqlListRecords, namespaceID, kind, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: listing %s records of %s: %w", kind, namespaceID, interpretError(err, nil))
	}
	defer rows.Close()
	var out []*store.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: listing %s records of %s: %w", kind, namespaceID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: listing %s records of %s: %w", kind, namespaceID, interpretError(err, nil))
	}
	return out, nil
}

func scanRecord(row pgx.Row) (*store.Record, error) {
	r := &store.Record{}
	if err := row.Scan(&r.NamespaceID, &r.Kind, &r.ID, &r.Version, &r.Data); err != nil {
		return nil, err
	}
	return r, nil
}
