package engine

import (
	"context"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/matching"
)

// stickyReleaseAfter is how long a normal workflow queue may hold tasks that
// no poller waits for before the idle sticky polls of its workers are ended.
//
// An SDK worker shares its workflow pollers between its sticky queue and the
// normal one, and while the last poll response it read said the sticky queue
// had a backlog it sends every poller to the sticky queue. Responses are read
// in any order, so a worker can be left with all its pollers parked on an empty
// sticky queue while new workflows' first tasks wait on the normal queue with
// nobody polling it. An empty answer resets that worker's view and sends
// pollers back to the normal queue.
const stickyReleaseAfter = 20 * time.Millisecond

// stickyPollContext returns the context a sticky poll waits under: it ends
// with ctx, or once the poll has waited and the worker's normal queue has gone
// unserved for stickyReleaseAfter, if no other poll of the same sticky queue
// was released in the last stickyReleaseAfter: one empty answer resets the
// worker's view, and the spacing keeps a worker that keeps choosing its sticky
// queue (or polls it with a fixed share of its pollers) from spinning on
// empty answers. Call cancel when the poll is over.
func (e *Engine) stickyPollContext(ctx context.Context, nsID string, req *workflowservice.PollWorkflowTaskQueueRequest) (context.Context, context.CancelFunc) {
	tq := req.GetTaskQueue()
	if tq.GetKind() != enumspb.TASK_QUEUE_KIND_STICKY || tq.GetNormalName() == "" {
		return ctx, func() {}
	}
	sticky := workflowQueue(nsID, tq.GetName())
	normal := workflowQueue(nsID, tq.GetNormalName())
	pollCtx, cancel := context.WithCancel(ctx)
	go e.releaseWhenUnserved(pollCtx, cancel, sticky, normal)
	return pollCtx, cancel
}

// releaseWhenUnserved calls release once normal has held unserved tasks for
// stickyReleaseAfter and e.stickyReleases lets sticky go, or returns when ctx
// ends.
func (e *Engine) releaseWhenUnserved(ctx context.Context, release context.CancelFunc, sticky, normal matching.QueueKey) {
	wall := e.cfg.WallClock
	parked := wall.Now()
	for {
		since, changed := e.tasks.Unserved(normal)
		if since.IsZero() {
			select {
			case <-ctx.Done():
				return
			case <-changed:
				continue
			}
		}
		now := wall.Now()
		wait := max(stickyReleaseAfter-now.Sub(since), stickyReleaseAfter-now.Sub(parked))
		if wait <= 0 {
			next, ok := e.stickyReleases.claim(sticky, now)
			if ok {
				release()
				return
			}
			wait = next.Sub(now)
		}
		due := make(chan struct{})
		t := wall.AfterFunc(wait, func() { close(due) })
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-due:
		}
	}
}

// releaseSpacing remembers when a poll of each sticky queue was last released,
// so that releases of one worker's polls are at least stickyReleaseAfter apart.
type releaseSpacing struct {
	mu   sync.Mutex
	last map[matching.QueueKey]time.Time
}

// releaseMemory bounds the spacing table: entries older than this are
// forgotten whenever it has grown past releaseMemoryEntries.
const (
	releaseMemory        = time.Minute
	releaseMemoryEntries = 1024
)

// claim records a release of sticky at now and reports true, or reports false
// and when the next release may happen.
func (g *releaseSpacing) claim(sticky matching.QueueKey, now time.Time) (time.Time, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if last, seen := g.last[sticky]; seen && now.Before(last.Add(stickyReleaseAfter)) {
		return last.Add(stickyReleaseAfter), false
	}
	if g.last == nil {
		g.last = map[matching.QueueKey]time.Time{}
	}
	if len(g.last) >= releaseMemoryEntries {
		for k, at := range g.last {
			if now.Sub(at) > releaseMemory {
				delete(g.last, k)
			}
		}
	}
	g.last[sticky] = now
	return now, true
}
