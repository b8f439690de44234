package engine

import (
	"context"
	"sync"
	"time"

	"github.com/sundialdev/sundial/internal/backoff"
	"github.com/sundialdev/sundial/internal/clock"
)

// effects runs the work a transition sets off in other runs — starting a child,
// telling a parent its child closed, delivering a signal or cancel request to
// another workflow, applying a parent close policy. Such work happens after the
// transition commits, outside its run's lock, on a small pool of workers owned
// by the engine.
//
// Every job is idempotent and everything it needs is in the persisted state of
// the run that set it off, so a job lost in a crash is set off again when the
// run is loaded on restart.
type effects struct {
	clock   clock.Clock
	mu      sync.Mutex
	cond    *sync.Cond
	queue   []effectJob
	pending map[string]struct{} // keys of queued or running jobs
	closed  bool
	wg      sync.WaitGroup
	// busy, if set, is told +1 when a job is queued and -1 when it is done, so
	// the engine can count cross-run work as outstanding.
	busy func(delta int64)
}

// effectJob is one piece of cross-run work. run returns an error to be retried.
type effectJob struct {
	key string
	run func(ctx context.Context) error
	// failures counts the job's consecutive failed runs.
	failures int
}

// effectRetries is how failed jobs are retried: the wait doubles from a second
// up to a minute, and after ten failures in a row (about six minutes) the job
// is dropped with an error. A dropped job is set off again by its run's next
// load or transition, so it stops holding the engine busy (and a
// time-skipping clock still) while whatever it needs stays broken.
var effectRetries = backoff.Policy{Initial: time.Second, Max: time.Minute, GiveUpAfter: 10}

// effectLogger receives the outcome of failed jobs: retry says whether the
// job will run again after wait, or was given up.
type effectLogger func(key string, err error, failures int, retry bool, wait time.Duration)

func newEffects(clk clock.Clock) *effects {
	f := &effects{clock: clk, pending: map[string]struct{}{}}
	f.cond = sync.NewCond(&f.mu)
	return f
}

// start launches n workers.
func (f *effects) start(n int, ctx context.Context, log effectLogger) {
	for range n {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			for {
				job, ok := f.take()
				if !ok {
					return
				}
				err := job.run(ctx)
				if err != nil && ctx.Err() == nil {
					job.failures++
					if !effectRetries.Exhausted(job.failures) {
						wait := effectRetries.Delay(job.failures)
						log(job.key, err, job.failures, true, wait)
						f.clock.AfterFunc(wait, func() { f.requeue(job) })
						continue
					}
					log(job.key, err, job.failures, false, 0)
				}
				f.mu.Lock()
				delete(f.pending, job.key)
				f.mu.Unlock()
				if f.busy != nil {
					f.busy(-1)
				}
			}
		}()
	}
}

// add queues a job unless one with the same key is queued or running. It never
// blocks, so it may be called with a run locked.
func (f *effects) add(key string, run func(ctx context.Context) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	if _, dup := f.pending[key]; dup {
		return
	}
	f.pending[key] = struct{}{}
	f.queue = append(f.queue, effectJob{key: key, run: run})
	f.cond.Signal()
	if f.busy != nil {
		f.busy(1)
	}
}

func (f *effects) requeue(job effectJob) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.queue = append(f.queue, job)
	f.cond.Signal()
}

func (f *effects) take() (effectJob, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.queue) == 0 && !f.closed {
		f.cond.Wait()
	}
	if f.closed {
		return effectJob{}, false
	}
	job := f.queue[0]
	f.queue = f.queue[1:]
	return job, true
}

// stop makes the workers exit after their current job and waits for them.
func (f *effects) stop() {
	f.mu.Lock()
	f.closed = true
	f.cond.Broadcast()
	f.mu.Unlock()
	f.wg.Wait()
}

// logEffectFailure reports a failed cross-run job: a warning while it is
// retried, an error once it is given up.
func (e *Engine) logEffectFailure(key string, err error, failures int, retry bool, wait time.Duration) {
	attrs := []any{"job", key, "failures", failures, "error", err}
	if run, ok := effectRun(key); ok {
		attrs = e.runLogAttrs(run, attrs...)
	}
	if retry {
		e.log.Warn("cross-run work failed; will retry", append(attrs, "retry_in", wait)...)
		return
	}
	e.log.Error("cross-run work failed repeatedly; giving up until the run is next loaded or changed", attrs...)
}
