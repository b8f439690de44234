package worker

import (
	"context"
	"errors"
	"log/slog"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// pollTimeout is the gRPC deadline of a long poll; the server answers (empty if need
// be) a little before it.
const pollTimeout = 70 * time.Second

// pollLoop takes an execution slot, waits for the rate limiter, polls, and hands any task
// to a new execution goroutine that releases the slot when done. It returns when ctx
// (the worker's polling context) ends.
func (w *Worker) pollLoop(ctx context.Context, poller int) {
	defer w.pollers.Done()
	w.metrics.pollerStarted(w.metrics.activity)
	logger := w.opts.Logger.With(slog.String("task_queue", w.taskQueue), slog.Int("poller", poller))
	delays := pollDelays{errors: w.pollBackoff, exhausted: w.exhaustedBackoff, what: "activity"}
	for {
		select {
		case w.slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		release := func() { <-w.slots }
		if !w.limiter.wait(ctx) {
			release()
			return
		}
		task, err := w.poll(ctx)
		if err != nil {
			release()
			if ctx.Err() != nil {
				return
			}
			if !delays.wait(ctx, logger, err) {
				return
			}
			continue
		}
		delays.errors.reset()
		delays.exhausted.reset()
		if len(task.GetTaskToken()) == 0 {
			release() // the long poll ended without a task
			w.metrics.activityPollEmpty()
			continue
		}
		w.metrics.slots(w.metrics.activity, len(w.slots), cap(w.slots))
		w.executions.Add(1)
		go func() {
			defer w.executions.Done()
			defer func() {
				release()
				w.metrics.slots(w.metrics.activity, len(w.slots), cap(w.slots))
			}()
			w.runTask(task)
		}()
	}
}

func (w *Worker) poll(ctx context.Context) (*workflowservice.PollActivityTaskQueueResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	req := &workflowservice.PollActivityTaskQueueRequest{
		Namespace:         w.client.Namespace(),
		TaskQueue:         &taskqueuepb.TaskQueue{Name: w.taskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		Identity:          w.opts.Identity,
		WorkerInstanceKey: w.instanceKey,
	}
	if rate := w.opts.TaskQueueActivitiesPerSecond; rate > 0 {
		req.TaskQueueMetadata = &taskqueuepb.TaskQueueMetadata{MaxTasksPerSecond: wrapperspb.Double(rate)}
	}
	req.WorkerVersionCapabilities, req.DeploymentOptions = w.pollVersion()
	return w.client.WorkflowService().PollActivityTaskQueue(ctx, req)
}

// pollDelays are one poller's backoffs after poll errors.
type pollDelays struct {
	errors    backoff
	exhausted backoff
	// what names the kind of task polled, for the log.
	what string
}

// wait logs a poll error and sleeps before the next poll: longer when the server said it
// is overloaded. A long poll that hit its own deadline is retried at once. It reports
// false if ctx ended while sleeping.
func (d *pollDelays) wait(ctx context.Context, logger *slog.Logger, err error) bool {
	var exhausted *serviceerror.ResourceExhausted
	var deadline *serviceerror.DeadlineExceeded
	var delay time.Duration
	switch {
	case errors.As(err, &deadline) || errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &exhausted):
		delay = d.exhausted.next()
	default:
		delay = d.errors.next()
	}
	logger.Warn("polling for "+d.what+" tasks failed; retrying", "error", err, slog.Duration("backoff", delay))
	return sleep(ctx, delay)
}
