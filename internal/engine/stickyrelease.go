package engine

import (
	"context"
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
// with ctx, or once both the poll has waited and the worker's normal queue has
// gone unserved for stickyReleaseAfter (the first bound keeps a worker that
// keeps choosing its sticky queue from spinning on empty answers). Call cancel
// when the poll is over.
func (e *Engine) stickyPollContext(ctx context.Context, nsID string, req *workflowservice.PollWorkflowTaskQueueRequest) (context.Context, context.CancelFunc) {
	tq := req.GetTaskQueue()
	if tq.GetKind() != enumspb.TASK_QUEUE_KIND_STICKY || tq.GetNormalName() == "" {
		return ctx, func() {}
	}
	normal := workflowQueue(nsID, tq.GetNormalName())
	pollCtx, cancel := context.WithCancel(ctx)
	go e.releaseWhenUnserved(pollCtx, cancel, normal)
	return pollCtx, cancel
}

// releaseWhenUnserved calls release once queue has held unserved tasks for
// stickyReleaseAfter, or returns when ctx ends.
func (e *Engine) releaseWhenUnserved(ctx context.Context, release context.CancelFunc, queue matching.QueueKey) {
	wall := e.cfg.WallClock
	parked := wall.Now()
	for {
		since, changed := e.tasks.Unserved(queue)
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
			release()
			return
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
