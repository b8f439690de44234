package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/engine"
	"github.com/sundialdev/sundial/internal/frontend"
	"github.com/sundialdev/sundial/internal/store/postgres"
)

// leasePartition is the one partition whose lease makes a node active: today
// the whole database. Partitioned ownership is the next step: runs are
// spread over partitions (a hash of namespace and workflow id), each with its
// own lease row and epoch; a node runs one replica loop per partition it
// wants, an engine per held partition fenced by that partition's lease, and
// forwards a request to the address in the lease of the partition its
// workflow id maps to. The lease table, the fence and this loop are already
// keyed by partition for that.
const leasePartition int32 = 0

// replica is one node of several sharing a PostgreSQL database. It holds
// the lease and runs the engine (a term) while it is active, or watches the
// lease and forwards requests while it is a standby. Its loop goroutine is
// owned by the replica and ends at stop.
type replica struct {
	server  *Server
	log     *slog.Logger
	watch   *postgres.Store // the lease's reads and writes; never fenced
	nodeID  string
	address string
	opts    FailoverOptions
	engine  engine.Config // each term's engine config, but for its store
	limits  frontend.Limits
	// health sets the gRPC health status: SERVING when err is nil.
	health func(err error)

	active  atomic.Pointer[term]
	holder  atomic.Pointer[postgres.LeaseHolder] // the last lease a standby read
	forward *forwarder

	// ctx ends when the replica stops; cancel ends it.
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

// term is one stretch of this node being active: the lease at one epoch,
// a store fenced by it and the engine and handlers running on it.
type term struct {
	lease    postgres.Lease
	store    *postgres.Store
	engine   *engine.Engine
	workflow workflowservice.WorkflowServiceServer
	operator operatorservice.OperatorServiceServer
	// lost is closed, with why set, when the term must end: a renewal was
	// refused or failed for too long.
	lost     chan struct{}
	lostOnce sync.Once
	why      error
	// keeperDone is closed when the renewing goroutine has returned.
	keeperDone chan struct{}
}

func (t *term) end(why error) {
	t.lostOnce.Do(func() {
		t.why = why
		close(t.lost)
	})
}

// newNodeID names this process in the lease: host/pid/random, so a
// restarted process is a new owner (see predecessorGone for the host and
// pid).
func newNodeID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", hostName(), os.Getpid(), hex.EncodeToString(b[:]))
}

// current is the active term, nil while a standby.
func (r *replica) current() *term { return r.active.Load() }

// activeAddress is where a standby forwards to: the holder's address, or ""
// with the reason none can be used.
func (r *replica) activeAddress() (string, string) {
	h := r.holder.Load()
	switch {
	case h == nil || h.Lapsed || h.Address == "":
		return "", noActiveNodeText
	case h.Owner == r.nodeID || h.Address == r.address:
		return "", selfHeldLeaseText
	}
	return h.Address, ""
}

// tryActivate makes one attempt to become active: it returns true when this
// node now holds the lease and serves. Otherwise it records the holder for
// forwarding.
func (r *replica) tryActivate(ctx context.Context) bool {
	h, found, err := r.watch.ReadLease(ctx, leasePartition)
	if ctx.Err() != nil {
		return false
	}
	if err != nil {
		r.log.Warn("standby: cannot read the lease", "error", err)
		r.holder.Store(nil)
		r.reportStandbyHealth()
		return false
	}
	takeOver := found && !h.Lapsed && predecessorGone(h, r.nodeID, r.address)
	if found && !h.Lapsed && h.Owner != r.nodeID && !takeOver {
		r.holder.Store(&h)
		r.reportStandbyHealth()
		return false
	}
	var lease postgres.Lease
	if takeOver {
		r.log.Info("failover: the lease holder was this node's previous process, which has exited; taking over without waiting for the lease to lapse", "previous_owner", h.Owner)
		lease, err = r.watch.TakeOverLease(ctx, h.Lease, r.nodeID, r.address, r.opts.LeaseTTL)
	} else {
		lease, err = r.watch.AcquireLeaseAt(ctx, leasePartition, r.nodeID, r.address, r.opts.LeaseTTL)
	}
	if errors.Is(err, postgres.ErrLeaseHeld) {
		return false // another standby was faster; the next look finds it
	}
	if err != nil {
		r.log.Warn("standby: cannot take the lease", "error", err)
		return false
	}
	acquired := time.Now()
	t := &term{lease: lease, lost: make(chan struct{}), keeperDone: make(chan struct{})}
	go r.keep(t)
	if err := r.startTerm(ctx, t); err != nil {
		r.log.Error("failover: took the lease but could not start serving; releasing it", "epoch", lease.Epoch, "error", err)
		t.end(err)
		<-t.keeperDone
		r.endTerm(t, true)
		return false
	}
	r.active.Store(t)
	r.forward.close()
	r.health(t.store.Health())
	r.log.Info("failover: this node is active", "node", r.nodeID, "address", r.address, "epoch", lease.Epoch,
		"previous_owner", h.Owner, "ready_after", time.Since(acquired).Round(time.Millisecond))
	return true
}

