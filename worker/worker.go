package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/internal/clock"
	"github.com/sundialdev/sundial/internal/sdk/activityreg"
	"github.com/sundialdev/sundial/internal/sdk/versionstamp"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

// rpcTimeout bounds every call the worker makes other than long polls.
const rpcTimeout = 10 * time.Second

// Worker runs the workflows and activities registered with it for one task queue.
// Create it with New, register workflows and activities, then Start and Stop it, or Run
// it.
type Worker struct {
	client    *client.Client
	taskQueue string
	opts      Options
	optsErr   error
	// instanceKey identifies this worker process to the server across its polls.
	instanceKey string

	activities *activityreg.Registry
	workflows  *workflowrt.Registry
	nexus      nexusRunner // nil until RegisterNexusService
	metrics    workerMetrics

	// stickyQueue is this worker's own workflow task queue; empty while sticky
	// execution is off. handler runs workflow tasks; it is created by Start.
	stickyQueue string
	handler     *workflowrt.TaskHandler
	// version holds the deployment version fields of polls and responses; nil
	// for a worker without DeploymentOptions, which sends none.
	version *versionstamp.Stamp

	// clock times heartbeat throttling; tests replace it with a virtual clock.
	clock clock.Clock
	// pollBackoff and exhaustedBackoff are the retry delays after poll errors;
	// tests shorten them.
	pollBackoff      backoff
	exhaustedBackoff backoff

	lifecycle sync.Mutex
	started   bool
	stopOnce  sync.Once

	stopCh           chan struct{} // closed when Stop begins
	cancelPolls      context.CancelFunc
	activityCtx      context.Context
	cancelActivities context.CancelCauseFunc
	pollers          sync.WaitGroup
	executions       sync.WaitGroup
	slots            chan struct{}
	workflowTasks    sync.WaitGroup
	workflowSlots    chan struct{}
	limiter          *rateLimiter
}

// New returns a worker for taskQueue that talks to the server through c. Invalid options
// are reported by Start.
func New(c *client.Client, taskQueue string, opts Options) *Worker {
	opts, err := opts.withDefaults(c.Identity(), c.Logger())
	w := &Worker{
		client:           c,
		taskQueue:        taskQueue,
		opts:             opts,
		optsErr:          err,
		instanceKey:      newInstanceKey(),
		activities:       activityreg.New(),
		workflows:        workflowrt.NewRegistry(),
		clock:            clock.Real(),
		pollBackoff:      backoff{initial: 200 * time.Millisecond, max: 10 * time.Second},
		exhaustedBackoff: backoff{initial: time.Second, max: 10 * time.Second},
		stopCh:           make(chan struct{}),
		version:          newVersionStamp(opts.DeploymentOptions),
	}
	w.metrics = newWorkerMetrics(c.MetricsHandler(), taskQueue)
	return w
}

func newInstanceKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// TaskQueue is the task queue the worker polls.
func (w *Worker) TaskQueue() string { return w.taskQueue }

// Start checks the configuration and the namespace (with DescribeNamespace, as Temporal's
// SDKs do) and starts polling. It returns
// once polling has begun.
func (w *Worker) Start() error {
	w.lifecycle.Lock()
	defer w.lifecycle.Unlock()
	if w.started {
		return fmt.Errorf("worker for task queue %q: already started", w.taskQueue)
	}
	if err := w.checkStartable(); err != nil {
		return err
	}
	if err := w.describeNamespace(); err != nil {
		return err
	}
	w.started = true

	pollCtx, cancelPolls := context.WithCancel(context.Background())
	w.cancelPolls = cancelPolls
	w.activityCtx, w.cancelActivities = context.WithCancelCause(context.Background())
	if !w.activities.Empty() {
		w.slots = make(chan struct{}, w.opts.MaxConcurrentActivityExecutionSize)
		w.limiter = newRateLimiter(w.opts.WorkerActivitiesPerSecond)
		w.metrics.started(w.metrics.activity)
		w.metrics.slots(w.metrics.activity, 0, cap(w.slots))
		for i := range w.opts.MaxConcurrentActivityTaskPollers {
			w.pollers.Add(1)
			go w.pollLoop(pollCtx, i)
		}
	}
	if !w.workflows.Empty() {
		if w.opts.workflowCacheSize() > 0 {
			w.stickyQueue = stickyQueueName(w.instanceKey)
		}
		w.handler = w.newTaskHandler()
		w.workflowSlots = make(chan struct{}, w.opts.MaxConcurrentWorkflowTaskExecutionSize)
		w.metrics.started(w.metrics.workflow)
		w.metrics.slots(w.metrics.workflow, 0, cap(w.workflowSlots))
		w.startWorkflowPollers(pollCtx)
	}
	if w.nexus != nil {
		w.nexus.start(pollCtx)
	}
	w.opts.Logger.Info("worker started",
		slog.String("task_queue", w.taskQueue), slog.String("namespace", w.client.Namespace()),
		slog.Any("workflows", w.workflows.Names()), slog.Any("activities", w.activities.Names()))
	return nil
}

