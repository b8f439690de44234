package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sundialdev/sundial/internal/store"
)

type requestKind uint8

const (
	requestTransition requestKind = iota
	requestCreateNamespace
	requestUpdateNamespace
	// requestExec runs a driver function on the writer's connection, for the
	// rare writes that are not transitions (registry changes, retention).
	requestExec
)

// writeRequest is one caller's write, handed to the writer goroutine.
type writeRequest struct {
	kind       requestKind
	transition *store.Transition
	namespace  *store.Namespace
	exec       func(ctx context.Context, conn *sql.Conn) error
	// done receives the outcome exactly once, after the request was taken.
	done chan error
}

// writer is the only goroutine that writes. It groups waiting requests into
// one transaction (group commit), isolating each in a savepoint so that one
// request's failure is reported to that caller alone.
type writer struct {
	stmts    *writeStatements
	maxBatch int
	logger   *slog.Logger
	health   *health
	metrics  *writerMetrics // nil: none recorded
	// gate, when set, is held for each whole batch; memory mode uses it to
	// keep reads on the shared connection out of uncommitted batches.
	gate *sync.Mutex

	// requests is unbuffered: a send succeeds only when the writer takes the
	// request, which is the moment a Write can no longer be abandoned.
	requests chan *writeRequest
	// maintain carries work that must run outside any transaction
	// (checkpoints), one request at a time.
	maintain chan *writeRequest
	stopping chan struct{}
	stopped  chan struct{}
	stopOnce sync.Once
	free     sync.Pool

	commits, transitions, rejected atomic.Uint64

	// beforeBatch, set only by tests before their first Write, runs in the
	// writer goroutine before each batch.
	beforeBatch func()

	// Scratch slices reused across batches; touched only by run.
	batch, applied []*writeRequest
	rejections     []rejection
}

// rejection is a request that failed on its own, answered once its batch has
// finished so that a caller told "conflict" can already read what it
// conflicted with.
type rejection struct {
	request *writeRequest
	err     error
}

func newWriter(stmts *writeStatements, maxBatch int, logger *slog.Logger, gate *sync.Mutex, h *health) *writer {
	return &writer{
		stmts:    stmts,
		maxBatch: maxBatch,
		logger:   logger,
		health:   h,
		maintain: make(chan *writeRequest),
		gate:     gate,
		requests: make(chan *writeRequest),
		stopping: make(chan struct{}),
		stopped:  make(chan struct{}),
		free: sync.Pool{New: func() any {
			return &writeRequest{done: make(chan error, 1)}
		}},
		batch:   make([]*writeRequest, 0, maxBatch),
		applied: make([]*writeRequest, 0, maxBatch),
	}
}

// submit hands r to the writer and waits for its outcome. ctx bounds only the
// wait to be taken: once taken, r is committed or fails as a unit and submit
// reports which.
func (w *writer) submit(ctx context.Context, kind requestKind, t *store.Transition, ns *store.Namespace) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-w.stopping:
		return store.ErrClosed
	default:
	}
	r := w.free.Get().(*writeRequest)
	r.kind, r.transition, r.namespace = kind, t, ns
	defer w.recycle(r)
	select {
	case w.requests <- r:
		return <-r.done
	case <-ctx.Done():
		return ctx.Err()
	case <-w.stopping:
		return store.ErrClosed
	}
}

// submitExec runs fn inside the writer's transaction, in its own savepoint,
// like a transition: it commits with its batch or not at all.
func (w *writer) submitExec(ctx context.Context, fn func(ctx context.Context, conn *sql.Conn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-w.stopping:
		return store.ErrClosed
	default:
	}
	r := w.free.Get().(*writeRequest)
	r.kind, r.exec = requestExec, fn
	defer w.recycle(r)
	select {
	case w.requests <- r:
		return <-r.done
	case <-ctx.Done():
		return ctx.Err()
	case <-w.stopping:
		return store.ErrClosed
	}
}

func (w *writer) recycle(r *writeRequest) {
	r.transition, r.namespace, r.exec = nil, nil, nil
	w.free.Put(r)
}

// run is the writer goroutine's loop; it returns once stop is called,
// after finishing the batch in hand.
func (w *writer) run() {
	defer close(w.stopped)
	for {
		select {
		case <-w.stopping:
			return
		default:
		}
		select {
		case <-w.stopping:
			return
		case r := <-w.requests:
			w.commitBatch(w.collect(r))
		case r := <-w.maintain:
			r.done <- r.exec(context.Background(), w.stmts.conn)
		}
	}
}

