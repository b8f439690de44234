// Package server embeds the Sundial engine in a Go program: it stores in one SQLite
// file and serves Temporal's WorkflowService gRPC API on one address, so the
// official Temporal SDKs, the temporal CLI and Sundial's own SDK can use it.
//
//	srv, err := server.New(server.Options{DatabasePath: "sundial.db"})
//	if err != nil { ... }
//	if err := srv.Start(ctx); err != nil { ... }
//	defer srv.Stop(context.Background())
//	fmt.Println("Temporal clients can connect to", srv.Addr())
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/sundialdev/sundial/internal/backoff"
	"github.com/sundialdev/sundial/internal/engine"
	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/frontend"
	"github.com/sundialdev/sundial/internal/metrics"
	"github.com/sundialdev/sundial/internal/tracing"
	"github.com/sundialdev/sundial/server/auth"
)

// Version is the server version GetSystemInfo reports.
const Version = "0.1.0"

// Options configure a Server. The zero value serves on 127.0.0.1:7233 and stores in
// ./sundial.db.
type Options struct {
	// ListenAddr is the host:port to serve on. Port 0 picks a free port; Addr tells
	// which. Default "127.0.0.1:7233".
	ListenAddr string
	// DatabasePath is the SQLite file. ":memory:" keeps everything in memory and
	// loses it on Stop. Default "sundial.db". Ignored when DatabaseURL is set.
	DatabasePath string
	// DatabaseURL, when set, stores in PostgreSQL instead of SQLite: a libpq
	// URL (postgres://user:pass@host:5432/db?sslmode=require) or keyword/value
	// string ("host=db user=sundial dbname=sundial"). The schema is created
	// or migrated on Start. SynchronousNormal does not apply.
	DatabaseURL string
	// Logger receives the server's logs. Default: slog.Default().
	Logger *slog.Logger
	// MaxPayloadBytes caps the size of any single payload or blob in a request.
	// Default 2 MiB.
	MaxPayloadBytes int
	// SynchronousNormal trades durability for speed: commits are not fsynced, so
	// a power loss (not a process crash) may lose the last acknowledged work.
	// Default false: every acknowledged change is on disk.
	SynchronousNormal bool
	// TimeSkipping runs the engine on a time-skipping clock and serves Temporal's
	// TestService (temporal.api.testservice.v1) on the same address, as
	// Temporal's test server does: whenever no task or query is outstanding and
	// the skipping lock is released, time jumps to the next timer. The lock
	// counter starts at 1, as the TypeScript and Python SDK test environments
	// expect (they unlock while awaiting a result); call UnlockTimeSkipping once
	// to let time skip whenever the engine is idle.
	TimeSkipping bool
	// MinRetention is the shortest namespace retention the server accepts.
	// Default one day (engine.DefaultMinRetention); lower it only for tests.
	MinRetention time.Duration
	// RetentionHold is how long retention deletes nothing after the wall
	// clock was seen to step, or at a start where every closed run of a
	// namespace is already past its retention. Default 10 minutes.
	RetentionHold time.Duration
	// VersionDrainageGracePeriod is how long a worker deployment version that
	// stopped being current or ramping reports draining before its pinned
	// runs are counted. Default 3 minutes, as Temporal's
	// matching.wv.VersionDrainageStatusVisibilityGracePeriod.
	VersionDrainageGracePeriod time.Duration
	// PriorityLevels is how many task priority keys there are: workflows and
	// activities may ask for keys 1 (highest) to PriorityLevels, or 0 for the
	// middle one; larger keys are refused. Default 5, as in Temporal.
	PriorityLevels int
	// History limits per run, Temporal's defaults when zero: past
	// HistoryCountSuggestContinueAsNew events (4,096) or
	// HistorySizeSuggestContinueAsNew bytes (4 MiB) workflow tasks suggest
	// continue-as-new; past the Warn limits (10,240 events, 10 MiB) the server
	// logs a warning; past the Error limits (51,200 events, 50 MiB) the run is
	// terminated ("Workflow history count exceeds limit." / "Workflow history
	// size exceeds limit.").
	HistoryCountSuggestContinueAsNew int64
	HistorySizeSuggestContinueAsNew  int64
	HistoryCountLimitWarn            int64
	HistorySizeLimitWarn             int64
	HistoryCountLimitError           int64
	HistorySizeLimitError            int64
	// Per-run limits on pending work, Temporal's defaults (2,000 each) when
	// zero, none when negative: a workflow task whose commands would pass one
	// fails with the limit's cause (e.g. PENDING_ACTIVITIES_LIMIT_EXCEEDED)
	// and is retried, so the workflow waits for some of its work to finish.
	MaxPendingActivities     int
	MaxPendingChildWorkflows int
	MaxPendingSignals        int
	MaxPendingCancelRequests int
	// MaxInFlightUpdates is how many updates one run may have admitted and
	// not yet completed (Temporal: 10); more are refused with
	// ResourceExhausted. MaxTotalUpdates is how many a run may receive in all
	// (Temporal: 2,000); more are refused with FailedPrecondition. Zero takes
	// the default, negative means no limit.
	MaxInFlightUpdates int
	MaxTotalUpdates    int
	// TaskQueueWindow is how many tasks each task queue keeps in memory;
	// beyond it, tasks wait in the store and are read back as the queue
	// drains, so a backlog of any size costs bounded memory. Default 4,096.
	TaskQueueWindow int
	// Namespaces are created at Start, before the server accepts a connection,
	// where they do not exist yet ("default" always exists). SearchAttributes
	// are then registered in each of them and in "default", as Temporal's dev
	// server does with its --namespace and --search-attribute flags.
	Namespaces       []string
	SearchAttributes map[string]enums.IndexedValueType
	// TLS serves TLS, and mutual TLS with a client CA, from certificate files
	// that are reloaded when they change. Off when no file is set.
	TLS TLSOptions
	// Insecure allows listening on a non-loopback address with neither TLS nor
	// authentication (New refuses that otherwise); the server then logs a
	// warning at start.
	Insecure bool
	// NamespaceRateLimit caps the requests each namespace may make; past it
	// requests are answered ResourceExhausted ("namespace rate limit
	// exceeded"). NamespaceRateLimits overrides it for the namespaces it
	// names. Zero RPS: no limit (the default).
	NamespaceRateLimit  RateLimit
	NamespaceRateLimits map[string]RateLimit
	// Auth turns on authentication and per-namespace authorization of every
	// call (see package auth). Nil: every caller may do everything.
	Auth *auth.Config
	// Metrics, if set, receives the server's metrics: Temporal's service,
	// persistence and workflow metrics and Sundial's own (see package
	// prommetrics for a Prometheus registry). Default: none.
	Metrics metrics.Registry
	// Tracer, if set, traces every store transaction and adds the namespace,
	// workflow id and run id to each RPC's span (see package oteltracing).
	// Default: none.
	Tracer tracing.Tracer
	// AdvertiseAddress is the host:port other nodes sharing the PostgreSQL
	// database reach this one on, to forward requests while it is the
	// active node. Default: the address the server listens on.
	AdvertiseAddress string
	// Failover tunes the lease that makes one of the nodes sharing a
	// PostgreSQL database active (see FailoverOptions). Ignored for SQLite.
	Failover FailoverOptions
	// GRPCServerOptions are added to the gRPC server's own options, for
	// example a stats handler that starts a span per RPC.
	GRPCServerOptions []grpc.ServerOption
}