// stickyQueueName is the name of a worker's own queue: the host name and the worker's
// instance key, unique per worker.
func stickyQueueName(instanceKey string) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return host + ":" + instanceKey
}

func (w *Worker) checkStartable() error {
	switch {
	case w.optsErr != nil:
		return fmt.Errorf("worker for task queue %q: %w", w.taskQueue, w.optsErr)
	case w.taskQueue == "":
		return errors.New("worker: task queue is empty")
	case w.activities.Empty() && w.workflows.Empty() && w.nexus == nil:
		return fmt.Errorf("worker for task queue %q: nothing registered: register at least one workflow, activity or Nexus service", w.taskQueue)
	}
	select {
	case <-w.stopCh:
		return fmt.Errorf("worker for task queue %q: stopped workers cannot start again", w.taskQueue)
	default:
		return nil
	}
}

// describeNamespace fails the start if the namespace does not exist. A server that does
// not implement DescribeNamespace is accepted.
func (w *Worker) describeNamespace() error {
	ctx, cancel := context.WithTimeout(context.Background(), rpcTimeout)
	defer cancel()
	_, err := w.client.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{
		Namespace: w.client.Namespace(),
	})
	var unimplemented *serviceerror.Unimplemented
	if err != nil && !errors.As(err, &unimplemented) {
		return fmt.Errorf("worker for task queue %q: describing namespace %q: %w", w.taskQueue, w.client.Namespace(), err)
	}
	return nil
}

// Stop stops the worker: it stops polling, closes activity.WorkerStopChannel, waits up to
// GracefulShutdownTimeout for running activities and workflow tasks, cancels the rest
// (activities with reason activity.WorkerShutdown), waits for every activity to return
// and be reported and every workflow task to be answered, calls ShutdownWorker (which
// sends the runs cached here to other workers at once) and drops the cached runs. An
// activity that ignores its context keeps Stop waiting.
// Stop may be called more than once, and before Start.
func (w *Worker) Stop() {
	w.stopOnce.Do(func() {
		w.lifecycle.Lock()
		started := w.started
		w.lifecycle.Unlock()
		close(w.stopCh)
		if !started {
			return
		}
		w.cancelPolls()
		w.pollers.Wait()
		w.drainActivities()
		w.shutdownWorkerRPC()
		if w.handler != nil {
			w.handler.Close()
		}
		w.opts.Logger.Info("worker stopped", slog.String("task_queue", w.taskQueue))
	})
}

// drainActivities gives running activities the graceful shutdown timeout to return, then
// cancels them and waits for them all.
func (w *Worker) drainActivities() {
	done := make(chan struct{})
	go func() {
		w.executions.Wait()
		w.workflowTasks.Wait()
		close(done)
	}()
	if w.opts.GracefulShutdownTimeout > 0 {
		timer := time.NewTimer(w.opts.GracefulShutdownTimeout)
		defer timer.Stop()
		select {
		case <-done:
		case <-timer.C:
		}
	}
	w.cancelActivities(activity.WorkerShutdown)
	<-done
}

// shutdownWorkerRPC tells the server the worker is gone. Failure changes nothing, so it
// is only logged.
func (w *Worker) shutdownWorkerRPC() {
	ctx, cancel := context.WithTimeout(context.Background(), rpcTimeout)
	defer cancel()
	_, err := w.client.WorkflowService().ShutdownWorker(ctx, &workflowservice.ShutdownWorkerRequest{
		Namespace:         w.client.Namespace(),
		StickyTaskQueue:   w.stickyQueue,
		Identity:          w.opts.Identity,
		Reason:            "graceful shutdown",
		WorkerInstanceKey: w.instanceKey,
		TaskQueue:         w.taskQueue,
		TaskQueueTypes:    w.shutdownQueueTypes(),
	})
	if err != nil {
		w.opts.Logger.Debug("ShutdownWorker failed", "error", err)
	}
}

// Run starts the worker, runs it until ctx is done, then stops it.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.Start(); err != nil {
		return err
	}
	<-ctx.Done()
	w.Stop()
	return nil
}
