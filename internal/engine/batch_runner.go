package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"golang.org/x/time/rate"

	"github.com/sundialdev/sundial/internal/backoff"
	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/visibility"
)

// batchSaveRetries spaces out the retries of a batch's progress save that
// the store refused.
var batchSaveRetries = backoff.Policy{Initial: time.Second, Max: time.Minute}

// batchRunner owns the goroutines that run batch operations: one per
// running batch, each stopped by Stop or by its StopBatchOperation.
type batchRunner struct {
	e        *Engine
	maxPerNS int

	mu      sync.Mutex
	closed  bool
	jobs    map[string]*batchJob // by namespace id and job id
	perNS   map[string]int
	running sync.WaitGroup
}

// batchJob is one running batch's handle.
type batchJob struct {
	cancel     context.CancelFunc
	done       chan struct{}
	stopReason string // set by StopBatchOperation before cancel
	stopped    bool
}

func newBatchRunner(e *Engine, maxPerNS int) *batchRunner {
	if maxPerNS <= 0 {
		maxPerNS = DefaultMaxConcurrentBatchOperations
	}
	return &batchRunner{e: e, maxPerNS: maxPerNS, jobs: map[string]*batchJob{}, perNS: map[string]int{}}
}

func batchKey(nsID, jobID string) string { return nsID + "\x00" + jobID }

// admit reserves one of the namespace's concurrent batch slots for jobID.
func (br *batchRunner) admit(nsID, jobID string) error {
	br.mu.Lock()
	defer br.mu.Unlock()
	if br.closed {
		return serviceerror.NewUnavailable("the server is stopping")
	}
	if _, ok := br.jobs[batchKey(nsID, jobID)]; ok {
		return serviceerror.NewAlreadyExistsf("A batch operation with job id %s already exists.", jobID)
	}
	if br.perNS[nsID] >= br.maxPerNS {
		return &serviceerror.ResourceExhausted{
			Cause:   enumspb.RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT,
			Scope:   enumspb.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
			Message: "Max concurrent batch operations is reached",
		}
	}
	br.perNS[nsID]++
	br.jobs[batchKey(nsID, jobID)] = &batchJob{done: make(chan struct{})}
	return nil
}

// release gives back a slot admit reserved.
func (br *batchRunner) release(nsID, jobID string) {
	br.mu.Lock()
	defer br.mu.Unlock()
	if _, ok := br.jobs[batchKey(nsID, jobID)]; ok {
		delete(br.jobs, batchKey(nsID, jobID))
		br.perNS[nsID]--
	}
}

// run starts the goroutine of an admitted batch whose record is at version.
func (br *batchRunner) run(nsID, jobID string, version int64, b *batchState) {
	br.mu.Lock()
	defer br.mu.Unlock()
	job := br.jobs[batchKey(nsID, jobID)]
	if br.closed || job == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	job.cancel = cancel
	br.running.Add(1)
	go func() {
		defer br.running.Done()
		defer close(job.done)
		defer br.release(nsID, jobID)
		defer cancel()
		br.e.runBatch(ctx, job, &store.Record{NamespaceID: nsID, Kind: batchRecordKind, ID: jobID, Version: version}, b)
	}()
}

