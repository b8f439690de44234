package engine

import (
	"context"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/matching"
)

// queryPollerUnavailableWindow is how recently a worker must have polled a run's
// queues for an unanswered query to count as slow rather than workerless; Temporal's
// matching.queryPollerUnavailableWindow default.
const queryPollerUnavailableWindow = 20 * time.Second

// queryAnswerReserve is how long before the caller's deadline the engine stops
// waiting for a worker and answers the query itself (Temporal's matching reserves
// the same second), so that the caller receives a status and a text rather than
// its own deadline or a stream reset racing it.
const queryAnswerReserve = time.Second

// queryQueues are the task queues a worker answering queries of s polls.
func queryQueues(s *machine.State) []matching.QueueKey {
	queues := []matching.QueueKey{workflowQueue(s.NamespaceID, s.TaskQueue)}
	if s.Open() && s.StickyQueue != "" {
		queues = append(queues, workflowQueue(s.NamespaceID, s.StickyQueue))
	}
	return queues
}

// queryGiveUp returns a channel that is closed when the engine should stop waiting
// for a query's answer: queryAnswerReserve before ctx's deadline (half the time left,
// if that is shorter). Without a deadline it never closes. stop releases the timer.
func (e *Engine) queryGiveUp(ctx context.Context) (giveUp <-chan struct{}, stop func()) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return nil, func() {}
	}
	left := deadline.Sub(e.cfg.WallClock.Now())
	wait := left - min(queryAnswerReserve, left/2)
	ch := make(chan struct{})
	t := e.cfg.WallClock.AfterFunc(max(wait, 0), func() { close(ch) })
	return ch, func() { t.Stop() }
}

// unansweredQueryError is the answer to a query no worker answered in time: as
// Temporal's matching answers, FailedPrecondition when no worker has polled the
// run's queues recently, DeadlineExceeded otherwise.
func (e *Engine) unansweredQueryError(queues []matching.QueueKey) error {
	now := e.cfg.WallClock.Now()
	for _, q := range queues {
		if last := e.tasks.LastPoll(q); !last.IsZero() && now.Sub(last) <= queryPollerUnavailableWindow {
			return serviceerror.NewDeadlineExceeded("query was not answered before the request's deadline: a worker polls the task queue but did not answer in time")
		}
	}
	return serviceerror.NewFailedPrecondition("no poller seen for task queue recently, worker may be down")
}
