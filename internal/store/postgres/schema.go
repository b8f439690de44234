package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrationFiles holds the schema, one file per version, applied in name
// order: version N is the Nth file. The table sundial_schema records the
// applied version.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockKey is the advisory lock every node takes while it migrates,
// so that nodes starting together apply each version once. The value is
// arbitrary but fixed forever ("sundial" in ASCII).
const migrationLockKey int64 = 0x73756e6469616c

// ErrSchemaTooNew: the database was migrated by a newer Sundial.
var ErrSchemaTooNew = errors.New("the database schema is newer than this Sundial supports; run a newer release")

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

// SchemaVersion is the schema version this build creates and expects.
func SchemaVersion() int {
	scripts, err := loadMigrations()
	if err != nil {
		// The migrations are embedded at build time; reading them cannot fail.
		panic(fmt.Sprintf("postgres: %v", err))
	}
	return len(scripts)
}

// Migrate brings the schema of the database at url (a libpq URL or
// keyword/value string) up to this build's version and returns the versions
// before and after. It refuses a database newer than this build.
func Migrate(ctx context.Context, url string) (from, to int, err error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return 0, 0, fmt.Errorf("postgres: migrate: %w", err)
	}
	conn, err := pgxConnect(ctx, cfg)
	if err != nil {
		return 0, 0, fmt.Errorf("postgres: migrate: %w", err)
	}
	defer conn.Close(context.Background())
	from, to, err = migrate(ctx, conn)
	if err != nil {
		return from, to, fmt.Errorf("postgres: migrate: %w", err)
	}
	return from, to, nil
}

// migrate applies the missing versions on conn, each in its own
// transaction, while holding the migration advisory lock.
func migrate(ctx context.Context, conn *pgx.Conn) (from, to int, err error) {
	scripts, err := loadMigrations()
	if err != nil {
		return 0, 0, err
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
		return 0, 0, fmt.Errorf("taking the migration lock: %w", err)
	}
	defer func() {
		// A session lock ends with the connection too; unlocking early lets
		// the next node go on at once.
		_, _ = conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, migrationLockKey)
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS sundial_schema (
		only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
		version  integer NOT NULL)`); err != nil {
		return 0, 0, fmt.Errorf("creating the schema version table: %w", err)
	}
	var version int
	err = conn.QueryRow(ctx, `SELECT version FROM sundial_schema`).Scan(&version)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, 0, fmt.Errorf("reading the schema version: %w", err)
	}
	if version > len(scripts) {
		return version, version, fmt.Errorf("schema version %d, this build knows up to %d: %w", version, len(scripts), ErrSchemaTooNew)
	}
	from = version
	for v := version; v < len(scripts); v++ {
		if err := applyMigration(ctx, conn, v+1, scripts[v]); err != nil {
			return from, v, err
		}
	}
	return from, len(scripts), nil
}

func applyMigration(ctx context.Context, conn *pgx.Conn, version int, script string) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrating to schema version %d: %w", version, err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // a no-op after Commit
	// A script holds many statements, which only the simple protocol runs
	// in one call.
	if _, err := tx.Conn().PgConn().Exec(ctx, script).ReadAll(); err != nil {
		return fmt.Errorf("migrating to schema version %d: %w", version, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO sundial_schema (version) VALUES ($1)
		ON CONFLICT (only_row) DO UPDATE SET version = EXCLUDED.version`, version); err != nil {
		return fmt.Errorf("recording schema version %d: %w", version, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("committing schema version %d: %w", version, err)
	}
	return nil
}
