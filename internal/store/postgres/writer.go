package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sundialdev/sundial/internal/store"
)

type requestKind uint8

const (
	requestTransition requestKind = iota
	requestCreateNamespace
	requestUpdateNamespace
)

// writeRequest is one caller's write, handed to a committer goroutine.
type writeRequest struct {
	kind       requestKind
	transition *store.Transition
	namespace  *store.Namespace
	// done receives the outcome exactly once, after the request was taken.
	done chan error
}

// fenceCheckOwner marks the fence check, which belongs to no request, in a
// batch's statement owners.
const fenceCheckOwner = -1

// maxTransientRetries bounds how often a batch that lost a deadlock or
// serialization race is sent again before its requests are failed.
const maxTransientRetries = 5

// writer groups concurrent Writes. Each of its committer goroutines takes
// every request that is waiting (up to maxBatch) and sends all their
// statements in one pipelined round trip, which PostgreSQL runs as one
// implicit transaction ended by the pipeline's Sync: one commit, one WAL
// flush, for the whole group. Statements learn of a conditional write that
// matched nothing only as an error (sundial_require_row), so any request's
// failure rolls the group back; the committer then answers that request and
// sends the others again without it.
type writer struct {
	pool         *pgxpool.Pool
	maxBatch     int
	writeTimeout time.Duration
	logger       *slog.Logger
	health       *health
	fence        *fence

	// requests is unbuffered: a send succeeds only when a committer takes
	// the request, which is the moment a Write can no longer be abandoned.
	requests chan *writeRequest
	stopping chan struct{}
	running  sync.WaitGroup
	stopOnce sync.Once
	free     sync.Pool

	commits, transitions, rejected atomic.Uint64
}

func newWriter(pool *pgxpool.Pool, opts Options, h *health, f *fence) *writer {
	return &writer{
		pool:         pool,
		fence:        f,
		maxBatch:     opts.MaxBatch,
		writeTimeout: opts.WriteTimeout,
		logger:       opts.Logger,
		health:       h,
		requests:     make(chan *writeRequest),
		stopping:     make(chan struct{}),
		free: sync.Pool{New: func() any {
			return &writeRequest{done: make(chan error, 1)}
		}},
	}
}

// start launches n committers; stop ends them.
func (w *writer) start(n int) {
	for range n {
		w.running.Add(1)
		go w.run()
	}
}

// submit hands a request to a committer and waits for its outcome. ctx
// bounds only the wait to be taken: once taken, the request is committed or
// fails as a unit and submit reports which.
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
	defer func() {
		r.transition, r.namespace = nil, nil
		w.free.Put(r)
	}()
	select {
	case w.requests <- r:
		return <-r.done
	case <-ctx.Done():
		return ctx.Err()
	case <-w.stopping:
		return store.ErrClosed
	}
}

// run is one committer's loop; it returns once stop is called, after
// finishing the batch in hand.
func (w *writer) run() {
	defer w.running.Done()
	batch := make([]*writeRequest, 0, w.maxBatch)
	for {
		select {
		case <-w.stopping:
			return
		case r := <-w.requests:
			batch = w.collect(batch[:0], r)
			w.commitBatch(batch)
			clear(batch)
		}
	}
}

