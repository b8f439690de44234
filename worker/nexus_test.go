package worker

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nexus-rpc/sdk-go/nexus"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/fakeserver"
	"github.com/sundialdev/sundial/metrics"
	enumspb "go.temporal.io/api/enums/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// nexusTask is a start request for operation of service "svc" with input in.
func nexusTask(t *testing.T, token, operation string, in any) *workflowservice.PollNexusTaskQueueResponse {
	t.Helper()
	payload, err := converter.GetDefaultDataConverter().ToPayload(in)
	if err != nil {
		t.Fatal(err)
	}
	return &workflowservice.PollNexusTaskQueueResponse{TaskToken: []byte(token), Request: &nexuspb.Request{
		Header:       map[string]string{"request-timeout": "10000ms"},
		Capabilities: &nexuspb.Request_Capabilities{TemporalFailureResponses: true},
		Variant: &nexuspb.Request_StartOperation{StartOperation: &nexuspb.StartOperationRequest{
			Service: "svc", Operation: operation, RequestId: "r-" + token, Payload: payload,
		}},
	}}
}

func (b *testBundle) awaitNexusReply(t *testing.T, token string) fakeserver.NexusReply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var reply fakeserver.NexusReply
	err := b.server.Await(ctx, func(v fakeserver.View) bool {
		var ok bool
		reply, ok = v.NexusReply(token)
		return ok
	})
	if err != nil {
		t.Fatalf("no reply to Nexus task %s: %v", token, err)
	}
	return reply
}

func TestNexusTasksRunAndAreAnswered(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{})
	svc := nexus.NewService("svc")
	svc.MustRegister(
		nexus.NewSyncOperation("upper", func(ctx context.Context, in string, _ nexus.StartOperationOptions) (string, error) {
			return strings.ToUpper(in), nil
		}),
		nexus.NewSyncOperation("panic", func(ctx context.Context, in string, _ nexus.StartOperationOptions) (string, error) {
			panic("handler bug")
		}),
	)
	if err := w.RegisterNexusService(svc); err != nil {
		t.Fatal(err)
	}
	start(t, w) // a worker with only a Nexus service starts

	b.server.AddNexusTask(nexusTask(t, "t1", "panic", "x"))
	failed := b.awaitNexusReply(t, "t1").Failed
	if info := failed.GetFailure().GetNexusHandlerFailureInfo(); info.GetType() != "INTERNAL" || failed.GetIdentity() != "test-client" || failed.GetNamespace() != "default" {
		t.Fatalf("reply to a panicking handler %v, want an INTERNAL handler failure", failed)
	}

	// The worker survived the panic.
	b.server.AddNexusTask(nexusTask(t, "t2", "upper", "abc"))
	completed := b.awaitNexusReply(t, "t2").Completed
	var out string
	if err := converter.GetDefaultDataConverter().FromPayload(completed.GetResponse().GetStartOperation().GetSyncSuccess().GetPayload(), &out); err != nil || out != "ABC" {
		t.Fatalf("result %q (%v), reply %v", out, err, completed)
	}

	w.Stop()
	reqs := b.server.ShutdownRequests()
	if len(reqs) != 1 || len(reqs[0].GetTaskQueueTypes()) != 1 || reqs[0].GetTaskQueueTypes()[0] != enumspb.TASK_QUEUE_TYPE_NEXUS {
		t.Fatalf("ShutdownWorker requests %v, want the Nexus queue type", reqs)
	}
}

func TestStopDrainsNexusTasks(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{GracefulShutdownTimeout: 10 * time.Second})
	started := make(chan struct{}, 2)
	release := make(chan struct{})
	svc := nexus.NewService("svc")
	svc.MustRegister(
		nexus.NewSyncOperation("slow", func(ctx context.Context, in string, _ nexus.StartOperationOptions) (string, error) {
			started <- struct{}{}
			<-release
			return "done " + in, nil
		}),
		nexus.NewSyncOperation("stubborn", func(ctx context.Context, in string, _ nexus.StartOperationOptions) (string, error) {
			started <- struct{}{}
			<-ctx.Done()
			return "", ctx.Err()
		}),
	)
	if err := w.RegisterNexusService(svc); err != nil {
		t.Fatal(err)
	}
	start(t, w)
	b.server.AddNexusTask(nexusTask(t, "t1", "slow", "a"))
	recv(t, started)

	stopped := make(chan struct{})
	go func() {
		w.Stop()
		close(stopped)
	}()
	select {
	case <-stopped:
		t.Fatal("Stop returned while a Nexus task was running within the grace period")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	recv(t, stopped)
	if reply, ok := b.server.Outcome("t1"); ok {
		t.Fatalf("a Nexus reply was recorded as an activity outcome: %v", reply)
	}
	if b.awaitNexusReply(t, "t1").Completed == nil {
		t.Fatal("the drained task was not answered")
	}

	// Past the grace period, Stop cancels the handler's context; the task is abandoned.
	b2 := setup(t)
	w2 := b2.newWorker(t, Options{GracefulShutdownTimeout: 50 * time.Millisecond})
	if err := w2.RegisterNexusService(svc); err != nil {
		t.Fatal(err)
	}
	start(t, w2)
	b2.server.AddNexusTask(nexusTask(t, "t2", "stubborn", "b"))
	recv(t, started)
	w2.Stop()
	if _, ok := b2.server.NexusReplyNow("t2"); ok {
		t.Fatal("an abandoned Nexus task was answered")
	}
}

