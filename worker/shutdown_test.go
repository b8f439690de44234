package worker

import (
	"context"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	enumspb "go.temporal.io/api/enums/v1"
)

func TestStopLetsActivitiesFinishWithinTheGracePeriod(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{GracefulShutdownTimeout: 10 * time.Second})
	started := make(chan struct{})
	err := w.RegisterActivityWithOptions(func(ctx context.Context) (string, error) {
		close(started)
		select {
		case <-activity.WorkerStopChannel(ctx):
		case <-ctx.Done():
			return "", ctx.Err()
		}
		if !activity.IsWorkerShutdown(ctx) || activity.IsCanceled(ctx) {
			return "", sundial.NewApplicationError("shutdown not seen before cancellation", "Test")
		}
		return "saved partial results", nil
	}, RegisterActivityOptions{Name: "ShutdownAware"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, w)
	b.server.AddTask(newTask(t, "t1", "ShutdownAware", nil))
	recv(t, started)

	begin := time.Now()
	w.Stop()
	if elapsed := time.Since(begin); elapsed > 5*time.Second {
		t.Errorf("Stop took %v; it should return once the activity did", elapsed)
	}
	o, ok := b.server.Outcome("t1")
	if !ok || o.Kind != "completed" {
		t.Fatalf("outcome %+v, %v", o, ok)
	}
	var result string
	decode(t, o.Result, &result)
	if result != "saved partial results" {
		t.Errorf("result %q", result)
	}
	reqs := b.server.ShutdownRequests()
	if len(reqs) != 1 || reqs[0].GetTaskQueue() != testQueue || reqs[0].GetNamespace() != "default" ||
		len(reqs[0].GetTaskQueueTypes()) != 1 || reqs[0].GetTaskQueueTypes()[0] != enumspb.TASK_QUEUE_TYPE_ACTIVITY {
		t.Errorf("ShutdownWorker requests %v", reqs)
	}
}

func TestStopCancelsActivitiesAfterTheGracePeriod(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{GracefulShutdownTimeout: 50 * time.Millisecond})
	started := make(chan struct{})
	reasons := make(chan activity.CancelReason, 1)
	err := w.RegisterActivityWithOptions(func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		reasons <- activity.CancellationReason(ctx)
		return ctx.Err()
	}, RegisterActivityOptions{Name: "Stubborn"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, w)
	b.server.AddTask(newTask(t, "t1", "Stubborn", nil))
	recv(t, started)

	w.Stop()
	if r := recv(t, reasons); r != activity.WorkerShutdown {
		t.Errorf("reason %v, want worker shutdown", r)
	}
	o, ok := b.server.Outcome("t1")
	if !ok || o.Kind != "failed" || o.Failure.GetApplicationFailureInfo().GetType() != "WorkerShutdown" ||
		o.Failure.GetApplicationFailureInfo().GetNonRetryable() {
		t.Errorf("want a retryable WorkerShutdown failure, got %+v, %v", o, ok)
	}
}

func TestRunStopsWhenItsContextEnds(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{})
	if err := w.RegisterActivity(ChargeCard); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	b.server.AddTask(newTask(t, "t1", "ChargeCard", []any{order{ID: "1"}}))
	b.awaitOutcome(t, "t1")
	cancel()
	if err := recv(t, done); err != nil {
		t.Fatal(err)
	}
	if len(b.server.ShutdownRequests()) != 1 {
		t.Error("Run must stop the worker when its context ends")
	}
}

func TestAsyncCompletionByTokenAndByID(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{})
	tokens := make(chan []byte, 2)
	err := w.RegisterActivityWithOptions(func(ctx context.Context) (string, error) {
		activity.RecordHeartbeat(ctx, "handed off")
		tokens <- activity.GetInfo(ctx).TaskToken
		return "", sundial.ErrResultPending
	}, RegisterActivityOptions{Name: "External"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, w)
	b.server.AddTask(newTask(t, "t1", "External", nil))
	b.server.AddTask(newTask(t, "t2", "External", nil))
	token := recv(t, tokens)
	recv(t, tokens)
	b.awaitHeartbeats(t, "t1", 1)
	w.Stop()
	if _, ok := b.server.Outcome(string(token)); ok {
		t.Fatal("a pending activity must not be reported by the worker")
	}

	ctx := context.Background()
	if err := b.client.CompleteActivity(ctx, token, "done elsewhere", nil); err != nil {
		t.Fatal(err)
	}
	var result string
	decode(t, b.awaitOutcome(t, string(token)).Result, &result)
	if result != "done elsewhere" {
		t.Errorf("result %q", result)
	}
	other := "t1"
	if string(token) == "t1" {
		other = "t2"
	}
	if err := b.client.CompleteActivityByID(ctx, "default", "wf-"+other, "", other, nil, sundial.NewApplicationError("external failure", "External")); err != nil {
		t.Fatal(err)
	}
	o := b.awaitOutcome(t, other)
	if o.Kind != "failed" || !o.ByID || o.Failure.GetMessage() != "external failure" {
		t.Errorf("outcome %+v", o)
	}
}
