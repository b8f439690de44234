package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sundialdev/sundial/internal/backoff"
)

const (
	// maintenanceInterval is how often the housekeeper checks that the
	// database file is still the one it opened and checkpoints the WAL.
	maintenanceInterval = 2 * time.Second
	// walLimitBytes is what the WAL is truncated to after a checkpoint
	// (PRAGMA journal_size_limit); it only grows past it while checkpoints
	// cannot complete.
	walLimitBytes = 64 << 20
	// walWarnPages is the WAL size, in pages, at which a checkpoint that could
	// not copy everything back is worth a warning.
	walWarnPages = 16384
)

// probeMinFreeBytes is the free space the database's file system needs before
// a probe may declare a store that failed to commit healthy again.
const probeMinFreeBytes = 4 << 20

// probeRetries spaces out the probes of a store that cannot commit.
var probeRetries = backoff.Policy{Initial: time.Second, Max: 30 * time.Second}

// housekeeper is the store's background work on a file database: it notices a
// database file that was deleted or replaced, checkpoints the WAL deliberately
// (logging failures, which SQLite's automatic checkpoints keep silent), and,
// while commits fail, probes with a small write so the store recovers, and
// reports it, without waiting for traffic.
type housekeeper struct {
	s        *Store
	path     string
	identity os.FileInfo
	logs     *backoff.LogLimiter

	commitsAtCheckpoint uint64
	// checkpointFailing is set while checkpoints fail, so that the first one
	// to succeed again is logged.
	checkpointFailing bool
	probeFailures     int
	nextProbe         time.Time

	stop chan struct{}
	wg   sync.WaitGroup
}

func startHousekeeper(s *Store, path string) (*housekeeper, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading the database file's identity: %w", err)
	}
	h := &housekeeper{s: s, path: path, identity: fi, logs: backoff.NewLogLimiter(time.Minute), stop: make(chan struct{})}
	h.wg.Add(1)
	go h.run()
	return h, nil
}

func (h *housekeeper) run() {
	defer h.wg.Done()
	t := time.NewTimer(maintenanceInterval)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		h.tick(time.Now())
		t.Reset(h.wait(time.Now()))
	}
}

// wait is how long to sleep until the next tick: sooner while a probe is due.
func (h *housekeeper) wait(now time.Time) time.Duration {
	d := maintenanceInterval
	if h.s.health.current() != nil && h.s.health.fatalErr() == nil {
		d = min(d, max(h.nextProbe.Sub(now), 10*time.Millisecond))
	}
	return d
}

func (h *housekeeper) tick(now time.Time) {
	if h.s.health.fatalErr() != nil {
		return
	}
	if !h.sameFile() {
		return
	}
	ctx := context.Background()
	if h.s.health.current() != nil {
		if now.Before(h.nextProbe) {
			return
		}
		if free, ok := freeBytes(filepath.Dir(h.path)); ok && free < probeMinFreeBytes {
			// A tiny probe may still fit in the WAL's old space on a full
			// disk; report recovery only once there is room for real work.
			h.probeFailures++
			h.nextProbe = now.Add(probeRetries.Delay(h.probeFailures))
			return
		}
		if err := h.s.writer.submitExec(ctx, probeWrite); err != nil {
			h.probeFailures++
			h.nextProbe = now.Add(probeRetries.Delay(h.probeFailures))
			return
		}
		// The probe committed, which marked the store healthy. Shrink the WAL
		// that grew during the outage.
		h.probeFailures = 0
		h.checkpoint(ctx, "TRUNCATE")
		return
	}
	h.probeFailures = 0
	if commits := h.s.writer.commits.Load(); commits != h.commitsAtCheckpoint {
		if h.checkpoint(ctx, "PASSIVE") {
			h.commitsAtCheckpoint = commits
		}
	}
}

// sameFile reports whether the path still names the file the store opened;
// when it does not, the store stops accepting writes.
func (h *housekeeper) sameFile() bool {
	fi, err := os.Stat(h.path)
	if err == nil && os.SameFile(fi, h.identity) {
		return true
	}
	if err == nil {
		err = fmt.Errorf("%s now names another file", h.path)
	}
	h.s.health.setFatal(fmt.Errorf("%w: %w", ErrDatabaseGone, err))
	return false
}

// checkpoint copies the WAL back into the database file; it reports whether
// that worked, logging (at most once a minute) when it did not.
func (h *housekeeper) checkpoint(ctx context.Context, mode string) bool {
	var busy, logPages, done int
	err := h.s.writer.runMaintenance(ctx, func(ctx context.Context, conn *sql.Conn) error {
		// mode is one of our own keywords; it cannot be bound.
		return conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &logPages, &done)
	})
	if err != nil {
		h.warn("checkpoint", "sqlite: checkpointing the WAL failed; it keeps growing until a checkpoint succeeds", "mode", mode, "error", err)
		h.checkpointFailing = true
		return false
	}
	if h.checkpointFailing {
		h.checkpointFailing = false
		h.s.logger.Info("sqlite: checkpointing the WAL works again", "mode", mode, "checkpointed_pages", done)
	}
	if logPages >= walWarnPages && done < logPages {
		h.warn("checkpoint-behind", "sqlite: the WAL is large and could not be checkpointed completely", "wal_pages", logPages, "checkpointed_pages", done)
	}
	return true
}

func (h *housekeeper) warn(key, msg string, attrs ...any) {
	ok, suppressed := h.logs.Allow(key, time.Now())
	if !ok {
		return
	}
	if suppressed > 0 {
		attrs = append(attrs, "repeated", suppressed)
	}
	h.s.logger.Warn(msg, attrs...)
}

// close stops the housekeeper and waits for it.
func (h *housekeeper) close() {
	close(h.stop)
	h.wg.Wait()
}

// probeWrite is the smallest real write: it rewrites the schema version with
// its own value, which changes the database header page, so it commits only
// if a page can be written.
func probeWrite(ctx context.Context, conn *sql.Conn) error {
	var v int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("probing: %w", err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
		return fmt.Errorf("probing: %w", err)
	}
	return nil
}
