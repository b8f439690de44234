package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/sundialdev/sundial/internal/store"
)

// Registry writes are rare administrative changes; each runs as its own
// short transaction on the pool, beside the group commits, fenced like
// them.

// AddSearchAttributes implements store.Store. Every name is inserted, or
// found with its type, in one transaction; the first name registered with
// another type fails it all.
func (s *Store) AddSearchAttributes(ctx context.Context, namespaceID string, attrs []store.SearchAttribute) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	err := s.fence.inTx(ctx, s, func(tx pgx.Tx) error {
		for _, a := range attrs {
			var current int32
			// The no-op update makes the row come back (and locked) whether
			// it was inserted or already there.
			err := tx.QueryRow(ctx, `INSERT INTO search_attributes (namespace_id, name, type) VALUES ($1, $2, $3)
				ON CONFLICT (namespace_id, name) DO UPDATE SET type = search_attributes.type
				RETURNING type`, namespaceID, a.Name, a.Type).Scan(&current)
			if err != nil {
				return fmt.Errorf("registering %q: %w", a.Name, err)
			}
			if current != a.Type {
				return fmt.Errorf("%q is registered with type %d, not %d: %w", a.Name, current, a.Type, store.ErrConflict)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: adding search attributes to namespace %s: %w", namespaceID, err)
	}
	return nil
}

// RemoveSearchAttributes implements store.Store.
func (s *Store) RemoveSearchAttributes(ctx context.Context, namespaceID string, names []string) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	err := s.fence.inTx(ctx, s, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM search_attributes WHERE namespace_id = $1 AND name = ANY($2)`, namespaceID, names)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: removing search attributes from namespace %s: %w", namespaceID, err)
	}
	return nil
}

// ListSearchAttributes implements store.Store.
func (s *Store) ListSearchAttributes(ctx context.Context, namespaceID string) ([]store.SearchAttribute, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT name, type FROM search_attributes WHERE namespace_id = $1 ORDER BY name`, namespaceID)
	if err != nil {
		return nil, fmt.Errorf("postgres: listing search attributes of namespace %s: %w", namespaceID, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.SearchAttribute, error) {
		var a store.SearchAttribute
		err := row.Scan(&a.Name, &a.Type)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: listing search attributes of namespace %s: %w", namespaceID, err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