func TestRegisterNexusServiceChecks(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{})
	op := nexus.NewSyncOperation("op", func(ctx context.Context, in string, _ nexus.StartOperationOptions) (string, error) { return in, nil })
	if err := w.RegisterNexusService(nil); err == nil {
		t.Fatal("nil service accepted")
	}
	if err := w.RegisterNexusService(nexus.NewService("empty")); err == nil || !strings.Contains(err.Error(), "no operations") {
		t.Fatalf("service without operations: %v", err)
	}
	svc := nexus.NewService("svc")
	svc.MustRegister(op)
	if err := w.RegisterNexusService(svc); err != nil {
		t.Fatal(err)
	}
	if err := w.RegisterNexusService(svc); err == nil {
		t.Fatal("duplicate service accepted")
	}
	if w.RegisterNexusService(nexus.NewService("")) == nil {
		t.Fatal("service without a name accepted")
	}
	start(t, w)
	other := nexus.NewService("other")
	other.MustRegister(op)
	if err := w.RegisterNexusService(other); err == nil || !strings.Contains(err.Error(), "before Start") {
		t.Fatalf("registration after Start: %v", err)
	}
	if _, err := (Options{MaxConcurrentNexusTaskPollers: -1}).withDefaults("", nil); err == nil {
		t.Fatal("negative Nexus pollers accepted")
	}
}

func TestNexusTaskMetrics(t *testing.T) {
	b, rec := setupWithMetrics(t)
	w := b.newWorker(t, Options{})
	svc := nexus.NewService("svc")
	svc.MustRegister(
		nexus.NewSyncOperation("ok", func(ctx context.Context, in string, _ nexus.StartOperationOptions) (string, error) { return in, nil }),
		nexus.NewSyncOperation("bad", func(ctx context.Context, in string, _ nexus.StartOperationOptions) (string, error) {
			return "", nexus.NewHandlerErrorf(nexus.HandlerErrorTypeBadRequest, "no")
		}),
		nexus.NewSyncOperation("refuse", func(ctx context.Context, in string, _ nexus.StartOperationOptions) (string, error) {
			return "", nexus.NewOperationFailedErrorf("no")
		}),
	)
	if err := w.RegisterNexusService(svc); err != nil {
		t.Fatal(err)
	}
	start(t, w)
	for _, op := range []string{"ok", "bad", "refuse"} {
		task := nexusTask(t, op, op, "x")
		task.Request.ScheduledTime = timestamppb.New(time.Now().Add(-time.Second))
		b.server.AddNexusTask(task)
		b.awaitNexusReply(t, op)
	}
	w.Stop()
	opTags := func(op string) map[string]string {
		return map[string]string{"nexus_service": "svc", "nexus_operation": op, "task_queue": testQueue, "worker_type": "NexusWorker"}
	}
	for _, op := range []string{"ok", "bad", "refuse"} {
		if s, ok := rec.Find(metrics.NexusTaskExecutionLatency, opTags(op)); !ok || len(s.Values) != 1 {
			t.Errorf("execution latency of %s: %+v", op, s)
		}
		if s, ok := rec.Find(metrics.NexusTaskEndToEndLatency, opTags(op)); !ok || len(s.Values) != 1 || s.Values[0] < 1 {
			t.Errorf("end-to-end latency of %s: %+v, want one value of at least 1s", op, s)
		}
	}
	for op, reason := range map[string]string{"bad": "handler_error_BAD_REQUEST", "refuse": "operation_failed"} {
		tags := opTags(op)
		tags["failure_reason"] = reason
		if s, ok := rec.Find(metrics.NexusTaskExecutionFailed, tags); !ok || s.Value != 1 {
			t.Errorf("failures of %s: %+v, want one with reason %s", op, s, reason)
		}
	}
	if s, ok := rec.Find(metrics.NexusTaskExecutionFailed, map[string]string{"nexus_operation": "ok"}); ok {
		t.Errorf("a successful task counted as failed: %+v", s)
	}
	if s, ok := rec.Find(metrics.NexusTaskScheduleToStartLatency, map[string]string{"task_queue": testQueue}); !ok || len(s.Values) != 3 {
		t.Errorf("schedule-to-start latency: %+v", s)
	}
	if s, ok := rec.Find(metrics.WorkerStart, map[string]string{"worker_type": "NexusWorker"}); !ok || s.Value != 1 {
		t.Errorf("worker start: %+v", s)
	}
}
