package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// workflowQueues are the task queues workflow pollers serve: the worker's task queue,
// and its own sticky queue while sticky execution is on.
func (w *Worker) workflowQueues() (normal, sticky *taskqueuepb.TaskQueue) {
	normal = &taskqueuepb.TaskQueue{Name: w.taskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL}
	if w.stickyQueue != "" {
		sticky = &taskqueuepb.TaskQueue{Name: w.stickyQueue, Kind: enumspb.TASK_QUEUE_KIND_STICKY, NormalName: w.taskQueue}
	}
	return normal, sticky
}

// newTaskHandler builds the workflow task handler from the worker's options.
func (w *Worker) newTaskHandler() *workflowrt.TaskHandler {
	return workflowrt.NewTaskHandler(w.workflows, workflowrt.TaskHandlerOptions{
		Namespace:                    w.client.Namespace(),
		Identity:                     w.opts.Identity,
		Service:                      w.client.WorkflowService(),
		DataConverter:                w.client.DataConverter(),
		FailureConverter:             w.client.FailureConverter(),
		Logger:                       w.opts.Logger,
		CacheSize:                    w.opts.workflowCacheSize(),
		StickyTaskQueue:              w.stickyQueue,
		NormalTaskQueue:              w.taskQueue,
		LocalActivities:              localActivities{w: w},
		DeadlockDetectionTimeout:     w.opts.DeadlockDetectionTimeout,
		StickyScheduleToStartTimeout: w.opts.StickyScheduleToStartTimeout,
		Tracer:                       w.client.Tracer(),
		Versioning:                   w.version,
		DefaultVersioningBehavior:    w.opts.DeploymentOptions.DefaultVersioningBehavior.ToProto(),
	})
}

// startWorkflowPollers starts the workflow task pollers of both queues.
func (w *Worker) startWorkflowPollers(ctx context.Context) {
	normal, sticky := w.workflowQueues()
	normalPollers, stickyPollers := w.opts.workflowPollers()
	for i := range normalPollers {
		w.pollers.Add(1)
		go w.workflowPollLoop(ctx, normal, i)
	}
	if sticky == nil {
		return
	}
	for i := range stickyPollers {
		w.pollers.Add(1)
		go w.workflowPollLoop(ctx, sticky, i)
	}
}

// workflowPollLoop polls queue whenever a workflow task slot is free and processes
// each task on a new goroutine that holds a slot until done. It returns when ctx ends.
//
// Unlike activity pollers, workflow pollers do not hold a slot during the long poll:
// the task queue and the sticky queue both need a poll open at all times (a sticky
// task nobody polls waits StickyScheduleToStartTimeout before it falls back to the
// task queue), whatever the number of slots. A poll that returns while every slot is
// busy waits for one, which only happens when more than the limit is in flight for a
// moment; processing never exceeds MaxConcurrentWorkflowTaskExecutionSize.
func (w *Worker) workflowPollLoop(ctx context.Context, queue *taskqueuepb.TaskQueue, poller int) {
	defer w.pollers.Done()
	w.metrics.pollerStarted(w.metrics.workflow)
	logger := w.opts.Logger.With(slog.String("task_queue", queue.GetName()), slog.Int("workflow_poller", poller))
	delays := pollDelays{errors: w.pollBackoff, exhausted: w.exhaustedBackoff, what: "workflow"}
	for {
		// Wait for a free slot without keeping it.
		select {
		case w.workflowSlots <- struct{}{}:
			<-w.workflowSlots
		case <-ctx.Done():
			return
		}
		task, err := w.pollWorkflowTask(ctx, queue)
		if err != nil {
			if ctx.Err() != nil || !delays.wait(ctx, logger, err) {
				return
			}
			continue
		}
		delays.errors.reset()
		delays.exhausted.reset()
		w.metrics.workflowPolled(task)
		if len(task.GetTaskToken()) == 0 {
			continue
		}
		w.workflowSlots <- struct{}{} // a task in hand is processed, even while stopping
		w.metrics.slots(w.metrics.workflow, len(w.workflowSlots), cap(w.workflowSlots))
		w.workflowTasks.Add(1)
		go func() {
			defer w.workflowTasks.Done()
			defer func() {
				<-w.workflowSlots
				w.metrics.slots(w.metrics.workflow, len(w.workflowSlots), cap(w.workflowSlots))
			}()
			w.processWorkflowTask(logger, task)
		}()
	}
}

func (w *Worker) pollWorkflowTask(ctx context.Context, queue *taskqueuepb.TaskQueue) (*workflowservice.PollWorkflowTaskQueueResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	req := &workflowservice.PollWorkflowTaskQueueRequest{
		Namespace:         w.client.Namespace(),
		TaskQueue:         queue,
		Identity:          w.opts.Identity,
		WorkerInstanceKey: w.instanceKey,
	}
	req.WorkerVersionCapabilities, req.DeploymentOptions = w.pollVersion()
	return w.client.WorkflowService().PollWorkflowTaskQueue(ctx, req)
}

// processWorkflowTask runs one workflow or query task through the handler and sends
// its answer. A task that cannot be answered is dropped: the server retries it when
// its timeout passes.
func (w *Worker) processWorkflowTask(logger *slog.Logger, task *workflowservice.PollWorkflowTaskQueueResponse) {
	exec := task.GetWorkflowExecution()
	logger = logger.With(slog.String("workflow_id", exec.GetWorkflowId()), slog.String("run_id", exec.GetRunId()),
		slog.String("workflow_type", task.GetWorkflowType().GetName()))
	begin := time.Now()
	result, err := w.handler.Process(w.activityCtx, task)
	w.metrics.workflowTaskProcessed(task, time.Since(begin), result, err, w.handler.CachedRuns())
	if err != nil {
		logger.Warn("workflow task dropped: it could not be processed", "error", err)
		return
	}
	if result.Err != nil {
		logger.Error("workflow task failed", "error", result.Err, slog.Int("attempt", int(task.GetAttempt())))
	}
	svc := w.client.WorkflowService()
	switch {
	case result.Completed != nil:
		w.respond(logger, "RespondWorkflowTaskCompleted", func(ctx context.Context) error {
			_, err := svc.RespondWorkflowTaskCompleted(ctx, result.Completed)
			if err != nil {
				// The cached run is now ahead of the history the server kept.
				w.handler.Evict(exec.GetRunId())
			}
			return err
		})
	case result.Failed != nil:
		w.respond(logger, "RespondWorkflowTaskFailed", func(ctx context.Context) error {
			_, err := svc.RespondWorkflowTaskFailed(ctx, result.Failed)
			return err
		})
	case result.QueryCompleted != nil:
		w.respond(logger, "RespondQueryTaskCompleted", func(ctx context.Context) error {
			_, err := svc.RespondQueryTaskCompleted(ctx, result.QueryCompleted)
			return err
		})
	}
}

// shutdownQueueTypes are the task queue types the worker polled, for ShutdownWorker.
func (w *Worker) shutdownQueueTypes() []enumspb.TaskQueueType {
	var types []enumspb.TaskQueueType
	if !w.workflows.Empty() {
		types = append(types, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
	}
	if !w.activities.Empty() {
		types = append(types, enumspb.TASK_QUEUE_TYPE_ACTIVITY)
	}
	if w.nexus != nil {
		types = append(types, enumspb.TASK_QUEUE_TYPE_NEXUS)
	}
	return types
}
