package worker

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// failNthCompletion makes the nth RespondWorkflowTaskCompleted fail without reaching
// the server, and closes failed when it did.
type failNthCompletion struct {
	n      int32
	calls  atomic.Int32
	failed chan struct{}
}

func (f *failNthCompletion) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if _, ok := req.(*workflowservice.RespondWorkflowTaskCompletedRequest); ok && f.calls.Add(1) == f.n {
		close(f.failed)
		return status.Error(codes.InvalidArgument, "completion refused by the test")
	}
	return invoker(ctx, method, req, reply, cc, opts...)
}

func twoSleeps(ctx workflow.Context) (string, error) {
	for range 2 {
		if err := workflow.Sleep(ctx, time.Millisecond); err != nil {
			return "", err
		}
	}
	return "done", nil
}

// A completion the server does not accept evicts the run from the sticky cache; when
// the server retries the task after its timeout, the run is rebuilt from history and
// finishes.
func TestRefusedCompletionEvictsTheRun(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	srv, err := server.New(server.Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:", Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
	})
	refuse := &failNthCompletion{n: 2, failed: make(chan struct{})}
	c, err := client.Dial(context.Background(), client.Options{HostPort: srv.Addr(), Logger: logger,
		ConnectionOptions: []grpc.DialOption{grpc.WithChainUnaryInterceptor(refuse.intercept)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })

	w := New(c, "evict", Options{Logger: logger})
	if err := w.RegisterWorkflowWithOptions(twoSleeps, RegisterWorkflowOptions{Name: "TwoSleeps"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "evict", WorkflowTaskTimeout: time.Second}, "TwoSleeps")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-refuse.failed:
	case <-ctx.Done():
		t.Fatal("the second completion never happened")
	}
	deadline := time.Now().Add(10 * time.Second)
	for w.handler.CachedRuns() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d runs still cached after a refused completion", w.handler.CachedRuns())
		}
		time.Sleep(5 * time.Millisecond) // poll interval
	}
	var got string
	if err := run.Get(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if got != "done" {
		t.Fatalf("result = %q", got)
	}
	timedOut := false
	for e, err := range c.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID()) {
		if err != nil {
			t.Fatal(err)
		}
		timedOut = timedOut || e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT
	}
	if !timedOut {
		t.Fatal("history has no WorkflowTaskTimedOut for the refused completion")
	}
}

// One workflow task at a time still runs many workflows.
func TestOneWorkflowTaskSlotRunsManyWorkflows(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	srv, err := server.New(server.Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:", Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
	})
	c, err := client.Dial(context.Background(), client.Options{HostPort: srv.Addr(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	w := New(c, "one-slot", Options{Logger: logger, MaxConcurrentWorkflowTaskExecutionSize: 1, MaxConcurrentWorkflowTaskPollers: 1})
	if err := w.RegisterWorkflowWithOptions(twoSleeps, RegisterWorkflowOptions{Name: "TwoSleeps"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	if cap(w.workflowSlots) != 1 {
		t.Fatalf("workflow task slots = %d, want 1", cap(w.workflowSlots))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var runs []client.WorkflowRun
	for range 5 {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "one-slot"}, "TwoSleeps")
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, run)
	}
	for _, run := range runs {
		if err := run.Get(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
}
