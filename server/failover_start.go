package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/sundialdev/sundial/internal/backoff"
	"github.com/sundialdev/sundial/internal/engine"
	"github.com/sundialdev/sundial/internal/store/postgres"
)

// startReplicated is Start on PostgreSQL, where several nodes may share the
// database: it listens at once, then is active if it can take the lease
// now, else a standby that forwards requests to the active node and takes
// over when that node's lease lapses (replica.go). st is the node's lease
// store; each term opens its own store for the engine. s.mu is held.
func (s *Server) startReplicated(ctx context.Context, st runningStore, database string, cfg engine.Config, skipping *timeSkipping, authn *serverAuth, hs *health.Server) (err error) {
	watch, ok := st.(*postgres.Store)
	if !ok || skipping != nil {
		_ = st.Close()
		skipping.Stop()
		if skipping != nil {
			return errors.New("server: time skipping needs the SQLite store (one node, no failover)")
		}
		return fmt.Errorf("server: the PostgreSQL store has type %T", st)
	}
	failover, err := s.opts.Failover.withDefaults()
	if err != nil {
		_ = st.Close()
		return fmt.Errorf("server: %w", err)
	}
	peerTLS, err := s.peerTLS()
	if err != nil {
		_ = st.Close()
		return fmt.Errorf("server: %w", err)
	}
	lis, err := net.Listen("tcp", s.opts.ListenAddr)
	if err != nil {
		_ = st.Close()
		return fmt.Errorf("server: listening on %s: %w", s.opts.ListenAddr, err)
	}
	address := s.opts.AdvertiseAddress
	if address == "" {
		address = lis.Addr().String()
	}
	r := &replica{
		server: s, log: s.log, watch: watch, nodeID: newNodeID(), address: address,
		opts: failover, engine: cfg, limits: s.frontendLimits(),
		health: healthReporter(hs, s.log), done: make(chan struct{}),
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	if r.forward, err = newForwarder(r.nodeID, peerTLS, s.maxRecvMsgSize(), r.activeAddress); err != nil {
		r.cancel()
		_ = lis.Close()
		_ = st.Close()
		return fmt.Errorf("server: %w", err)
	}
	g := s.newGRPCServer(authn, nil, func(ctx context.Context, name string) bool {
		t := r.current()
		return t != nil && namespaceRegistered(t.engine)(ctx, name)
	})
	registerSwitched(g, r.current, r.forward.unary)
	healthpb.RegisterHealthServer(g, hs)
	if s.registerExtra != nil {
		s.registerExtra(g)
	}
	r.reportStandbyHealth()
	// One look at the lease before serving: a lone node, or the first of
	// several, is active when Start returns.
	active := r.tryActivate(ctx)
	go r.run()

	s.auth = authn
	s.replica = r
	s.store, s.grpc, s.health, s.listener = st, g, hs, lis
	s.serveErr = make(chan error, 1)
	logged := loggedListener{Listener: lis, log: s.log, logs: backoff.NewLogLimiter(time.Minute)}
	go func() { s.serveErr <- g.Serve(logged) }()
	s.started = true
	role := "standby"
	if active {
		role = "active"
	}
	s.log.Info("listening on "+lis.Addr().String(), "addr", lis.Addr().String(), "db", database, "tls", s.tls != nil, "version", Version,
		"role", role, "node", r.nodeID, "advertise", address, "lease_ttl", failover.LeaseTTL, "renew_interval", failover.RenewInterval)
	s.warnIfInsecure(lis.Addr().String())
	return nil
}

// healthReporter sets the health service's status (SERVING when err is
// nil) and logs it when it changes.
func healthReporter(hs *health.Server, log interface{ Info(string, ...any) }) func(error) {
	var (
		mu      sync.Mutex
		known   bool
		serving bool
	)
	return func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if known && serving == (err == nil) {
			return
		}
		known, serving = true, err == nil
		st := healthpb.HealthCheckResponse_SERVING
		if err != nil {
			st = healthpb.HealthCheckResponse_NOT_SERVING
		}
		hs.SetServingStatus("", st)
		hs.SetServingStatus(workflowservice.WorkflowService_ServiceDesc.ServiceName, st)
		if err != nil {
			log.Info("health status changed", "status", st.String(), "reason", err.Error())
			return
		}
		log.Info("health status changed", "status", st.String())
	}
}
