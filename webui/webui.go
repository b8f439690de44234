// Package webui serves Temporal's Web UI (the assets and HTTP API proxy of
// github.com/temporalio/ui-server) in front of a Sundial server's gRPC address.
//
// It is a package of its own so that programs embedding the engine through the
// server package do not link the UI's assets (about 250 MB of JavaScript that
// ui-server embeds) or its HTTP dependencies; the sundial command links both.
//
//	ui, err := webui.New(webui.Options{ListenAddr: "127.0.0.1:8233", GRPCAddr: srv.Addr()})
//	if err != nil { ... }
//	if err := ui.Start(); err != nil { ... }
//	defer ui.Stop(context.Background())
//	fmt.Println("Web UI at", ui.URL())
package webui

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"google.golang.org/grpc"
)

// DefaultListenAddr is where the sundial command serves the UI unless told otherwise.
const DefaultListenAddr = "127.0.0.1:8233"

// Options configure a Server.
type Options struct {
	// ListenAddr is the HOST:PORT the UI is served on; port 0 picks a free
	// port (Addr and URL tell which). Default DefaultListenAddr.
	ListenAddr string
	// GRPCAddr is the HOST:PORT of the Temporal gRPC API the UI's HTTP API is
	// proxied to. Required.
	GRPCAddr string
	// GRPCTLS, when set, dials GRPCAddr over TLS with this configuration;
	// nil dials in plain text.
	GRPCTLS *tls.Config
	// DefaultNamespace is the namespace the UI opens. Default "default".
	DefaultNamespace string
	// Logger receives the UI server's logs. Default slog.Default().
	Logger *slog.Logger
}

// Server is a running (or startable) Web UI.
type Server struct {
	opts Options

	mu       sync.Mutex
	listener net.Listener
	http     *http.Server
	conn     *grpc.ClientConn
	served   chan struct{}
}

// New checks opts and returns a Server that is not yet listening.
func New(opts Options) (*Server, error) {
	if opts.GRPCAddr == "" {
		return nil, errors.New("webui: the gRPC address to proxy to is required")
	}
	if opts.ListenAddr == "" {
		opts.ListenAddr = DefaultListenAddr
	}
	if _, _, err := net.SplitHostPort(opts.ListenAddr); err != nil {
		return nil, fmt.Errorf("webui: listen address %q: %w", opts.ListenAddr, err)
	}
	if opts.DefaultNamespace == "" {
		opts.DefaultNamespace = "default"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Server{opts: opts}, nil
}

// Start binds the listen address and serves the UI until Stop.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener != nil {
		return errors.New("webui: already started")
	}
	conn, err := dialFrontend(s.opts.GRPCAddr, s.opts.GRPCTLS)
	if err != nil {
		return err
	}
	handler, err := newHandler(s.opts, conn)
	if err != nil {
		_ = conn.Close()
		return err
	}
	listener, err := net.Listen("tcp", s.opts.ListenAddr)
	if err != nil {
		_ = conn.Close()
		return fmt.Errorf("webui: listening on %s: %w", s.opts.ListenAddr, err)
	}
	s.conn = conn
	s.listener = listener
	s.http = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.opts.Logger.Handler(), slog.LevelWarn),
	}
	s.served = make(chan struct{})
	go func(srv *http.Server, served chan<- struct{}) {
		defer close(served)
		if err := srv.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.opts.Logger.Error("web UI stopped serving", "addr", listener.Addr().String(), "error", err)
		}
	}(s.http, s.served)
	return nil
}

// Addr is the address the UI listens on, once started.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener == nil {
		return ""
	}
	return s.listener.Addr().String()
}

// URL is the address to open in a browser, once started.
func (s *Server) URL() string {
	addr := s.Addr()
	if addr == "" {
		return ""
	}
	return "http://" + addr
}

// Stop lets requests in flight finish until ctx is done, then closes every
// connection and the gRPC client.
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	srv, conn, served := s.http, s.conn, s.served
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(fmt.Errorf("webui: graceful shutdown: %w", err), srv.Close())
	}
	<-served
	if cerr := conn.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("webui: closing the gRPC client: %w", cerr))
	}
	return err
}
