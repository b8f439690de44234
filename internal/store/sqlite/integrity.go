package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/sundialdev/sundial/internal/store"
)

// checkFiles refuses a WAL or shared-memory file whose database is missing
// (the database was deleted or moved: starting empty would silently lose it)
// and logs, at WARN, that a new database is being created.
func checkFiles(path string, logger *slog.Logger) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("resolving path: %w", err)
	}
	if _, err := os.Stat(abs); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("checking the database file: %w", err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(abs + suffix); err == nil {
			return fmt.Errorf("found %s but not its database %s: the database was deleted or moved; "+
				"restore it from a backup, or remove %s-wal and %s-shm to start with an empty database", abs+suffix, abs, abs, abs)
		}
	}
	logger.Warn("sqlite: creating a new, empty database", "path", abs)
	return nil
}

// quickCheck runs SQLite's quick integrity check (page structure, not index
// contents) and returns an error naming the first problems found.
func quickCheck(ctx context.Context, conn *sql.Conn) error {
	problems, err := runCheck(ctx, conn, "quick_check")
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: quick_check found: %s", store.ErrCorrupt, strings.Join(problems, "; "))
	}
	return nil
}

// runCheck runs PRAGMA pragma (quick_check or integrity_check) and returns
// the problems it reports, none when the database is intact.
func runCheck(ctx context.Context, conn *sql.Conn, pragma string) ([]string, error) {
	rows, err := conn.QueryContext(ctx, "PRAGMA "+pragma+"(20)")
	if err != nil {
		return nil, fmt.Errorf("running %s: %w", pragma, interpretError(err, nil))
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, fmt.Errorf("running %s: %w", pragma, interpretError(err, nil))
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("running %s: %w", pragma, interpretError(err, nil))
	}
	return problems, nil
}

// Check runs SQLite's full integrity check (every page, every index entry
// against its table) on the database at path, opened read-only, and returns
// the problems found: none means intact. It is meant for a stopped server
// (sundial check).
func Check(ctx context.Context, path string) ([]string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: check: resolving path: %w", err)
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("sqlite: check: %w", err)
	}
	db, err := sql.Open(driverName, fileURI(abs, "ro"))
	if err != nil {
		return nil, fmt.Errorf("sqlite: check: opening %s: %w", abs, err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: check: opening %s: %w", abs, interpretError(err, nil))
	}
	defer conn.Close()
	problems, err := runCheck(ctx, conn, "integrity_check")
	if err != nil {
		return nil, fmt.Errorf("sqlite: check %s: %w", abs, err)
	}
	return problems, nil
}

// Backup writes a consistent copy of the database at path into a new file
// dst (VACUUM INTO), while a server may be using it: readers and the writer
// are not blocked. dst must not exist.
func Backup(ctx context.Context, path, dst string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("sqlite: backup: resolving path: %w", err)
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("sqlite: backup: %s already exists", dst)
	}
	db, err := sql.Open(driverName, fileURI(abs, "ro"))
	if err != nil {
		return fmt.Errorf("sqlite: backup: opening %s: %w", abs, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?1", dst); err != nil {
		return fmt.Errorf("sqlite: backup of %s into %s: %w", abs, dst, interpretError(err, nil))
	}
	return nil
}

// CountOpenExecutionsUnindexed counts the open runs by scanning the table
// itself, not the open-runs index recovery pages through, so that a damaged
// index cannot silently hide open runs from recovery.
func (s *Store) CountOpenExecutionsUnindexed(ctx context.Context) (int64, error) {
	q, leave, err := s.visibilityReads()
	if err != nil {
		return 0, err
	}
	defer leave()
	rows, err := q.QueryContext(ctx, `SELECT count(*) FROM executions NOT INDEXED WHERE close_time = 0`)
	if err != nil {
		return 0, fmt.Errorf("sqlite: counting open executions: %w", interpretError(err, nil))
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("sqlite: counting open executions: %w", interpretError(err, nil))
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("sqlite: counting open executions: %w", interpretError(err, nil))
	}
	return n, nil
}
