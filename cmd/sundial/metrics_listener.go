package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsServer serves a Prometheus registry on /metrics, on its own
// listener apart from the gRPC port.
type metricsServer struct {
	http     *http.Server
	listener net.Listener
	done     chan error
}

// newMetricsRegistry is the registry the server's metrics go to, with the Go
// runtime's and the process's own metrics beside them.
func newMetricsRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// startMetricsServer listens on addr and serves reg on /metrics.
func startMetricsServer(addr string, reg *prometheus.Registry) (*metricsServer, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening for metrics on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	m := &metricsServer{
		http:     &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		listener: lis,
		done:     make(chan error, 1),
	}
	go func() { m.done <- m.http.Serve(lis) }()
	return m, nil
}

// Addr is the address metrics are served on.
func (m *metricsServer) Addr() string { return m.listener.Addr().String() }

// Stop closes the listener and waits for open scrapes until ctx ends.
func (m *metricsServer) Stop(ctx context.Context) error {
	shutdownErr := m.http.Shutdown(ctx)
	if serveErr := <-m.done; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return errors.Join(shutdownErr, serveErr)
	}
	return shutdownErr
}
