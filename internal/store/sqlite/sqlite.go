// Package sqlite is the embedded store.Store driver, built on the pure-Go
// modernc.org/sqlite.
//
// Writes go through exactly one writer goroutine that owns the only read-write
// connection. It takes every Write that is waiting, applies each in its own
// SAVEPOINT inside one transaction and commits once (group commit), so many
// transitions share one fsync. Reads use a separate pool of read-only
// connections and, thanks to WAL, never wait for the writer.
//
// A path of ":memory:" opens a private in-memory database. In-memory databases
// live inside one connection, and the alternative (a shared-cache database)
// takes table locks that make readers fail with SQLITE_LOCKED while a batch is
// open, which busy_timeout does not retry. So in memory mode the writer's
// connection serves reads too, and a mutex keeps reads out of open batches;
// without fsync a batch lasts microseconds, so readers barely wait.
package sqlite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sundialdev/sundial/internal/metrics"
	"github.com/sundialdev/sundial/internal/store"
)

// MemoryPath opens a private in-memory database instead of a file.
const MemoryPath = ":memory:"

// defaultMaxBatch bounds how many Writes share one transaction unless Options
// says otherwise.
const defaultMaxBatch = 256

// Options tunes a Store. The zero value is the durable default.
type Options struct {
	// Synchronous is SQLite's synchronous setting for the writer: "FULL"
	// (default; every commit is fsynced before Write returns) or "NORMAL" (in
	// WAL mode a power loss may lose the last commits, never corrupt the file).
	// Ignored for MemoryPath.
	Synchronous string
	// MaxBatch caps how many Writes are committed in one transaction.
	// Default 256.
	MaxBatch int
	// Logger receives warnings about failed commits. Default: discard.
	Logger *slog.Logger
	// OnHealthChange, if set, is called when the store stops being able to
	// commit (with the reason) and when it can again (with nil). It must not
	// block or call the store.
	OnHealthChange func(err error)
	// Metrics, if set, receives the writer's group-commit metrics.
	Metrics metrics.Registry
}

// Stats counts the writer's work since Open.
type Stats struct {
	// Commits is the number of transactions committed.
	Commits uint64
	// Transitions is the number of Writes (transitions and namespace writes)
	// committed.
	Transitions uint64
	// Rejected is the number of Writes that failed and left nothing behind.
	Rejected uint64
}

// TransitionsPerCommit is the average group-commit batch size.
func (s Stats) TransitionsPerCommit() float64 {
	if s.Commits == 0 {
		return 0
	}
	return float64(s.Transitions) / float64(s.Commits)
}

// Store is a store.Store backed by one SQLite database.
type Store struct {
	writer     *writer
	writeStmts *writeStatements
	reads      *readSide
	conns      *connections
	health     *health
	logger     *slog.Logger
	// keeper is nil for an in-memory database.
	keeper *housekeeper

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database at path, brings its schema up to
// date and starts the writer. Use MemoryPath for a private in-memory database.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: open: empty path")
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if path != MemoryPath {
		if err := checkFiles(path, opts.Logger); err != nil {
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
	}
	conns, err := openConnections(ctx, path, opts.Synchronous)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, interpretError(err, nil))
	}
	if !conns.memory {
		if err := quickCheck(ctx, conns.write); err != nil {
			conns.close()
			return nil, fmt.Errorf("sqlite: open %s: the database is damaged; stop using it: restore a backup "+
				"(sundial backup), or run \"sundial check --db %s\" for the full list of problems: %w", path, path, err)
		}
	}
	s, err := newStore(ctx, conns, opts)
	if err != nil {
		conns.close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if !conns.memory {
		abs, _ := filepath.Abs(path)
		if s.keeper, err = startHousekeeper(s, abs); err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
	}
	return s, nil
}

func newStore(ctx context.Context, conns *connections, opts Options) (*Store, error) {
	if err := migrate(ctx, conns.write); err != nil {
		return nil, err
	}
	ws, err := prepareWriteStatements(ctx, conns.write)
	if err != nil {
		return nil, err
	}
	var (
		readsOn preparer = conns.readDB
		gate    *sync.Mutex
	)
	if conns.memory {
		readsOn, gate = conns.write, &sync.Mutex{}
	}
	reads, err := newReadSide(ctx, readsOn, gate)
	if err != nil {
		ws.close()
		return nil, err
	}
	h := &health{logger: opts.Logger, onChange: opts.OnHealthChange}
	w := newWriter(ws, opts.MaxBatch, opts.Logger, gate, h)
	w.metrics = newWriterMetrics(opts.Metrics)
	go w.run()
	return &Store{writer: w, reads: reads, writeStmts: ws, conns: conns, health: h, logger: opts.Logger}, nil
}

func (o Options) withDefaults() (Options, error) {
	switch strings.ToUpper(o.Synchronous) {
	case "":
		o.Synchronous = "FULL"
	case "FULL", "NORMAL":
		o.Synchronous = strings.ToUpper(o.Synchronous)
	default:
		return o, fmt.Errorf("synchronous must be FULL or NORMAL, got %q", o.Synchronous)
	}
	if o.MaxBatch < 0 {
		return o, fmt.Errorf("max batch must not be negative, got %d", o.MaxBatch)
	}
	if o.MaxBatch == 0 {
		o.MaxBatch = defaultMaxBatch
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// Stats reports the writer's counters.
func (s *Store) Stats() Stats { return s.writer.stats() }

// Close stops accepting writes, finishes the batch in flight, stops the writer
// and closes the database. Calling it again returns the first result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		if s.keeper != nil {
			s.keeper.close()
		}
		s.writer.stop()
		s.closeErr = errors.Join(s.reads.close(), s.writeStmts.close(), s.conns.close())
		if s.closeErr != nil {
			s.closeErr = fmt.Errorf("sqlite: close: %w", s.closeErr)
		}
	})
	return s.closeErr
}
