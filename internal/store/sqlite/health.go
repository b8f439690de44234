package sqlite

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrDatabaseGone is the health of a store whose database file was deleted or
// replaced while it was open: nothing it commits would survive a restart, so
// it commits nothing more.
var ErrDatabaseGone = errors.New("the database file was deleted or replaced while the server was running")

// health tracks whether the store can commit: the outcome of the last commit
// (or probe), or a fatal condition that no commit can cure.
type health struct {
	logger   *slog.Logger
	onChange func(err error)

	mu       sync.Mutex
	err      error // nil while commits succeed
	fatal    error // set once, never cleared
	failures int   // failed commits since the store last committed
}

// current returns nil when the store can commit, else why not.
func (h *health) current() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fatal != nil {
		return h.fatal
	}
	return h.err
}

// fatalErr returns the condition, if any, under which nothing may be written.
func (h *health) fatalErr() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.fatal
}

// failed records a failure to commit caused by the storage (not by the
// request). The first one after a success is logged at ERROR and reported.
func (h *health) failed(err error) {
	h.mu.Lock()
	h.failures++
	first := h.err == nil && h.fatal == nil
	h.err = err
	h.mu.Unlock()
	if first {
		// Health first, then the line: whoever reads the line sees the
		// health it announces.
		h.notify(err)
		h.logger.Error("sqlite: the database cannot commit; writes fail until it can (see the README's Operating section)", "error", err)
	}
}

// committed records a successful commit; after failures it is logged and
// reported as recovery.
func (h *health) committed() bool {
	h.mu.Lock()
	if h.err == nil || h.fatal != nil {
		h.mu.Unlock()
		return false
	}
	failures := h.failures
	h.err, h.failures = nil, 0
	h.mu.Unlock()
	h.notify(nil)
	h.logger.Info("sqlite: the database commits again", "failed_commits", failures)
	return true
}

// setFatal records a condition no commit can cure.
func (h *health) setFatal(err error) {
	h.mu.Lock()
	if h.fatal != nil {
		h.mu.Unlock()
		return
	}
	h.fatal = err
	h.mu.Unlock()
	h.notify(err)
	h.logger.Error("sqlite: refusing all writes: restart the server on an intact database", "error", err)
}

func (h *health) notify(err error) {
	if h.onChange != nil {
		h.onChange(err)
	}
}

// isStorageFault reports whether err is a failure of the storage under the
// database (full disk, I/O error, read-only or vanished file, damage) rather
// than of one request.
func isStorageFault(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN,
		sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_PERM:
		return true
	}
	return false
}

// Health returns nil while the store can commit, else the reason it cannot.
func (s *Store) Health() error {
	if err := s.health.current(); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}