// Server is an embedded Sundial engine.
type Server struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	started  bool
	stopped  bool
	store    runningStore
	engine   *engine.Engine
	skipping *timeSkipping // nil unless Options.TimeSkipping
	auth     *serverAuth   // nil unless Options.Auth
	grpc     *grpc.Server
	health   *health.Server
	listener net.Listener
	serveErr chan error
	tls      *certReloader // nil unless Options.TLS is enabled
	exposure exposure
	replica  *replica // nil unless Options.DatabaseURL is set

	// registerExtra, when set (by tests), registers more services on the gRPC
	// server before it serves.
	registerExtra func(grpc.ServiceRegistrar)
}

// New validates opts and prepares a server. Nothing listens until Start.
func New(opts Options) (*Server, error) {
	if opts.ListenAddr == "" {
		opts.ListenAddr = "127.0.0.1:7233"
	}
	if opts.DatabasePath == "" {
		opts.DatabasePath = "sundial.db"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxPayloadBytes == 0 {
		opts.MaxPayloadBytes = 2 << 20
	}
	if opts.PriorityLevels == 0 {
		opts.PriorityLevels = 5
	}
	if opts.PriorityLevels < 1 || opts.PriorityLevels > 100 {
		return nil, fmt.Errorf("server: PriorityLevels must be from 1 to 100, got %d", opts.PriorityLevels)
	}
	if opts.MaxPayloadBytes < 0 {
		return nil, fmt.Errorf("server: MaxPayloadBytes must not be negative, got %d", opts.MaxPayloadBytes)
	}
	if _, _, err := net.SplitHostPort(opts.ListenAddr); err != nil {
		return nil, fmt.Errorf("server: ListenAddr %q is not host:port: %w", opts.ListenAddr, err)
	}
	if opts.DatabaseURL != "" && opts.Metrics != nil {
		// Each term of a failover node starts an engine on the same registry.
		opts.Metrics = newReusedMetrics(opts.Metrics)
	}
	s := &Server{opts: opts, log: opts.Logger}
	if err := s.prepareSecurity(); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	return s, nil
}

// Start opens the database, recovers queues and timers, and starts serving.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("server: already started")
	}
	authn, err := s.newAuth(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if !s.started {
			authn.close()
		}
	}()
	hs := health.NewServer()
	st, database, err := s.openStore(ctx, storeHealth(hs, s.log))
	if err != nil {
		return fmt.Errorf("server: opening database: %w", err)
	}
	cfg := engine.Config{Store: s.observedStore(st), Metrics: s.opts.Metrics, Logger: s.log, MinRetention: s.opts.MinRetention, RetentionHold: s.opts.RetentionHold, PriorityLevels: int32(s.opts.PriorityLevels),
		HistoryLimits: engine.HistoryLimits{
			SuggestContinueAsNewCount: s.opts.HistoryCountSuggestContinueAsNew,
			SuggestContinueAsNewBytes: s.opts.HistorySizeSuggestContinueAsNew,
			WarnCount:                 s.opts.HistoryCountLimitWarn,
			WarnBytes:                 s.opts.HistorySizeLimitWarn,
			ErrorCount:                s.opts.HistoryCountLimitError,
			ErrorBytes:                s.opts.HistorySizeLimitError,
		},
		MaxInFlightUpdates: s.opts.MaxInFlightUpdates,
		MaxTotalUpdates:    s.opts.MaxTotalUpdates,
		TaskQueueWindow:    s.opts.TaskQueueWindow,
		PendingLimits: machine.PendingLimits{
			Activities: s.opts.MaxPendingActivities,
			Children:   s.opts.MaxPendingChildWorkflows,
			Signals:    s.opts.MaxPendingSignals,
			Cancels:    s.opts.MaxPendingCancelRequests,
		},
	}
	cfg.VersionDrainageGracePeriod = s.opts.VersionDrainageGracePeriod
	skipping := s.newTimeSkipping(&cfg)
	if s.opts.DatabaseURL != "" {
		// Several nodes may share a PostgreSQL database: one active, the
		// others standbys (failover_start.go).
		return s.startReplicated(ctx, st, database, cfg, skipping, authn, hs)
	}
	eng, err := engine.New(cfg)
	if err != nil {
		skipping.Stop()
		_ = st.Close()
		return fmt.Errorf("server: %w", err)
	}
	if err := eng.Start(ctx); err != nil {
		eng.Stop()
		skipping.Stop()
		_ = st.Close()
		return fmt.Errorf("server: starting engine: %w", err)
	}
	lis, err := net.Listen("tcp", s.opts.ListenAddr)
	if err != nil {
		eng.Stop()
		skipping.Stop()
		_ = st.Close()
		return fmt.Errorf("server: listening on %s: %w", s.opts.ListenAddr, err)
	}
	limits := s.frontendLimits()
	g := s.newGRPCServer(authn, skipping, namespaceRegistered(eng))
	workflowHandler, operatorHandler := frontend.NewHandler(eng, limits, "sundial-"+Version), frontend.NewOperatorHandler(eng, limits)
	cluster := frontend.ClusterInfo{Address: lis.Addr().String(), Store: "sqlite"}
	workflowHandler.SetCluster(cluster)
	operatorHandler.SetCluster(cluster)
	if err := bootstrap(ctx, workflowHandler, operatorHandler, s.opts.Namespaces, s.opts.SearchAttributes); err != nil {
		eng.Stop()
		skipping.Stop()
		_ = lis.Close()
		_ = st.Close()
		return fmt.Errorf("server: %w", err)
	}
	workflowservice.RegisterWorkflowServiceServer(g, workflowHandler)
	operatorservice.RegisterOperatorServiceServer(g, operatorHandler)
	storeHealth(hs, s.log)(st.Health())
	healthpb.RegisterHealthServer(g, hs)
	if s.registerExtra != nil {
		s.registerExtra(g)
	}
	if err := skipping.serve(g, eng); err != nil {
		eng.Stop()
		skipping.Stop()
		_ = lis.Close()
		_ = st.Close()
		return fmt.Errorf("server: %w", err)
	}

	s.skipping = skipping
	s.auth = authn
	s.store, s.engine, s.grpc, s.health, s.listener = st, eng, g, hs, lis
	s.serveErr = make(chan error, 1)
	logged := loggedListener{Listener: lis, log: s.log, logs: backoff.NewLogLimiter(time.Minute)}
	go func() { s.serveErr <- g.Serve(logged) }()
	s.started = true
	s.log.Info("listening on "+lis.Addr().String(), "addr", lis.Addr().String(), "db", database, "tls", s.tls != nil, "version", Version)
	s.warnIfInsecure(lis.Addr().String())
	return nil
}

// Stop answers in-flight long polls, stops serving and closes the database. It
// waits for in-flight requests until ctx ends, then cuts them off.
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started || s.stopped {
		return nil
	}
	s.stopped = true
	s.health.Shutdown()
	s.skipping.Stop()
	if s.replica != nil {
		s.replica.stop()
	} else {
		s.engine.Stop()
	}
	done := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		s.grpc.Stop()
		<-done
	}
	<-s.serveErr
	s.auth.close()
	if err := s.store.Close(); err != nil {
		return fmt.Errorf("server: closing database: %w", err)
	}
	s.log.Info("sundial server stopped")
	return nil
}

// Addr is the address the server listens on, valid after Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener != nil {
		return s.listener.Addr().String()
	}
	return s.opts.ListenAddr
}