// collect gathers first and every request already waiting, up to maxBatch.
func (w *writer) collect(first *writeRequest) []*writeRequest {
	batch := append(w.batch[:0], first)
	for len(batch) < w.maxBatch {
		select {
		case r := <-w.requests:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// commitBatch commits batch, retrying the innocent requests in a fresh
// transaction whenever one request's failure takes the transaction down.
func (w *writer) commitBatch(batch []*writeRequest) {
	if w.beforeBatch != nil {
		w.beforeBatch()
	}
	if w.gate != nil {
		w.gate.Lock()
		defer w.gate.Unlock()
	}
	for pending := batch; len(pending) > 0; {
		pending = w.attempt(pending)
	}
	for i, rej := range w.rejections {
		rej.request.done <- fmt.Errorf("sqlite: write: %w", rej.err)
		w.rejections[i] = rejection{}
	}
	w.rejected.Add(uint64(len(w.rejections)))
	w.rejections = w.rejections[:0]
}

// attempt runs pending in one transaction and settles every request whose
// outcome is final. It returns the requests to run again: those that were
// innocent bystanders when the transaction was lost.
func (w *writer) attempt(pending []*writeRequest) []*writeRequest {
	ctx := context.Background()
	if err := w.health.fatalErr(); err != nil {
		w.failAll(pending, fmt.Errorf("sqlite: %w", err))
		return nil
	}
	if _, err := w.stmts.begin.ExecContext(ctx); err != nil {
		w.health.failed(err)
		w.failAll(pending, fmt.Errorf("sqlite: beginning transaction: %w", interpretError(err, nil)))
		return nil
	}
	if len(pending) == 1 {
		// Alone in its transaction, a request needs no savepoint: if it fails,
		// the whole transaction is rolled back and nothing else is lost.
		r := pending[0]
		if err := w.stmts.applyRequest(ctx, r); err != nil {
			w.rollback(ctx)
			w.reject(r, err)
			return nil
		}
		return w.finish(ctx, pending)
	}
	applied := w.applied[:0]
	for i, r := range pending {
		intact, err := w.applyInSavepoint(ctx, r)
		if err == nil {
			applied = append(applied, r)
			continue
		}
		w.reject(r, err)
		if !intact {
			w.logger.Warn("sqlite: a write aborted its batch's transaction; retrying the others",
				"retrying", len(applied)+len(pending)-i-1, "error", err)
			w.rollback(ctx)
			retry := make([]*writeRequest, 0, len(applied)+len(pending)-i-1)
			retry = append(retry, applied...)
			return append(retry, pending[i+1:]...)
		}
	}
	return w.finish(ctx, applied)
}

// finish commits the open transaction holding applied and answers them.
func (w *writer) finish(ctx context.Context, applied []*writeRequest) []*writeRequest {
	var began time.Time
	if w.metrics != nil {
		began = time.Now()
	}
	if _, err := w.stmts.commit.ExecContext(ctx); err != nil {
		w.metrics.failed()
		w.rollback(ctx)
		w.health.failed(err)
		w.failAll(applied, fmt.Errorf("sqlite: committing: %w", interpretError(err, nil)))
		return nil
	}
	if w.metrics != nil {
		w.metrics.committed(len(applied), time.Since(began))
	}
	w.commits.Add(1)
	w.health.committed()
	w.transitions.Add(uint64(len(applied)))
	for _, r := range applied {
		store.SetWrittenVersions(r.transition)
		r.done <- nil
	}
	return nil
}

// applyInSavepoint applies r inside a savepoint, undoing it on failure.
// intact reports whether the enclosing transaction is still usable; SQLite
// rolls back the whole transaction on some errors (I/O, full disk), and then
// the savepoint is gone too.
func (w *writer) applyInSavepoint(ctx context.Context, r *writeRequest) (intact bool, err error) {
	if _, err := w.stmts.savepoint.ExecContext(ctx); err != nil {
		return false, fmt.Errorf("sqlite: opening savepoint: %w", err)
	}
	if err := w.stmts.applyRequest(ctx, r); err != nil {
		if _, rbErr := w.stmts.rollbackTo.ExecContext(ctx); rbErr != nil {
			return false, err
		}
		if _, relErr := w.stmts.release.ExecContext(ctx); relErr != nil {
			return false, err
		}
		return true, err
	}
	if _, err := w.stmts.release.ExecContext(ctx); err != nil {
		return false, fmt.Errorf("sqlite: releasing savepoint: %w", err)
	}
	return true, nil
}

// rollback abandons the open transaction. Its error is ignored: SQLite may
// have rolled back already, and every caller is answered either way.
func (w *writer) rollback(ctx context.Context) {
	_, _ = w.stmts.rollback.ExecContext(ctx)
}

// reject records that r failed and left nothing behind; commitBatch answers
// it at the end.
func (w *writer) reject(r *writeRequest, err error) {
	if isStorageFault(err) {
		w.health.failed(err)
	}
	w.rejections = append(w.rejections, rejection{request: r, err: err})
}

func (w *writer) failAll(requests []*writeRequest, err error) {
	w.rejected.Add(uint64(len(requests)))
	for _, r := range requests {
		r.done <- err
	}
}

// stop makes new submits fail with store.ErrClosed and waits for run to
// finish its batch and return.
func (w *writer) stop() {
	w.stopOnce.Do(func() { close(w.stopping) })
	<-w.stopped
}

func (w *writer) stats() Stats {
	return Stats{
		Commits:     w.commits.Load(),
		Transitions: w.transitions.Load(),
		Rejected:    w.rejected.Load(),
	}
}

// runMaintenance runs fn on the writer's connection between batches, outside
// any transaction, and returns its error.
func (w *writer) runMaintenance(ctx context.Context, fn func(ctx context.Context, conn *sql.Conn) error) error {
	r := &writeRequest{exec: fn, done: make(chan error, 1)}
	select {
	case w.maintain <- r:
		return <-r.done
	case <-ctx.Done():
		return ctx.Err()
	case <-w.stopping:
		return store.ErrClosed
	}
}
