package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nexus-rpc/sdk-go/nexus"
	"github.com/sundialdev/sundial/internal/sdk/nexusrt"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// nexusRunner is the Nexus part of a worker, set by RegisterNexusService. The worker
// reaches it only through this interface, so a program that never registers a Nexus
// service does not link the Nexus handler code.
type nexusRunner interface {
	// start starts the Nexus pollers; they end with ctx.
	start(ctx context.Context)
}

// nexusWorker polls the worker's task queue for Nexus tasks and runs them with the
// registered services.
type nexusWorker struct {
	w        *Worker
	registry *nexus.ServiceRegistry
	handler  nexus.Handler
	tasks    *nexusrt.TaskHandler
	slots    chan struct{}
	metrics  nexusMetrics
}

// RegisterNexusService registers a Nexus service (see package nexusop for Sundial's
// operation helpers; operations made with nexus.NewSyncOperation work too). The
// worker then also polls its task queue for Nexus tasks: the requests of the
// endpoints whose target is this namespace and task queue. A service without
// operations, a name already registered or a worker already started is reported.
func (w *Worker) RegisterNexusService(s *nexus.Service) error {
	if s == nil {
		return fmt.Errorf("worker for task queue %q: nil Nexus service", w.taskQueue)
	}
	w.lifecycle.Lock()
	defer w.lifecycle.Unlock()
	if w.started {
		return fmt.Errorf("worker for task queue %q: register Nexus service %q before Start", w.taskQueue, s.Name)
	}
	// A registry of its own checks the service alone (NewHandler refuses a service
	// without operations) before the worker's registry takes it.
	alone := nexus.NewServiceRegistry()
	if err := alone.Register(s); err != nil {
		return fmt.Errorf("worker for task queue %q: Nexus service %q: %w", w.taskQueue, s.Name, err)
	}
	if _, err := alone.NewHandler(); err != nil {
		return fmt.Errorf("worker for task queue %q: Nexus service %q: %w", w.taskQueue, s.Name, err)
	}
	nw, _ := w.nexus.(*nexusWorker)
	if nw == nil {
		nw = &nexusWorker{w: w, registry: nexus.NewServiceRegistry()}
	}
	if err := nw.registry.Register(s); err != nil {
		return fmt.Errorf("worker for task queue %q: Nexus service %q: %w", w.taskQueue, s.Name, err)
	}
	handler, err := nw.registry.NewHandler()
	if err != nil {
		return fmt.Errorf("worker for task queue %q: Nexus service %q: %w", w.taskQueue, s.Name, err)
	}
	nw.handler = handler
	w.nexus = nw
	return nil
}

func (n *nexusWorker) start(ctx context.Context) {
	w := n.w
	n.tasks = nexusrt.NewTaskHandler(nexusrt.TaskHandlerOptions{
		Handler:          n.handler,
		Client:           w.client,
		Namespace:        w.client.Namespace(),
		TaskQueue:        w.taskQueue,
		Identity:         w.opts.Identity,
		DataConverter:    w.client.DataConverter(),
		FailureConverter: w.client.FailureConverter(),
		Logger:           w.opts.Logger,
	})
	n.slots = make(chan struct{}, w.opts.MaxConcurrentNexusTaskExecutionSize)
	n.metrics = newNexusMetrics(w.client.MetricsHandler(), w.taskQueue)
	n.metrics.started(w.opts.MaxConcurrentNexusTaskPollers)
	n.metrics.slots(0, cap(n.slots))
	for i := range w.opts.MaxConcurrentNexusTaskPollers {
		w.pollers.Add(1)
		go n.pollLoop(ctx, i)
	}
}

// pollLoop takes a task slot, polls, and runs any task on a new goroutine that
// releases the slot when done. It returns when ctx (the worker's polling context)
// ends. Running tasks count among the worker's executions, so Stop drains them like
// activities: it waits GracefulShutdownTimeout, then cancels their contexts.
func (n *nexusWorker) pollLoop(ctx context.Context, poller int) {
	w := n.w
	defer w.pollers.Done()
	logger := w.opts.Logger.With(slog.String("task_queue", w.taskQueue), slog.Int("nexus_poller", poller))
	delays := pollDelays{errors: w.pollBackoff, exhausted: w.exhaustedBackoff, what: "Nexus"}
	for {
		select {
		case n.slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		release := func() { <-n.slots }
		task, err := n.poll(ctx)
		if err != nil {
			release()
			if ctx.Err() != nil || !delays.wait(ctx, logger, err) {
				return
			}
			continue
		}
		delays.errors.reset()
		delays.exhausted.reset()
		n.metrics.polled(task)
		if len(task.GetTaskToken()) == 0 || task.GetRequest() == nil {
			release()
			continue
		}
		n.metrics.slots(len(n.slots), cap(n.slots))
		w.executions.Add(1)
		go func() {
			defer w.executions.Done()
			defer func() {
				release()
				n.metrics.slots(len(n.slots), cap(n.slots))
			}()
			n.process(logger, task)
		}()
	}
}

func (n *nexusWorker) poll(ctx context.Context) (*workflowservice.PollNexusTaskQueueResponse, error) {
	w := n.w
	ctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	req := &workflowservice.PollNexusTaskQueueRequest{
		Namespace:         w.client.Namespace(),
		TaskQueue:         &taskqueuepb.TaskQueue{Name: w.taskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		Identity:          w.opts.Identity,
		WorkerInstanceKey: w.instanceKey,
	}
	req.WorkerVersionCapabilities, req.DeploymentOptions = w.pollVersion()
	return w.client.WorkflowService().PollNexusTaskQueue(ctx, req)
}

// process runs one task and sends its reply. A task abandoned at its deadline or at
// shutdown is not answered: the server retries the request after its own timeout.
func (n *nexusWorker) process(logger *slog.Logger, task *workflowservice.PollNexusTaskQueueResponse) {
	w := n.w
	begin := time.Now()
	answer, err := n.tasks.Execute(w.activityCtx, task)
	n.metrics.executed(task, time.Since(begin), answer, err)
	switch {
	case errors.Is(err, nexusrt.ErrTaskAbandoned):
		logger.Warn("Nexus task abandoned: its handler outlived the request's deadline or the worker stopped")
		return
	case err != nil:
		logger.Error("Nexus task dropped: its reply could not be built", "error", err)
		return
	}
	svc := w.client.WorkflowService()
	var answered bool
	if answer.Failed != nil {
		answered = w.respond(logger, "RespondNexusTaskFailed", func(ctx context.Context) error {
			_, err := svc.RespondNexusTaskFailed(ctx, answer.Failed)
			return err
		})
	} else {
		answered = w.respond(logger, "RespondNexusTaskCompleted", func(ctx context.Context) error {
			_, err := svc.RespondNexusTaskCompleted(ctx, answer.Completed)
			return err
		})
	}
	if answered {
		n.metrics.answered(task)
	}
}