// collect gathers first and every request already waiting, up to maxBatch.
func (w *writer) collect(batch []*writeRequest, first *writeRequest) []*writeRequest {
	batch = append(batch, first)
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

// rejection is a request that failed on its own, answered once its batch is
// settled so that a caller told "conflict" can already read what it
// conflicted with.
type rejection struct {
	request *writeRequest
	err     error
}

// commitBatch commits batch, sending the innocent requests again whenever
// one request's failure rolls the group back.
func (w *writer) commitBatch(batch []*writeRequest) {
	var rejections []rejection
	transient := 0
	for pending := batch; len(pending) > 0; {
		out := w.attempt(pending)
		if out.rejected != nil {
			rejections = append(rejections, *out.rejected)
		}
		if out.transient {
			transient++
			if transient > maxTransientRetries {
				w.failAll(out.retry, fmt.Errorf("postgres: write: gave up after %d deadlocks or serialization failures: %w", transient, out.err))
				break
			}
		}
		pending = out.retry
	}
	for _, rej := range rejections {
		rej.request.done <- fmt.Errorf("postgres: write: %w", rej.err)
	}
	w.rejected.Add(uint64(len(rejections)))
}

// outcome is what one attempt at a batch left to do.
type outcome struct {
	// retry holds the requests to send again.
	retry []*writeRequest
	// rejected is the request that failed on its own, if any.
	rejected *rejection
	// transient reports that the whole attempt lost a race (err says which).
	transient bool
	err       error
}

// attempt sends pending as one pipelined implicit transaction and settles
// every request whose outcome is final.
func (w *writer) attempt(pending []*writeRequest) outcome {
	ctx, cancel := context.WithTimeout(context.Background(), w.writeTimeout)
	defer cancel()
	var (
		batch  pgx.Batch
		owners []statementOwner
	)
	fenced, err := w.fence.queue(&batch)
	if err != nil {
		w.failAll(pending, fmt.Errorf("postgres: write: %w", err))
		return outcome{}
	}
	if fenced {
		owners = append(owners, statementOwner{request: fenceCheckOwner})
	}
	for i, r := range pending {
		owners = queueRequest(&batch, owners, i, r)
	}
	conn, err := w.pool.Acquire(ctx)
	if err != nil {
		w.health.failed(err)
		w.failAll(pending, fmt.Errorf("postgres: write: acquiring a connection: %w", err))
		return outcome{}
	}
	defer conn.Release()
	results := conn.SendBatch(ctx, &batch)
	failedAt, stmtErr := -1, error(nil)
	for j := range owners {
		if _, err := results.Exec(); err != nil {
			failedAt, stmtErr = j, err
			break
		}
	}
	closeErr := results.Close()
	switch {
	case stmtErr == nil && closeErr == nil:
		w.succeed(pending)
		return outcome{}
	case stmtErr != nil && owners[failedAt].request == fenceCheckOwner && isFenceRefusal(stmtErr):
		w.failAll(pending, fmt.Errorf("postgres: write: %w", w.fence.observe(stmtErr)))
		return outcome{}
	case stmtErr == nil:
		// Every statement ran, and then the commit failed.
		w.health.failed(closeErr)
		w.failAll(pending, fmt.Errorf("postgres: write: committing: %w", closeErr))
		return outcome{}
	case isTransient(stmtErr):
		w.logger.Warn("postgres: a group commit lost a race; sending it again", "writes", len(pending), "error", stmtErr)
		return outcome{retry: pending, transient: true, err: stmtErr}
	case !isRequestFault(stmtErr):
		// The database or the connection failed; it says nothing about the
		// request whose statement was running.
		w.health.failed(stmtErr)
		w.failAll(pending, fmt.Errorf("postgres: write: %w", stmtErr))
		return outcome{}
	}
	owner := owners[failedAt]
	culprit := pending[owner.request]
	retry := make([]*writeRequest, 0, len(pending)-1)
	retry = append(retry, pending[:owner.request]...)
	retry = append(retry, pending[owner.request+1:]...)
	return outcome{retry: retry, rejected: &rejection{request: culprit, err: owner.describe(stmtErr)}}
}

// succeed answers the requests of a committed batch.
func (w *writer) succeed(applied []*writeRequest) {
	w.commits.Add(1)
	w.transitions.Add(uint64(len(applied)))
	w.health.committed()
	for _, r := range applied {
		store.SetWrittenVersions(r.transition)
		r.done <- nil
	}
}

func (w *writer) failAll(requests []*writeRequest, err error) {
	w.rejected.Add(uint64(len(requests)))
	for _, r := range requests {
		r.done <- err
	}
}

// stop makes new submits fail with store.ErrClosed and waits for the
// committers to finish their batches and return.
func (w *writer) stop() {
	w.stopOnce.Do(func() { close(w.stopping) })
	w.running.Wait()
}

func (w *writer) stats() Stats {
	return Stats{
		Commits:     w.commits.Load(),
		Transitions: w.transitions.Load(),
		Rejected:    w.rejected.Load(),
	}
}
