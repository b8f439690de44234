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

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/sundialdev/sundial/internal/backoff"
	"github.com/sundialdev/sundial/internal/engine"
	"github.com/sundialdev/sundial/internal/frontend"
	"github.com/sundialdev/sundial/internal/store/sqlite"
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
	// loses it on Stop. Default "sundial.db".
	DatabasePath string
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
}

// Server is an embedded Sundial engine.
type Server struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	started  bool
	stopped  bool
	store    *sqlite.Store
	engine   *engine.Engine
	skipping *timeSkipping // nil unless Options.TimeSkipping
	grpc     *grpc.Server
	health   *health.Server
	listener net.Listener
	serveErr chan error
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
	if opts.MaxPayloadBytes < 0 {
		return nil, fmt.Errorf("server: MaxPayloadBytes must not be negative, got %d", opts.MaxPayloadBytes)
	}
	if _, _, err := net.SplitHostPort(opts.ListenAddr); err != nil {
		return nil, fmt.Errorf("server: ListenAddr %q is not host:port: %w", opts.ListenAddr, err)
	}
	return &Server{opts: opts, log: opts.Logger}, nil
}

// Start opens the database, recovers queues and timers, and starts serving.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("server: already started")
	}
	sync := "FULL"
	if s.opts.SynchronousNormal {
		sync = "NORMAL"
	}
	hs := health.NewServer()
	st, err := sqlite.Open(ctx, s.opts.DatabasePath, sqlite.Options{Synchronous: sync, Logger: s.log, OnHealthChange: storeHealth(hs, s.log)})
	if err != nil {
		return fmt.Errorf("server: opening database: %w", err)
	}
	cfg := engine.Config{Store: st, Logger: s.log}
	skipping := s.newTimeSkipping(&cfg)
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
	limits := frontend.DefaultLimits()
	limits.MaxPayloadBytes = s.opts.MaxPayloadBytes
	// A request may carry several payloads up to the limit, plus framing.
	maxMsg := max(4<<20, 4*s.opts.MaxPayloadBytes+(1<<20))
	g := grpc.NewServer(
		grpc.MaxRecvMsgSize(maxMsg),
		grpc.MaxSendMsgSize(128<<20),
		grpc.ChainUnaryInterceptor(append([]grpc.UnaryServerInterceptor{statusInterceptor(s.log)}, skipping.interceptors()...)...),
	)
	workflowservice.RegisterWorkflowServiceServer(g, frontend.NewHandler(eng, limits, "sundial-"+Version))
	operatorservice.RegisterOperatorServiceServer(g, frontend.NewOperatorHandler(eng, limits))
	storeHealth(hs, s.log)(st.Health())
	healthpb.RegisterHealthServer(g, hs)
	if err := skipping.serve(g, eng); err != nil {
		eng.Stop()
		skipping.Stop()
		_ = lis.Close()
		_ = st.Close()
		return fmt.Errorf("server: %w", err)
	}

	s.skipping = skipping
	s.store, s.engine, s.grpc, s.health, s.listener = st, eng, g, hs, lis
	s.serveErr = make(chan error, 1)
	logged := loggedListener{Listener: lis, log: s.log, logs: backoff.NewLogLimiter(time.Minute)}
	go func() { s.serveErr <- g.Serve(logged) }()
	s.started = true
	s.log.Info("sundial server listening", "addr", lis.Addr().String(), "db", s.opts.DatabasePath)
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
	s.engine.Stop()
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
