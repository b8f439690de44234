package engine

import (
	"context"
	"fmt"

	"go.temporal.io/api/serviceerror"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/store"
)

// recoverPageSize is how many open runs recovery loads at a time.
const recoverPageSize = 500

// recover reads every open run and re-creates its tasks and deadline, so work
// acknowledged before a crash or restart continues.
//
// Runs leave the run cache as usual meanwhile, so memory holds the cache and
// the queues' windows, not every open run. Other loads of runs (cross-run
// work started by recovery) wait until it is over: a run loaded for the first
// time takes its pending tasks as already queued and counted
// (adoptStoredTasks), which is true only once recovery has done so.
func (e *Engine) recover(ctx context.Context) error {
	e.recovering.Store(true)
	defer func() {
		e.recovering.Store(false)
		close(e.recovered)
	}()
	page, err := e.store.ListOpenExecutions(ctx, nil, recoverPageSize)
	count, listed := 0, 0
	for {
		if err != nil {
			return fmt.Errorf("listing open runs: %w", err)
		}
		listed += len(page.Executions)
		for _, row := range page.Executions {
			st, err := machine.Decode(row.State)
			if err != nil {
				e.log.Error("skipping run with unreadable state", e.runLogAttrs(runKey{row.NamespaceID, row.WorkflowID, row.RunID}, "error", err)...)
				continue
			}
			r := e.runs.lock(runKey{row.NamespaceID, row.WorkflowID, row.RunID})
			if r.state == nil {
				r.state = st
				r.version = row.Version
				r.stored = columnsOf(st)
				e.dispatch(r)
				e.scheduleEffects(r, nil)
			}
			r.mu.Unlock()
			count++
		}
		if page.Next == nil {
			break
		}
		page, err = e.store.ListOpenExecutions(ctx, page.Next, recoverPageSize)
	}
	e.metrics.recovered(int64(count))
	if count > 0 {
		e.log.Info("recovered open workflow runs", "count", count)
	}
	return e.crossCheckRecovered(ctx, listed)
}

// unindexedOpenCounter is implemented by stores that can count open runs
// without the index recovery lists them by.
type unindexedOpenCounter interface {
	CountOpenExecutionsUnindexed(ctx context.Context) (int64, error)
}

// crossCheckRecovered refuses to start when recovery listed fewer open runs
// than the table holds: a damaged index would otherwise leave those runs
// stuck without a word.
func (e *Engine) crossCheckRecovered(ctx context.Context, listed int) error {
	c, ok := e.store.(unindexedOpenCounter)
	if !ok {
		return nil
	}
	n, err := c.CountOpenExecutionsUnindexed(ctx)
	if err != nil {
		return fmt.Errorf("counting open runs: %w", err)
	}
	if n != int64(listed) {
		return fmt.Errorf("%w: the open-runs index lists %d runs but the table holds %d; "+
			"stop the server, run \"sundial check\", and restore a backup or rebuild the index (sqlite3 DB 'REINDEX executions_open')",
			store.ErrCorrupt, listed, n)
	}
	return nil
}

// awaitRecovery waits until recovery is over, ctx ends or the engine stops.
func (e *Engine) awaitRecovery(ctx context.Context) error {
	select {
	case <-e.recovered:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for recovery of open runs: %w", ctx.Err())
	case <-e.stopped:
		return serviceerror.NewUnavailable("the engine stopped")
	}
}