// startTerm opens a store fenced by t's lease and starts an engine on it:
// the engine reads every open run back (queues, timers) as at any start.
func (r *replica) startTerm(ctx context.Context, t *term) error {
	// The start stops early if the lease is lost meanwhile.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-t.lost:
			cancel()
		case <-ctx.Done():
		}
	}()
	st, err := postgres.Open(ctx, r.server.opts.DatabaseURL, postgres.Options{Logger: r.log, IdleInTransactionTimeout: r.opts.LeaseTTL, OnHealthChange: func(err error) {
		if r.current() == t {
			r.health(err)
		}
	}})
	if err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	st.FenceWrites(t.lease)
	t.store = st
	cfg := r.engine
	cfg.Store = r.server.observedStore(st)
	eng, err := engine.New(cfg)
	if err != nil {
		return fmt.Errorf("creating the engine: %w", err)
	}
	t.engine = eng
	if err := eng.Start(ctx); err != nil {
		return fmt.Errorf("starting the engine: %w", err)
	}
	workflowHandler, operatorHandler := frontend.NewHandler(eng, r.limits, "sundial-"+Version), frontend.NewOperatorHandler(eng, r.limits)
	cluster := frontend.ClusterInfo{Address: r.address, Store: "postgres"}
	workflowHandler.SetCluster(cluster)
	operatorHandler.SetCluster(cluster)
	t.workflow, t.operator = workflowHandler, operatorHandler
	if err := bootstrap(ctx, t.workflow, t.operator, r.server.opts.Namespaces, r.server.opts.SearchAttributes); err != nil {
		return err
	}
	return nil
}

// keep renews t's lease every RenewInterval until the term ends. A refused
// renewal ends the term at once; failed ones end it when the lease may have
// lapsed (LeaseTTL after the last renewal that succeeded was sent).
func (r *replica) keep(t *term) {
	defer close(t.keeperDone)
	ticker := time.NewTicker(r.opts.RenewInterval)
	defer ticker.Stop()
	lease, validFrom := t.lease, time.Now()
	for {
		select {
		case <-t.lost:
			return
		case <-ticker.C:
		}
		sent := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), r.opts.RenewInterval)
		renewed, err := r.watch.RenewLease(ctx, lease, r.opts.LeaseTTL)
		cancel()
		switch {
		case err == nil:
			lease, validFrom = renewed, sent
		case errors.Is(err, postgres.ErrFenced):
			t.end(fmt.Errorf("the lease renewal was refused: another node took the lease over: %w", err))
			return
		case time.Since(validFrom) >= r.opts.LeaseTTL-r.opts.RenewInterval:
			t.end(fmt.Errorf("the lease could not be renewed before it may lapse: %w", err))
			return
		default:
			r.log.Warn("failover: renewing the lease failed; trying again", "epoch", lease.Epoch, "error", err)
		}
	}
}

// serveTerm waits until the active term ends (lost lease, refused write)
// or the replica stops, and steps down. It reports whether to go on.
func (r *replica) serveTerm(t *term) bool {
	select {
	case <-t.lost:
	case <-t.store.WritesLost():
		t.end(errors.New("a write was refused: another node took the lease over"))
	case <-r.ctx.Done():
		t.end(errors.New("the server is stopping"))
		<-t.keeperDone
		r.endTerm(t, true)
		return false
	}
	<-t.keeperDone
	r.log.Warn("failover: lost the lease; stepping down to standby", "node", r.nodeID, "epoch", t.lease.Epoch, "reason", t.why)
	r.endTerm(t, false)
	r.log.Info("failover: this node is a standby", "node", r.nodeID)
	return true
}

// endTerm stops t: no write commits from here on, new requests are
// forwarded, the engine stops and its store closes. release lets the lease
// lapse now (a graceful stop) so a standby need not wait for it.
func (r *replica) endTerm(t *term, release bool) {
	if t.store != nil {
		t.store.RefuseWrites()
	}
	r.active.CompareAndSwap(t, nil)
	r.holder.Store(nil)
	r.reportStandbyHealth()
	if t.engine != nil {
		t.engine.Stop()
	}
	if t.store != nil {
		_ = t.store.Close()
	}
	if release {
		ctx, cancel := context.WithTimeout(context.Background(), r.opts.LeaseTTL)
		defer cancel()
		if err := r.watch.ReleaseLease(ctx, t.lease); err != nil {
			r.log.Warn("failover: releasing the lease", "error", err)
		}
	}
}

// reportStandbyHealth: a standby serves (health SERVING) while it knows an
// active node to forward to.
func (r *replica) reportStandbyHealth() {
	if address, why := r.activeAddress(); address == "" {
		r.health(errors.New(why))
		return
	}
	r.health(nil)
}

// run is the replica's loop: standby until it takes the lease, active until
// it loses it, until stop.
func (r *replica) run() {
	defer close(r.done)
	ticker := time.NewTicker(r.opts.RenewInterval)
	defer ticker.Stop()
	for {
		if t := r.current(); t != nil {
			if !r.serveTerm(t) {
				return
			}
		}
		if r.tryActivate(r.ctx) {
			continue
		}
		select {
		case <-r.ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// stop ends the loop; an active node stops its engine and releases the
// lease.
func (r *replica) stop() {
	r.cancel()
	<-r.done
	r.forward.close()
}
