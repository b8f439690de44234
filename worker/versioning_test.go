package worker

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/fakeserver"
	"github.com/sundialdev/sundial/workflow"
	deploymentpb "go.temporal.io/api/deployment/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// requestLog records the requests a client sends, by method name.
type requestLog struct {
	mu       sync.Mutex
	requests []proto.Message
	arrived  chan struct{}
}

func (l *requestLog) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if m, ok := req.(proto.Message); ok {
		l.mu.Lock()
		l.requests = append(l.requests, proto.Clone(m))
		l.mu.Unlock()
		select {
		case l.arrived <- struct{}{}:
		default:
		}
	}
	return invoker(ctx, method, req, reply, cc, opts...)
}

// await waits until a recorded request satisfies match and returns it.
func await[T proto.Message](t *testing.T, l *requestLog, match func(T) bool) T {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		l.mu.Lock()
		for _, r := range l.requests {
			if typed, ok := r.(T); ok && match(typed) {
				l.mu.Unlock()
				return typed
			}
		}
		l.mu.Unlock()
		select {
		case <-l.arrived:
		case <-deadline:
			var zero T
			t.Fatalf("no %T request matched", zero)
			return zero
		}
	}
}

// recordingSetup is setup with a client that records every request it sends.
func recordingSetup(t *testing.T) (*testBundle, *requestLog) {
	t.Helper()
	srv, err := fakeserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	log := &requestLog{arrived: make(chan struct{}, 1)}
	c, err := client.Dial(context.Background(), client.Options{
		HostPort: srv.Addr(), Identity: "test-client", Logger: slog.New(slog.DiscardHandler),
		ConnectionOptions: []grpc.DialOption{grpc.WithChainUnaryInterceptor(log.intercept)},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &testBundle{server: srv, client: c}, log
}

func waitAtOnce(workflow.Context) error { return nil }

var v1 = sundial.WorkerDeploymentVersion{DeploymentName: "orders", BuildID: "v1"}

func TestVersionedWorkerPollsWithItsVersion(t *testing.T) {
	b, log := recordingSetup(t)
	w := b.newWorker(t, Options{DeploymentOptions: DeploymentOptions{UseVersioning: true, Version: v1, DefaultVersioningBehavior: sundial.VersioningBehaviorPinned}})
	must(t, w.RegisterActivity(ChargeCard))
	must(t, w.RegisterWorkflow(waitAtOnce))
	start(t, w)

	wantOptions := &deploymentpb.WorkerDeploymentOptions{DeploymentName: "orders", BuildId: "v1", WorkerVersioningMode: enumspb.WORKER_VERSIONING_MODE_VERSIONED}
	activityPoll := await(t, log, func(*workflowservice.PollActivityTaskQueueRequest) bool { return true })
	normal := await(t, log, func(r *workflowservice.PollWorkflowTaskQueueRequest) bool {
		return r.GetTaskQueue().GetKind() == enumspb.TASK_QUEUE_KIND_NORMAL
	})
	sticky := await(t, log, func(r *workflowservice.PollWorkflowTaskQueueRequest) bool {
		return r.GetTaskQueue().GetKind() == enumspb.TASK_QUEUE_KIND_STICKY
	})
	for name, poll := range map[string]interface {
		GetDeploymentOptions() *deploymentpb.WorkerDeploymentOptions
	}{"activity": activityPoll, "workflow": normal, "sticky": sticky} {
		if !proto.Equal(poll.GetDeploymentOptions(), wantOptions) {
			t.Errorf("%s poll deployment options %v, want %v", name, poll.GetDeploymentOptions(), wantOptions)
		}
	}
	for name, c := range map[string]interface {
		GetBuildId() string
		GetUseVersioning() bool
		GetDeploymentSeriesName() string
	}{"activity": activityPoll.GetWorkerVersionCapabilities(), "workflow": normal.GetWorkerVersionCapabilities(), "sticky": sticky.GetWorkerVersionCapabilities()} {
		if c.GetBuildId() != "v1" || !c.GetUseVersioning() || c.GetDeploymentSeriesName() != "orders" {
			t.Errorf("%s poll capabilities %v", name, c)
		}
	}
}

func TestUnversionedWorkerPollsWithoutVersion(t *testing.T) {
	b, log := recordingSetup(t)
	w := b.newWorker(t, Options{})
	must(t, w.RegisterActivity(ChargeCard))
	must(t, w.RegisterWorkflow(waitAtOnce))
	start(t, w)
	activityPoll := await(t, log, func(*workflowservice.PollActivityTaskQueueRequest) bool { return true })
	workflowPoll := await(t, log, func(*workflowservice.PollWorkflowTaskQueueRequest) bool { return true })
	if activityPoll.GetDeploymentOptions() != nil || activityPoll.GetWorkerVersionCapabilities() != nil {
		t.Errorf("unversioned activity poll carries a version: %v", activityPoll)
	}
	if workflowPoll.GetDeploymentOptions() != nil || workflowPoll.GetWorkerVersionCapabilities() != nil {
		t.Errorf("unversioned workflow poll carries a version: %v", workflowPoll)
	}
}

func TestVersionedWorkerReportsActivitiesWithItsVersion(t *testing.T) {
	b, log := recordingSetup(t)
	w := b.newWorker(t, Options{DeploymentOptions: DeploymentOptions{UseVersioning: true, Version: v1}})
	must(t, w.RegisterActivity(ChargeCard))
	start(t, w)
	b.server.AddTask(newTask(t, "t1", "ChargeCard", []any{order{ID: "42", Amount: 9.5}}))
	b.awaitOutcome(t, "t1")
	resp := await(t, log, func(*workflowservice.RespondActivityTaskCompletedRequest) bool { return true })
	if o := resp.GetDeploymentOptions(); o.GetBuildId() != "v1" || o.GetWorkerVersioningMode() != enumspb.WORKER_VERSIONING_MODE_VERSIONED {
		t.Errorf("completion deployment options %v", o)
	}
	if s := resp.GetWorkerVersion(); s.GetBuildId() != "v1" || !s.GetUseVersioning() {
		t.Errorf("completion worker version %v", s)
	}
}

func TestDeploymentOptionsValidation(t *testing.T) {
	for name, tc := range map[string]struct {
		opts DeploymentOptions
		want string
	}{
		"no version":             {DeploymentOptions{UseVersioning: true}, "UseVersioning needs a Version"},
		"no build id":            {DeploymentOptions{UseVersioning: true, Version: sundial.WorkerDeploymentVersion{DeploymentName: "orders"}}, "UseVersioning needs a Version"},
		"default without opt-in": {DeploymentOptions{Version: v1, DefaultVersioningBehavior: sundial.VersioningBehaviorPinned}, "DefaultVersioningBehavior needs UseVersioning"},
		"unknown behavior":       {DeploymentOptions{UseVersioning: true, Version: v1, DefaultVersioningBehavior: 7}, "unknown default versioning behavior"},
	} {
		t.Run(name, func(t *testing.T) {
			b := setup(t)
			w := b.newWorker(t, Options{DeploymentOptions: tc.opts})
			must(t, w.RegisterActivity(ChargeCard))
			err := w.Start()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Start: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestVersionedWorkerWithoutDefaultNeedsBehaviorPerWorkflow(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{DeploymentOptions: DeploymentOptions{UseVersioning: true, Version: v1}})
	err := w.RegisterWorkflow(waitAtOnce)
	if err == nil || !strings.Contains(err.Error(), `workflow "waitAtOnce" has no versioning behavior`) {
		t.Errorf("RegisterWorkflow without a behavior: %v", err)
	}
	if err := w.RegisterDynamicWorkflow(func(workflow.Context, *converter.EncodedValues) (any, error) { return nil, nil }); err == nil {
		t.Error("RegisterDynamicWorkflow without a behavior succeeded")
	}
	if err := w.RegisterWorkflowWithOptions(waitAtOnce, RegisterWorkflowOptions{VersioningBehavior: 9}); err == nil || !strings.Contains(err.Error(), "unknown versioning behavior 9") {
		t.Errorf("RegisterWorkflowWithOptions with an unknown behavior: %v", err)
	}
	must(t, w.RegisterWorkflowWithOptions(waitAtOnce, RegisterWorkflowOptions{VersioningBehavior: sundial.VersioningBehaviorAutoUpgrade}))
	must(t, w.RegisterDynamicWorkflowWithOptions(func(workflow.Context, *converter.EncodedValues) (any, error) { return nil, nil },
		RegisterDynamicWorkflowOptions{VersioningBehavior: sundial.VersioningBehaviorPinned}))

	// With a default, or unversioned, no behavior is needed.
	for _, opts := range []DeploymentOptions{{UseVersioning: true, Version: v1, DefaultVersioningBehavior: sundial.VersioningBehaviorPinned}, {Version: v1}, {}} {
		w := b.newWorker(t, Options{DeploymentOptions: opts})
		must(t, w.RegisterWorkflow(waitAtOnce))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
