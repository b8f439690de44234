package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// profilingServer serves Go's runtime profiles (/debug/pprof/) on its own
// listener, apart from the gRPC port, for operators who want to see where a
// running server spends its time.
type profilingServer struct {
	http     *http.Server
	listener net.Listener
	done     chan error
}

// startProfilingServer listens on addr and serves the pprof handlers on a mux
// of its own (the process-wide default mux is left alone).
func startProfilingServer(addr string) (*profilingServer, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening for pprof on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	p := &profilingServer{
		http:     &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		listener: lis,
		done:     make(chan error, 1),
	}
	go func() { p.done <- p.http.Serve(lis) }()
	return p, nil
}

// Addr is the address the profiles are served on.
func (p *profilingServer) Addr() string { return p.listener.Addr().String() }

// Stop closes the listener and waits for open requests (a CPU profile runs for
// as long as it was asked to) until ctx ends.
func (p *profilingServer) Stop(ctx context.Context) error {
	shutdownErr := p.http.Shutdown(ctx)
	if serveErr := <-p.done; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return errors.Join(shutdownErr, serveErr)
	}
	return shutdownErr
}
