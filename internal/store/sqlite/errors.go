package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sundialdev/sundial/internal/store"
)

// interpretError maps a driver error to the store's sentinels; it is the one
// place that knows SQLite's error codes. onKeyCollision is the sentinel a
// primary-key or unique violation means for the statement that failed
// (ErrAlreadyExists for creates, ErrConflict for appends); other errors keep
// their cause. The result still wraps err, so both are inspectable.
func interpretError(err error, onKeyCollision error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", store.ErrNotFound, err)
	}
	if errors.Is(err, sql.ErrConnDone) {
		return fmt.Errorf("%w: %w", store.ErrClosed, err)
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) && isCorruption(sqliteErr.Code()) {
		return fmt.Errorf("%w: %w", store.ErrCorrupt, err)
	}
	if errors.As(err, &sqliteErr) && onKeyCollision != nil {
		switch sqliteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return fmt.Errorf("%w: %w", onKeyCollision, err)
		}
	}
	return err
}

// isCorruption reports whether a SQLite result code says the file is damaged
// (or is not a database at all), as opposed to a failure a retry may cure.
func isCorruption(code int) bool {
	switch code & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}
