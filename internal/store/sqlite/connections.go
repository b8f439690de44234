package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	// Registers the "sqlite" database/sql driver.
	_ "modernc.org/sqlite"
)

const (
	driverName = "sqlite"
	// busyTimeoutMillis is how long a connection retries a locked database.
	// With one writer this only matters for checkpoints and for other
	// processes that open the file.
	busyTimeoutMillis = 5000
	// readConnections is the size of the read-only pool.
	readConnections = 8
)

// connections are the database handles of one Store.
type connections struct {
	// writeDB holds exactly one connection, write, owned by the writer.
	writeDB *sql.DB
	write   *sql.Conn
	// readDB is the read-only pool; nil in memory mode, where reads share
	// write.
	readDB *sql.DB
	memory bool
}

// openConnections opens the writer's connection (configured for WAL and the
// requested synchronous level) and, for a file, the read-only pool.
func openConnections(ctx context.Context, path, synchronous string) (*connections, error) {
	if path == MemoryPath {
		return openMemory(ctx)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolving path: %w", err)
	}
	c := &connections{}
	c.writeDB, err = sql.Open(driverName, fileURI(abs, "rwc"))
	if err != nil {
		return nil, fmt.Errorf("opening writer: %w", err)
	}
	c.writeDB.SetMaxOpenConns(1)
	c.writeDB.SetMaxIdleConns(1)
	if c.write, err = c.writeDB.Conn(ctx); err != nil {
		c.close()
		return nil, fmt.Errorf("connecting writer: %w", err)
	}
	if err := configureWriter(ctx, c.write, synchronous); err != nil {
		c.close()
		return nil, err
	}
	c.readDB, err = sql.Open(driverName, fileURI(abs, "ro"))
	if err != nil {
		c.close()
		return nil, fmt.Errorf("opening read pool: %w", err)
	}
	c.readDB.SetMaxOpenConns(readConnections)
	c.readDB.SetMaxIdleConns(readConnections)
	if err := c.readDB.PingContext(ctx); err != nil {
		c.close()
		return nil, fmt.Errorf("connecting read pool: %w", err)
	}
	return c, nil
}

// openMemory opens one connection to a fresh in-memory database. The pool
// holds exactly that connection and the store keeps it checked out for its
// whole life, so the database cannot vanish with an idle connection.
func openMemory(ctx context.Context) (*connections, error) {
	db, err := sql.Open(driverName, MemoryPath)
	if err != nil {
		return nil, fmt.Errorf("opening memory database: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	c := &connections{writeDB: db, memory: true}
	if c.write, err = db.Conn(ctx); err != nil {
		c.close()
		return nil, fmt.Errorf("connecting memory database: %w", err)
	}
	return c, nil
}

// fileURI builds a SQLite URI for an absolute path, so that names holding '?'
// or '#' survive, with the given open mode and a busy timeout.
func fileURI(absPath, mode string) string {
	q := url.Values{}
	q.Set("mode", mode)
	q.Set("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(absPath), RawQuery: q.Encode()}
	// url.URL renders "file:///abs"; SQLite accepts that form.
	return u.String()
}

// configureWriter switches the database to WAL and sets the durability level.
func configureWriter(ctx context.Context, conn *sql.Conn, synchronous string) error {
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return fmt.Errorf("enabling WAL: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("enabling WAL: database stayed in journal mode %q", mode)
	}
	// Savepoints keep the original of every page they change in a
	// sub-journal; kept in memory it never spills to a temporary file
	// (open, write, unlink) once a group-committed batch passes 64 KiB.
	if _, err := conn.ExecContext(ctx, "PRAGMA temp_store = MEMORY"); err != nil {
		return fmt.Errorf("keeping temporary storage in memory: %w", err)
	}
	// Bound the WAL: after each checkpoint that reaches its end, SQLite
	// truncates it to this size instead of keeping its high-water mark.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA journal_size_limit = %d", walLimitBytes)); err != nil {
		return fmt.Errorf("limiting the WAL's size: %w", err)
	}
	// synchronous takes a keyword validated by Options; it cannot be bound.
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = "+synchronous); err != nil {
		return fmt.Errorf("setting synchronous=%s: %w", synchronous, err)
	}
	return nil
}

// close releases every handle that was opened; it is safe on a partly opened
// set.
func (c *connections) close() error {
	var errs []error
	if c.readDB != nil {
		if err := c.readDB.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing read pool: %w", err))
		}
	}
	if c.write != nil {
		if err := c.write.Close(); err != nil {
			errs = append(errs, fmt.Errorf("releasing writer connection: %w", err))
		}
	}
	if c.writeDB != nil {
		if err := c.writeDB.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing writer: %w", err))
		}
	}
	return errors.Join(errs...)
}
