package worker

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/fakeserver"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

const testQueue = "test-queue"

// testBundle is a fake server and a client connected to it.
type testBundle struct {
	server *fakeserver.Server
	client *client.Client
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	srv, err := fakeserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	c, err := client.Dial(context.Background(), client.Options{
		HostPort: srv.Addr(),
		Identity: "test-client",
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &testBundle{server: srv, client: c}
}

// newWorker returns a worker on testQueue, stopped when the test ends.
func (b *testBundle) newWorker(t *testing.T, opts Options) *Worker {
	t.Helper()
	w := New(b.client, testQueue, opts)
	t.Cleanup(w.Stop)
	return w
}

// start starts w, failing the test on error.
func start(t *testing.T, w *Worker) {
	t.Helper()
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
}

// taskOption adjusts a test task.
type taskOption func(*workflowservice.PollActivityTaskQueueResponse)

func withStartToClose(d time.Duration) taskOption {
	return func(task *workflowservice.PollActivityTaskQueueResponse) {
		task.StartToCloseTimeout = durationpb.New(d)
	}
}

func withHeartbeatTimeout(d time.Duration) taskOption {
	return func(task *workflowservice.PollActivityTaskQueueResponse) {
		task.HeartbeatTimeout = durationpb.New(d)
	}
}

// newTask builds an activity task whose token is token and whose activity id is token
// too, for workflow "wf-"+token.
func newTask(t *testing.T, token, activityType string, args []any, opts ...taskOption) *workflowservice.PollActivityTaskQueueResponse {
	t.Helper()
	input, err := converter.GetDefaultDataConverter().ToPayloads(args...)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	task := &workflowservice.PollActivityTaskQueueResponse{
		TaskToken:                   []byte(token),
		WorkflowNamespace:           "default",
		WorkflowType:                &commonpb.WorkflowType{Name: "OrderWorkflow"},
		WorkflowExecution:           &commonpb.WorkflowExecution{WorkflowId: "wf-" + token, RunId: "run-" + token},
		ActivityType:                &commonpb.ActivityType{Name: activityType},
		ActivityId:                  token,
		Input:                       input,
		ScheduledTime:               timestamppb.New(now),
		CurrentAttemptScheduledTime: timestamppb.New(now),
		StartedTime:                 timestamppb.New(now),
		Attempt:                     1,
		StartToCloseTimeout:         durationpb.New(time.Minute),
	}
	for _, opt := range opts {
		opt(task)
	}
	return task
}

// awaitOutcome waits for the attempt with token to be reported.
func (b *testBundle) awaitOutcome(t *testing.T, token string) fakeserver.Outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := b.server.Await(ctx, func(v fakeserver.View) bool {
		_, ok := v.Outcome(token)
		return ok
	})
	if err != nil {
		t.Fatalf("no outcome for %s: %v", token, err)
	}
	o, _ := b.server.Outcome(token)
	return o
}

// awaitHeartbeats waits until n heartbeats were recorded for token.
func (b *testBundle) awaitHeartbeats(t *testing.T, token string, n int) []fakeserver.Heartbeat {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := b.server.Await(ctx, func(v fakeserver.View) bool { return len(v.Heartbeats(token)) >= n })
	if err != nil {
		t.Fatalf("want %d heartbeats for %s, got %d: %v", n, token, len(b.server.Heartbeats(token)), err)
	}
	return b.server.Heartbeats(token)
}

// decode decodes payloads into valuePtrs with the default converter.
func decode(t *testing.T, payloads *commonpb.Payloads, valuePtrs ...any) {
	t.Helper()
	if err := converter.GetDefaultDataConverter().FromPayloads(payloads, valuePtrs...); err != nil {
		t.Fatal(err)
	}
}

// recv waits for a value on ch.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting on channel")
		var zero T
		return zero
	}
}
