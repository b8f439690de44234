package workflowrt_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/workflow"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// These tests drive the TaskHandler against Sundial's engine in process, with raw
// pollers standing in for the worker package.

func startServer(t *testing.T) *client.Client {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.New(server.Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:", Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
	})
	c, err := client.Dial(context.Background(), client.Options{HostPort: srv.Addr(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// testWorker polls one task queue (and its own sticky queue) for workflow tasks and
// answers them with a TaskHandler.
type testWorker struct {
	c             *client.Client
	handler       *workflowrt.TaskHandler
	taskQueue     string
	sticky        string
	partialTasks  atomic.Int32
	cancel        context.CancelFunc
	wg            sync.WaitGroup
	processErrors chan error
}

func startWorker(t *testing.T, c *client.Client, reg *workflowrt.Registry, taskQueue, sticky string) *testWorker {
	t.Helper()
	w := &testWorker{c: c, taskQueue: taskQueue, sticky: sticky, processErrors: make(chan error, 10)}
	w.handler = workflowrt.NewTaskHandler(reg, workflowrt.TaskHandlerOptions{
		Namespace: c.Namespace(), Identity: "e2e-" + sticky, Service: c.WorkflowService(),
		CacheSize: 10, StickyTaskQueue: sticky, NormalTaskQueue: taskQueue,
		StickyScheduleToStartTimeout: time.Second,
	})
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	queues := []*taskqueuepb.TaskQueue{
		{Name: taskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		{Name: sticky, Kind: enumspb.TASK_QUEUE_KIND_STICKY, NormalName: taskQueue},
	}
	for _, q := range queues {
		w.wg.Add(1)
		go w.poll(ctx, q)
	}
	t.Cleanup(w.stop)
	return w
}

func (w *testWorker) poll(ctx context.Context, q *taskqueuepb.TaskQueue) {
	defer w.wg.Done()
	svc := w.c.WorkflowService()
	for ctx.Err() == nil {
		task, err := svc.PollWorkflowTaskQueue(ctx, &workflowservice.PollWorkflowTaskQueueRequest{
			Namespace: w.c.Namespace(), TaskQueue: q, Identity: "e2e-" + w.sticky,
		})
		if err != nil || len(task.GetTaskToken()) == 0 {
			continue
		}
		if first := task.GetHistory().GetEvents(); len(first) > 0 && first[0].GetEventId() > 1 {
			w.partialTasks.Add(1)
		}
		if err := w.answer(ctx, task); err != nil && ctx.Err() == nil {
			select {
			case w.processErrors <- err:
			default:
			}
		}
	}
}

func (w *testWorker) answer(ctx context.Context, task *workflowservice.PollWorkflowTaskQueueResponse) error {
	result, err := w.handler.Process(ctx, task)
	if err != nil {
		return err
	}
	svc := w.c.WorkflowService()
	switch {
	case result.Completed != nil:
		if _, err := svc.RespondWorkflowTaskCompleted(ctx, result.Completed); err != nil {
			w.handler.Evict(task.GetWorkflowExecution().GetRunId())
			return fmt.Errorf("completing workflow task: %w", err)
		}
	case result.Failed != nil:
		if _, err := svc.RespondWorkflowTaskFailed(ctx, result.Failed); err != nil {
			return fmt.Errorf("failing workflow task: %w", err)
		}
		return result.Err
	case result.QueryCompleted != nil:
		if _, err := svc.RespondQueryTaskCompleted(ctx, result.QueryCompleted); err != nil {
			return fmt.Errorf("answering query: %w", err)
		}
	}
	return result.Err
}

// stop stops polling and tells the server the sticky queue is gone.
func (w *testWorker) stop() {
	w.cancel()
	w.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = w.c.WorkflowService().ShutdownWorker(ctx, &workflowservice.ShutdownWorkerRequest{
		Namespace: w.c.Namespace(), StickyTaskQueue: w.sticky, Identity: "e2e-" + w.sticky,
	})
	w.handler.Close()
}

// activityRunner executes activities from a task queue with plain functions.
type activityRunner struct {
	c     *client.Client
	queue string
	funcs map[string]func(in *commonpb.Payloads) (any, error)
	runs  sync.Map // activity type -> *atomic.Int32
}

func (a *activityRunner) count(name string) int32 {
	v, _ := a.runs.LoadOrStore(name, new(atomic.Int32))
	return v.(*atomic.Int32).Load()
}

// runOne polls and executes one activity task.
func (a *activityRunner) runOne(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	svc := a.c.WorkflowService()
	for {
		task, err := svc.PollActivityTaskQueue(ctx, &workflowservice.PollActivityTaskQueueRequest{
			Namespace: a.c.Namespace(), TaskQueue: &taskqueuepb.TaskQueue{Name: a.queue}, Identity: "e2e-activities",
		})
		if err != nil {
			t.Fatalf("polling activity task: %v", err)
		}
		if len(task.GetTaskToken()) == 0 {
			continue
		}
		name := task.GetActivityType().GetName()
		v, _ := a.runs.LoadOrStore(name, new(atomic.Int32))
		v.(*atomic.Int32).Add(1)
		fn, ok := a.funcs[name]
		if !ok {
			t.Fatalf("unexpected activity %s", name)
		}
		out, runErr := fn(task.GetInput())
		if runErr != nil {
			_, err = svc.RespondActivityTaskFailed(ctx, &workflowservice.RespondActivityTaskFailedRequest{
				Namespace: a.c.Namespace(), TaskToken: task.GetTaskToken(), Failure: a.c.FailureConverter().ErrorToFailure(runErr),
			})
		} else {
			result, encErr := a.c.DataConverter().ToPayloads(out)
			if encErr != nil {
				t.Fatal(encErr)
			}
			_, err = svc.RespondActivityTaskCompleted(ctx, &workflowservice.RespondActivityTaskCompletedRequest{
				Namespace: a.c.Namespace(), TaskToken: task.GetTaskToken(), Result: result,
			})
		}
		if err != nil {
			t.Fatalf("answering activity %s: %v", name, err)
		}
		return name
	}
}

// Typed declarations of the e2e order's activities.
var (
	chargeCard = activity.DefineNamed("ChargeCard", func(ctx context.Context, orderID string) (string, error) { return "", nil })
	shipOrder  = activity.DefineNamed("ShipOrder", func(ctx context.Context, orderID string) (bool, error) { return false, nil })
)

var statusQuery = workflow.NewQuery[struct{}, string]("status")

// e2eOrder charges the card, waits for a "ship" signal (answering a status query
// meanwhile), ships, and returns the transaction id.
func e2eOrder(ctx workflow.Context, orderID string) (string, error) {
	status := "charging"
	if err := workflow.SetQueryHandlerFor(ctx, statusQuery, func(struct{}) (string, error) { return status, nil }); err != nil {
		return "", err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	tx, err := workflow.ExecuteActivityFunc(ctx, chargeCard, orderID).Get(ctx)
	if err != nil {
		return "", err
	}
	status = "waiting for shipment approval"
	workflow.GetLogger(ctx).Info("charged", "tx", tx)
	workflow.GetSignalChannel(ctx, "ship").Receive(ctx, nil)
	status = "shipping"
	if _, err := workflow.ExecuteActivityFunc(ctx, shipOrder, orderID).Get(ctx); err != nil {
		return "", err
	}
	return fmt.Sprintf("Order %s: %s", orderID, tx), nil
}

func e2eSetup(t *testing.T) (*client.Client, *workflowrt.Registry, *activityRunner) {
	c := startServer(t)
	reg := workflowrt.NewRegistry()
	if err := reg.RegisterWorkflow(e2eOrder, workflowrt.RegisterOptions{Name: "Order"}); err != nil {
		t.Fatal(err)
	}
	acts := &activityRunner{c: c, queue: "orders", funcs: map[string]func(*commonpb.Payloads) (any, error){
		"ChargeCard": func(in *commonpb.Payloads) (any, error) {
			var id string
			if err := converter.GetDefaultDataConverter().FromPayloads(in, &id); err != nil {
				return nil, err
			}
			return "tx-" + id, nil
		},
		"ShipOrder": func(*commonpb.Payloads) (any, error) { return true, nil },
	}}
	return c, reg, acts
}

// waitForQuery polls the status query until it returns want.
func waitForQuery(t *testing.T, c *client.Client, workflowID, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		value, err := c.QueryWorkflow(ctx, workflowID, "", "status", struct{}{})
		cancel()
		if err == nil {
			if err := value.Get(&last); err != nil {
				t.Fatal(err)
			}
			if last == want {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("status query = %q, want %q", last, want)
}

func TestAgainstSundialOrderWorkflowWithSignalAndQuery(t *testing.T) {
	c, reg, acts := e2eSetup(t)
	w := startWorker(t, c, reg, "orders", "orders-sticky-1")
	ctx := context.Background()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "order-1", TaskQueue: "orders"}, "Order", "o-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := acts.runOne(t); got != "ChargeCard" {
		t.Fatalf("first activity = %s", got)
	}
	waitForQuery(t, c, "order-1", "waiting for shipment approval")
	if err := c.SignalWorkflow(ctx, "order-1", "", "ship", nil); err != nil {
		t.Fatal(err)
	}
	if got := acts.runOne(t); got != "ShipOrder" {
		t.Fatalf("second activity = %s", got)
	}
	getCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var result string
	if err := run.Get(getCtx, &result); err != nil {
		t.Fatalf("workflow result: %v (worker errors: %v)", err, drain(w.processErrors))
	}
	if result != "Order o-1: tx-o-1" {
		t.Fatalf("result = %q", result)
	}
	if w.partialTasks.Load() == 0 {
		t.Error("no task came through the sticky queue with partial history")
	}
	if errs := drain(w.processErrors); len(errs) > 0 {
		t.Fatalf("worker errors: %v", errs)
	}
}

func TestAgainstSundialRestartedWorkerDoesNotRerunCompletedActivity(t *testing.T) {
	c, reg, acts := e2eSetup(t)
	first := startWorker(t, c, reg, "orders", "orders-sticky-first")
	ctx := context.Background()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "order-2", TaskQueue: "orders"}, "Order", "o-2")
	if err != nil {
		t.Fatal(err)
	}
	if got := acts.runOne(t); got != "ChargeCard" {
		t.Fatalf("first activity = %s", got)
	}
	waitForQuery(t, c, "order-2", "waiting for shipment approval")
	first.stop() // the worker dies with the workflow parked on the signal

	second := startWorker(t, c, reg, "orders", "orders-sticky-second")
	if err := c.SignalWorkflow(ctx, "order-2", "", "ship", nil); err != nil {
		t.Fatal(err)
	}
	if got := acts.runOne(t); got != "ShipOrder" {
		t.Fatalf("activity after restart = %s, want ShipOrder (ChargeCard must not run again)", got)
	}
	getCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var result string
	if err := run.Get(getCtx, &result); err != nil {
		t.Fatalf("workflow result: %v (worker errors: %v)", err, drain(second.processErrors))
	}
	if result != "Order o-2: tx-o-2" {
		t.Fatalf("result = %q", result)
	}
	if n := acts.count("ChargeCard"); n != 1 {
		t.Fatalf("ChargeCard ran %d times, want once", n)
	}
}

func drain(ch chan error) []error {
	var errs []error
	for {
		select {
		case err := <-ch:
			errs = append(errs, err)
		default:
			return errs
		}
	}
}
