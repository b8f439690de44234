package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
)

// migrationFiles holds the schema, one file per version, applied in name order.
// Version N is the Nth file; PRAGMA user_version records the applied version.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// loadMigrations returns the migration scripts in version order.
func loadMigrations() ([]string, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("listing migrations: %w", err)
	}
	sort.Strings(names)
	scripts := make([]string, 0, len(names))
	for _, name := range names {
		b, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: %w", name, err)
		}
		scripts = append(scripts, string(b))
	}
	return scripts, nil
}

// migrate brings the database's schema up to the newest version, each version
// in its own transaction. A database newer than this code is refused.
func migrate(ctx context.Context, conn *sql.Conn) error {
	scripts, err := loadMigrations()
	if err != nil {
		return err
	}
	var version int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if version > len(scripts) {
		return fmt.Errorf("database schema version %d is newer than this build supports (%d)", version, len(scripts))
	}
	for v := version; v < len(scripts); v++ {
		if err := applyMigration(ctx, conn, v+1, scripts[v]); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, conn *sql.Conn, version int, script string) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrating to schema version %d: %w", version, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, script); err != nil {
		return fmt.Errorf("migrating to schema version %d: %w", version, err)
	}
	// user_version cannot be bound; version is our own integer.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		return fmt.Errorf("recording schema version %d: %w", version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing schema version %d: %w", version, err)
	}
	return nil
}
