// Package postgres is the store.Store driver for PostgreSQL, built on pgx v5
// and its connection pool.
//
// Writes are group-committed: committer goroutines take every Write that is
// waiting and send all their statements in one pipelined round trip, which
// PostgreSQL runs as one implicit transaction (see writer.go). Reads go
// straight to the pool. The schema is created and migrated on Open under an
// advisory lock, so several nodes may start against one database together
// (see schema.go); Migrate runs the migrations alone.
//
// Times are stored as Unix nanoseconds and text in the "C" collation, as in
// the SQLite store, so that both share internal/visibility's SQL (through
// its PostgreSQL dialect) and its page tokens.
package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sundialdev/sundial/internal/store"
)

// Defaults of Options.
const (
	defaultMaxBatch     = 256
	defaultCommitters   = 2
	defaultWriteTimeout = 30 * time.Second
	// defaultPoolConns is how many connections reads may use when the URL
	// does not set pool_max_conns; the committers get theirs on top.
	defaultPoolConns = 16
)

// Options tunes a Store. The zero value is the default.
type Options struct {
	// MaxBatch caps how many Writes share one transaction. Default 256.
	MaxBatch int
	// Committers is how many group commits may be in flight at once, each on
	// its own connection. Default 2: one batch is sent while the next forms.
	Committers int
	// WriteTimeout bounds one group commit's round trip. Default 30s.
	WriteTimeout time.Duration
	// Logger receives warnings about failed commits. Default: discard.
	Logger *slog.Logger
	// OnHealthChange, if set, is called when the store stops being able to
	// commit (with the reason) and when it can again (with nil). It must not
	// block or call the store.
	OnHealthChange func(err error)
	// IdleInTransactionTimeout, when positive, makes the database end this
	// store's transactions left idle that long (idle_in_transaction_session_timeout):
	// a node frozen in the middle of a fenced transaction holds the lease row
	// in share mode, and a takeover waits for that lock. Default: the
	// database's setting.
	IdleInTransactionTimeout time.Duration
}

func (o Options) withDefaults() (Options, error) {
	if o.MaxBatch < 0 || o.Committers < 0 || o.WriteTimeout < 0 {
		return o, fmt.Errorf("max batch (%d), committers (%d) and write timeout (%s) must not be negative",
			o.MaxBatch, o.Committers, o.WriteTimeout)
	}
	if o.MaxBatch == 0 {
		o.MaxBatch = defaultMaxBatch
	}
	if o.Committers == 0 {
		o.Committers = defaultCommitters
	}
	if o.WriteTimeout == 0 {
		o.WriteTimeout = defaultWriteTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
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

// Store is a store.Store backed by one PostgreSQL database.
type Store struct {
	pool   *pgxpool.Pool
	writer *writer
	health *health
	fence  fence
	logger *slog.Logger

	stopHealth  chan struct{}
	healthDone  chan struct{}
	closed      atomic.Bool
	closeOnce   sync.Once
	redactedURL string
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (a libpq URL, postgres://..., or a
// keyword/value string; pool settings such as pool_max_conns are accepted),
// brings its schema up to date and starts the committers. A database whose
// schema is newer than this build is refused (ErrSchemaTooNew).
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgxpool's default (the larger of 4 and the CPU count) leaves reads
		// queueing behind the committers on small machines.
		cfg.MaxConns = max(cfg.MaxConns, defaultPoolConns+int32(opts.Committers))
	}
	if opts.IdleInTransactionTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"] = fmt.Sprint(max(opts.IdleInTransactionTimeout.Milliseconds(), 1))
	}
	where := fmt.Sprintf("%s@%s:%d/%s", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	conn, err := pgxConnect(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	_, _, err = migrate(ctx, conn)
	conn.Close(context.Background())
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	s := &Store{
		pool:        pool,
		logger:      opts.Logger,
		stopHealth:  make(chan struct{}),
		healthDone:  make(chan struct{}),
		redactedURL: where,
	}
	s.health = newHealth(opts.Logger, opts.OnHealthChange, pool.Ping)
	go func() {
		defer close(s.healthDone)
		s.health.watch(s.stopHealth)
	}()
	s.writer = newWriter(pool, opts, s.health, &s.fence)
	s.writer.start(opts.Committers)
	return s, nil
}

// Health returns nil while the store can commit, else the last reason it
// could not.
func (s *Store) Health() error { return s.health.current() }

// Stats reports the writer's counters.
func (s *Store) Stats() Stats { return s.writer.stats() }

// String names the database without its password.
func (s *Store) String() string { return "postgres " + s.redactedURL }

// Close stops accepting writes, finishes the batches in flight and closes
// the pool. Calling it again does nothing.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.writer.stop()
		close(s.stopHealth)
		<-s.healthDone
		s.pool.Close()
	})
	return nil
}

// checkOpen fails reads once the store is closed.
func (s *Store) checkOpen() error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return nil
}

// pgxConnect opens one connection outside the pool, for migrations.
func pgxConnect(ctx context.Context, cfg *pgxpool.Config) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("connecting: %w", err)
	}
	return conn, nil
}
