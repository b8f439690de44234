package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/sundialdev/sundial/internal/store"
)

// Registry writes are rare administrative changes. They do not go through the
// group-commit writer, whose requests are engine transitions; instead each
// runs as its own IMMEDIATE transaction: in memory mode on the shared
// connection while holding the gate (so no batch is open), and for a file on
// a short-lived connection of its own, which SQLite's locking (with the busy
// timeout) orders with the writer's commits.

// AddSearchAttributes implements store.Store.
func (s *Store) AddSearchAttributes(ctx context.Context, namespaceID string, attrs []store.SearchAttribute) error {
	err := s.registryWrite(ctx, func(conn *sql.Conn) error {
		for _, a := range attrs {
			var current int32
			err := conn.QueryRowContext(ctx,
				`SELECT type FROM search_attributes WHERE namespace_id = ?1 AND name = ?2`,
				namespaceID, a.Name).Scan(&current)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := conn.ExecContext(ctx,
					`INSERT INTO search_attributes (namespace_id, name, type) VALUES (?1, ?2, ?3)`,
					namespaceID, a.Name, a.Type); err != nil {
					return fmt.Errorf("registering %q: %w", a.Name, err)
				}
			case err != nil:
				return fmt.Errorf("reading %q: %w", a.Name, err)
			case current != a.Type:
				return fmt.Errorf("%q is registered with type %d, not %d: %w", a.Name, current, a.Type, store.ErrConflict)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: adding search attributes to namespace %s: %w", namespaceID, err)
	}
	return nil
}

// RemoveSearchAttributes implements store.Store.
func (s *Store) RemoveSearchAttributes(ctx context.Context, namespaceID string, names []string) error {
	err := s.registryWrite(ctx, func(conn *sql.Conn) error {
		for _, name := range names {
			if _, err := conn.ExecContext(ctx,
				`DELETE FROM search_attributes WHERE namespace_id = ?1 AND name = ?2`, namespaceID, name); err != nil {
				return fmt.Errorf("removing %q: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: removing search attributes from namespace %s: %w", namespaceID, err)
	}
	return nil
}

// ListSearchAttributes implements store.Store.
func (s *Store) ListSearchAttributes(ctx context.Context, namespaceID string) ([]store.SearchAttribute, error) {
	q, leave, err := s.visibilityReads()
	if err != nil {
		return nil, err
	}
	defer leave()
	rows, err := q.QueryContext(ctx,
		`SELECT name, type FROM search_attributes WHERE namespace_id = ?1 ORDER BY name`, namespaceID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: listing search attributes of namespace %s: %w", namespaceID, interpretError(err, nil))
	}
	defer rows.Close()
	var out []store.SearchAttribute
	for rows.Next() {
		var a store.SearchAttribute
		if err := rows.Scan(&a.Name, &a.Type); err != nil {
			return nil, fmt.Errorf("sqlite: listing search attributes of namespace %s: %w", namespaceID, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: listing search attributes of namespace %s: %w", namespaceID, interpretError(err, nil))
	}
	return out, nil
}

// registryWrite runs fn through the single writer, in its own savepoint of
// a group-committed transaction, like every other write.
func (s *Store) registryWrite(ctx context.Context, fn func(conn *sql.Conn) error) error {
	return s.writer.submitExec(ctx, func(ctx context.Context, conn *sql.Conn) error { return fn(conn) })
}