// stop asks a running batch to stop and waits until it has saved its state.
func (br *batchRunner) stop(ctx context.Context, nsID, jobID, reason string) error {
	br.mu.Lock()
	job := br.jobs[batchKey(nsID, jobID)]
	if job == nil || job.cancel == nil {
		br.mu.Unlock()
		return serviceerror.NewNotFoundf("Batch operation %s is not running.", jobID)
	}
	job.stopped, job.stopReason = true, reason
	job.cancel()
	br.mu.Unlock()
	select {
	case <-job.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stopNamespace stops the running batches of a deleted namespace and waits
// until they have ended.
func (br *batchRunner) stopNamespace(nsID string) {
	br.mu.Lock()
	var done []chan struct{}
	for key, job := range br.jobs {
		if strings.HasPrefix(key, nsID+"\x00") && job.cancel != nil {
			job.stopped, job.stopReason = true, "namespace deleted"
			job.cancel()
			done = append(done, job.done)
		}
	}
	br.mu.Unlock()
	for _, d := range done {
		<-d
	}
}

// stopRequested reports whether StopBatchOperation stopped job.
func (br *batchRunner) stopRequested(job *batchJob) (bool, string) {
	br.mu.Lock()
	defer br.mu.Unlock()
	return job.stopped, job.stopReason
}

// close stops every batch (they resume at the next start) and waits.
func (br *batchRunner) close() {
	br.mu.Lock()
	br.closed = true
	for _, job := range br.jobs {
		if job.cancel != nil {
			job.cancel()
		}
	}
	br.mu.Unlock()
	br.running.Wait()
}

// resumeBatches restarts the batch operations that were running when the
// server stopped.
func (e *Engine) resumeBatches(ctx context.Context) error {
	afterNS := ""
	for {
		namespaces, err := e.store.ListNamespaces(ctx, afterNS, 100)
		if err != nil {
			return err
		}
		for _, ns := range namespaces {
			after := ""
			for {
				recs, err := e.store.ListRecords(ctx, ns.ID, batchRecordKind, after, 100)
				if err != nil {
					return err
				}
				for _, r := range recs {
					b, err := decodeBatch(r)
					if err != nil {
						e.log.Error("a batch operation cannot be read; it is left as it is", "namespace", ns.Name, "job_id", r.ID, "error", err)
						continue
					}
					if b.State != enumspb.BATCH_OPERATION_STATE_RUNNING {
						continue
					}
					if err := e.batches.admit(ns.ID, r.ID); err != nil {
						e.log.Warn("a running batch operation could not resume", "namespace", ns.Name, "job_id", r.ID, "error", err)
						continue
					}
					e.log.Info("resuming a batch operation", "namespace", ns.Name, "job_id", r.ID, "done", b.Completed+b.Failed, "total", b.Total)
					e.batches.run(ns.ID, r.ID, r.Version, b)
				}
				if len(recs) < 100 {
					break
				}
				after = recs[len(recs)-1].ID
			}
		}
		if len(namespaces) < 100 {
			return nil
		}
		afterNS = namespaces[len(namespaces)-1].Name
	}
}

// runBatch applies the batch's operation to each of its runs at its rate,
// saving progress every batchSaveEvery runs and when it ends.
func (e *Engine) runBatch(ctx context.Context, job *batchJob, rec *store.Record, b *batchState) {
	rps, err := batchRate(b.request)
	if err != nil {
		rps = defaultBatchRPS
	}
	limiter := rate.NewLimiter(rate.Limit(rps), 1)
	progress := &batchProgress{lastSave: e.cfg.WallClock.Now()}
	save := func() bool {
		if !progress.due(e.cfg.WallClock.Now()) {
			return true
		}
		progress.unsaved, progress.lastSave = 0, e.cfg.WallClock.Now()
		return e.saveBatch(ctx, rec, b)
	}
	step := func(ex *commonpb.WorkflowExecution) bool {
		if err := e.paceBatch(ctx, limiter); err != nil {
			return false
		}
		if err := e.applyBatchOperation(ctx, rec.ID, b.request, ex); err != nil && !isRunGone(err) {
			if ctx.Err() != nil {
				return false
			}
			b.Failed++
			e.log.Debug("a batch operation failed on a run", "job_id", rec.ID, "workflow_id", ex.GetWorkflowId(), "run_id", ex.GetRunId(), "error", err)
		} else {
			b.Completed++
		}
		progress.unsaved++
		return true
	}
	finished := false
	if len(batchTargets(b.request)) > 0 {
		finished = e.runBatchList(ctx, b, step, save)
	} else {
		finished = e.runBatchQuery(ctx, rec, b, step, save)
	}
	stopped, reason := e.batches.stopRequested(job)
	switch {
	case finished:
		b.State = enumspb.BATCH_OPERATION_STATE_COMPLETED
	case stopped:
		b.State, b.Stopped = enumspb.BATCH_OPERATION_STATE_FAILED, reason
	default:
		// The server is stopping (or the store failed for good): the batch
		// stays running and resumes from its last save at the next start.
		e.saveBatch(context.Background(), rec, b)
		return
	}
	b.CloseTime = e.clock.Now()
	e.saveBatch(context.Background(), rec, b)
}

// runBatchList does the runs a request lists, from b.NextIndex.
func (e *Engine) runBatchList(ctx context.Context, b *batchState, step func(*commonpb.WorkflowExecution) bool, save func() bool) bool {
	targets := batchTargets(b.request)
	for b.NextIndex < len(targets) {
		if !step(targets[b.NextIndex]) {
			return false
		}
		b.NextIndex++
		if !save() {
			return false
		}
	}
	return true
}

// runBatchQuery does the runs the request's query selects, in workflow id
// and run id order from b.Cursor, so the position survives runs leaving the
// query's results as the operation changes them.
func (e *Engine) runBatchQuery(ctx context.Context, rec *store.Record, b *batchState, step func(*commonpb.WorkflowExecution) bool, save func() bool) bool {
	catalog, err := e.searchAttributeCatalog(ctx, rec.NamespaceID)
	if err != nil {
		return false
	}
	q, err := compileQuery(b.request.GetVisibilityQuery(), catalog)
	if err != nil {
		e.log.Warn("a batch operation's query no longer compiles; the batch fails", "job_id", rec.ID, "error", err)
		return true
	}
	order, err := compileQuery("ORDER BY WorkflowId", catalog)
	if err != nil {
		return false
	}
	q.OrderBy, q.GroupBy = order.OrderBy, nil
	for {
		params := &store.ListExecutionsParams{NamespaceID: rec.NamespaceID, Query: q, PageSize: 100}
		if len(b.Cursor) > 0 {
			if params.After, err = visibility.DecodeCursor(b.Cursor, q); err != nil {
				return true
			}
		}
		page, err := e.store.ListExecutions(ctx, params)
		if err != nil {
			if ctx.Err() == nil && e.waitBatchRetry(ctx, 1) {
				continue
			}
			return false
		}
		for _, row := range page.Executions {
			if !step(&commonpb.WorkflowExecution{WorkflowId: row.WorkflowID, RunId: row.RunID}) {
				return false
			}
			b.Cursor = (&visibility.Cursor{Keys: []any{row.WorkflowID, row.RunID}}).Encode()
			if !save() {
				return false
			}
		}
		if page.Next == nil {
			return true
		}
	}
}

// batchProgress tracks what a running batch has not saved yet.
type batchProgress struct {
	unsaved  int
	lastSave time.Time
}

// due reports whether the progress should be saved now: every
// batchSaveEvery runs, and at least every batchSaveInterval while runs are
// done.
func (p *batchProgress) due(now time.Time) bool {
	return p.unsaved >= batchSaveEvery || (p.unsaved > 0 && now.Sub(p.lastSave) >= batchSaveInterval)
}

// saveBatch writes b over rec, retrying with backoff while the store fails
// and ctx lasts. It reports whether the save succeeded.
func (e *Engine) saveBatch(ctx context.Context, rec *store.Record, b *batchState) bool {
	data, err := b.encode()
	if err != nil {
		e.log.Error("encoding a batch operation failed", "job_id", rec.ID, "error", err)
		return false
	}
	for failures := 1; ; failures++ {
		r := &store.Record{NamespaceID: rec.NamespaceID, Kind: rec.Kind, ID: rec.ID, Data: data}
		err := e.store.Write(ctx, &store.Transition{Records: []store.RecordWrite{{Record: r, ExpectedVersion: rec.Version}}})
		if err == nil {
			rec.Version = r.Version
			return true
		}
		if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrClosed) {
			e.log.Error("saving a batch operation's progress failed", "job_id", rec.ID, "error", err)
			return false
		}
		e.logStoreFault("saving a batch operation's progress failed; will retry", err, "job_id", rec.ID)
		if !e.waitBatchRetry(ctx, failures) {
			return false
		}
	}
}

// waitBatchRetry waits before the retry after failures failures, on the wall
// clock; false when ctx ends first.
func (e *Engine) waitBatchRetry(ctx context.Context, failures int) bool {
	return e.sleepWall(ctx, batchSaveRetries.Delay(failures)) == nil
}

// paceBatch waits for the limiter's next slot on the wall clock.
func (e *Engine) paceBatch(ctx context.Context, limiter *rate.Limiter) error {
	now := e.cfg.WallClock.Now()
	return e.sleepWall(ctx, limiter.ReserveN(now, 1).DelayFrom(now))
}

// sleepWall waits d on the wall clock, which a time-skipping clock never
// moves, or until ctx ends.
func (e *Engine) sleepWall(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil || d <= 0 {
		return err
	}
	done := make(chan struct{})
	t := e.cfg.WallClock.AfterFunc(d, func() { close(done) })
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		t.Stop()
		return ctx.Err()
	}
}

// isRunGone reports a run that is gone or already closed (NotFound), which
// a batch counts as done, as Temporal's batcher does.
func isRunGone(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}
