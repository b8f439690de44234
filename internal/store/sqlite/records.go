package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/sundialdev/sundial/internal/store"
)

// The record statements. Records are few and written rarely (a batch
// operation's progress), so they are built per call rather than prepared.
const (
	sqlInsertRecord = `INSERT INTO records (namespace_id, kind, id, version, data) VALUES (?1, ?2, ?3, ?4, ?5)`
	sqlUpdateRecord = `UPDATE records SET version = ?4, data = ?5
		WHERE namespace_id = ?1 AND kind = ?2 AND id = ?3 AND version = ?6`
	sqlDeleteRecord = `DELETE FROM records WHERE namespace_id = ?1 AND kind = ?2 AND id = ?3 AND version = ?4`
	sqlGetRecord    = `SELECT namespace_id, kind, id, version, data FROM records
		WHERE namespace_id = ?1 AND kind = ?2 AND id = ?3`
	sqlListRecords = `SELECT namespace_id, kind, id, version, data FROM records
		WHERE namespace_id = ?1 AND kind = ?2 AND id > ?3 ORDER BY id LIMIT ?4`
)

// writeRecord applies one record write inside the open transaction.
func (ws *writeStatements) writeRecord(ctx context.Context, w *store.RecordWrite) error {
	r := w.Record
	var (
		res sql.Result
		err error
	)
	switch {
	case w.Delete:
		res, err = ws.conn.ExecContext(ctx, sqlDeleteRecord, r.NamespaceID, r.Kind, r.ID, w.ExpectedVersion)
	case w.ExpectedVersion == 0:
		if _, err := ws.conn.ExecContext(ctx, sqlInsertRecord, r.NamespaceID, r.Kind, r.ID, 1, r.Data); err != nil {
			return fmt.Errorf("creating %s record %s/%s: %w", r.Kind, r.NamespaceID, r.ID, interpretError(err, store.ErrAlreadyExists))
		}
		return nil
	default:
		res, err = ws.conn.ExecContext(ctx, sqlUpdateRecord, r.NamespaceID, r.Kind, r.ID, w.ExpectedVersion+1, r.Data, w.ExpectedVersion)
	}
	if err := requireOneRow(res, err, store.ErrConflict); err != nil {
		return fmt.Errorf("writing %s record %s/%s at version %d: %w", r.Kind, r.NamespaceID, r.ID, w.ExpectedVersion, err)
	}
	return nil
}

// GetRecord implements store.Store.
func (s *Store) GetRecord(ctx context.Context, namespaceID, kind, id string) (*store.Record, error) {
	db, leave, err := s.visibilityReads()
	if err != nil {
		return nil, err
	}
	defer leave()
	rows, err := db.QueryContext(ctx, sqlGetRecord, namespaceID, kind, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: reading %s record %s/%s: %w", kind, namespaceID, id, interpretError(err, nil))
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sqlite: reading %s record %s/%s: %w", kind, namespaceID, id, interpretError(err, nil))
		}
		return nil, fmt.Errorf("sqlite: reading %s record %s/%s: %w", kind, namespaceID, id, store.ErrNotFound)
	}
	r, err := scanRecord(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: reading %s record %s/%s: %w", kind, namespaceID, id, err)
	}
	return r, nil
}

// ListRecords implements store.Store. limit must be positive.
func (s *Store) ListRecords(ctx context.Context, namespaceID, kind, afterID string, limit int) ([]*store.Record, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("sqlite: list records: limit must be positive, got %d", limit)
	}
	db, leave, err := s.visibilityReads()
	if err != nil {
		return nil, err
	}
	defer leave()
	rows, err := db.QueryContext(ctx, sqlListRecords, namespaceID, kind, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: listing %s records of %s: %w", kind, namespaceID, interpretError(err, nil))
	}
	defer rows.Close()
	var out []*store.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: listing %s records of %s: %w", kind, namespaceID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: listing %s records of %s: %w", kind, namespaceID, interpretError(err, nil))
	}
	return out, nil
}

func scanRecord(row rowScanner) (*store.Record, error) {
	r := &store.Record{}
	if err := row.Scan(&r.NamespaceID, &r.Kind, &r.ID, &r.Version, &r.Data); err != nil {
		return nil, err
	}
	return r, nil
}
