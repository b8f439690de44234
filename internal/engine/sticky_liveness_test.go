package engine

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	querypb "go.temporal.io/api/query/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/store/sqlite"
)

// TestHardening15QueriesAfterStickyWorkerDies: a worker that polled its
// sticky queue once and then died (kill -9: no ShutdownWorker) does not keep
// queries from a new worker. Once its sticky queue has gone unpolled for the
// sticky poller window, queries go to the normal queue; a query sent while it
// still looked alive moves there after the sticky schedule-to-start timeout.
func TestHardening15QueriesAfterStickyWorkerDies(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	const window = 300 * time.Millisecond
	e, err := New(Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), StickyPollerUnavailableWindow: window})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)

	normal := &taskqueuepb.TaskQueue{Name: "q-normal", Kind: enumspb.TASK_QUEUE_KIND_NORMAL}
	sticky := &taskqueuepb.TaskQueue{Name: "q-sticky-dead", Kind: enumspb.TASK_QUEUE_KIND_STICKY, NormalName: "q-normal"}
	poll := func(q *taskqueuepb.TaskQueue, wait time.Duration) *workflowservice.PollWorkflowTaskQueueResponse {
		t.Helper()
		pctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		resp, err := e.PollWorkflowTaskQueue(pctx, &workflowservice.PollWorkflowTaskQueueRequest{Namespace: "default", TaskQueue: q, Identity: "w"})
		if err != nil {
			t.Fatalf("poll %s: %v", q.Name, err)
		}
		return resp
	}
	const id = "sleeper"
	if _, err := e.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
		Namespace: "default", WorkflowId: id, WorkflowType: &commonpb.WorkflowType{Name: "Sleep"}, TaskQueue: normal, RequestId: "start",
	}); err != nil {
		t.Fatal(err)
	}
	task := poll(normal, 5*time.Second)
	if len(task.TaskToken) == 0 {
		t.Fatal("no first workflow task")
	}
	if _, err := e.RespondWorkflowTaskCompleted(ctx, &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: "default", TaskToken: task.TaskToken, Identity: "w",
		StickyAttributes: &taskqueuepb.StickyExecutionAttributes{WorkerTaskQueue: sticky, ScheduleToStartTimeout: durationpb.New(time.Second)},
		Commands: []*commandpb.Command{{
			CommandType: enumspb.COMMAND_TYPE_START_TIMER,
			Attributes: &commandpb.Command_StartTimerCommandAttributes{StartTimerCommandAttributes: &commandpb.StartTimerCommandAttributes{
				TimerId: "nap", StartToFireTimeout: durationpb.New(time.Hour),
			}},
		}},
	}); err != nil {
		t.Fatal(err)
	}
	// The worker polls its sticky queue once, then dies.
	if resp := poll(sticky, 1100*time.Millisecond); len(resp.TaskToken) != 0 {
		t.Fatal("the sticky queue had a task")
	}

	// query asks the workflow and plays a new worker on the normal queue
	// that answers; it returns how long the query took.
	query := func() time.Duration {
		t.Helper()
		began := time.Now()
		answered := make(chan error, 1)
		go func() {
			qctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			_, err := e.QueryWorkflow(qctx, &workflowservice.QueryWorkflowRequest{
				Namespace: "default", Execution: &commonpb.WorkflowExecution{WorkflowId: id}, Query: &querypb.WorkflowQuery{QueryType: "state"},
			})
			answered <- err
		}()
		qt := poll(normal, 10*time.Second)
		if qt.Query == nil {
			t.Fatalf("the new worker got no query task (token %d bytes)", len(qt.TaskToken))
		}
		if _, err := e.RespondQueryTaskCompleted(ctx, &workflowservice.RespondQueryTaskCompletedRequest{
			Namespace: "default", TaskToken: qt.TaskToken, CompletedType: enumspb.QUERY_RESULT_TYPE_ANSWERED,
		}); err != nil {
			t.Fatal(err)
		}
		if err := <-answered; err != nil {
			t.Fatalf("query: %v", err)
		}
		return time.Since(began)
	}

	// Sent while the sticky queue still looks alive: it falls back after the
	// sticky schedule-to-start timeout (1s).
	query()

	// Once the window has passed without a poll, the sticky worker is gone.
	stickyKey := workflowQueue(mustNamespaceID(t, e), sticky.Name)
	deadline := time.Now().Add(10 * time.Second)
	for e.stickyAlive(stickyKey) {
		if time.Now().After(deadline) {
			t.Fatalf("the sticky queue still counts as alive %v after its last poll", 10*time.Second)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if took := query(); took > 900*time.Millisecond {
		t.Errorf("a query to a run whose sticky worker is gone took %v; want it sent to the normal queue at once", took)
	}
}

// mustNamespaceID returns the id of the default namespace.
func mustNamespaceID(t *testing.T, e *Engine) string {
	t.Helper()
	ns, err := e.namespace(context.Background(), "default")
	if err != nil {
		t.Fatal(err)
	}
	return ns.id
}
