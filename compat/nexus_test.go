package compat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nexus-rpc/sdk-go/nexus"
	enumspb "go.temporal.io/api/enums/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/temporalnexus"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/types/known/durationpb"
)

// The Nexus tests run a caller workflow in the target's default namespace
// and the operations' handler in a second namespace, joined by an endpoint
// whose target is the handler's namespace and task queue.

// nexusFixture is a caller namespace and a handler namespace joined by an
// endpoint.
type nexusFixture struct {
	caller, handler client.Client
	endpoint        string
	callerQueue     string
	handlerQueue    string
	// handlerNamespace is the handler's namespace, the endpoint's target.
	handlerNamespace string
}

const nexusService = "compat-service"

// nexusHandlerWorkflow is the workflow behind the asynchronous operation: it
// waits for a "finish" signal (or its cancellation) and returns its input.
func nexusHandlerWorkflow(ctx workflow.Context, in string) (string, error) {
	var suffix string
	workflow.GetSignalChannel(ctx, "finish").Receive(ctx, &suffix)
	return "handled " + in + suffix, nil
}

// nexusSleepyWorkflow runs until it is canceled.
func nexusSleepyWorkflow(ctx workflow.Context, in string) (string, error) {
	err := workflow.Sleep(ctx, time.Hour)
	return "", err
}

type nexusCallArgs struct {
	Endpoint         string
	Operation        string
	Input            string
	ScheduleToClose  time.Duration
	CancelAfterStart bool
	CancellationType workflow.NexusOperationCancellationType
}

// nexusCallerWorkflow calls one operation and returns its result; with
// CancelAfterStart it cancels the operation once it started.
func nexusCallerWorkflow(ctx workflow.Context, args nexusCallArgs) (string, error) {
	c := workflow.NewNexusClient(args.Endpoint, nexusService)
	opCtx, cancel := workflow.WithCancel(ctx)
	fut := c.ExecuteOperation(opCtx, args.Operation, args.Input, workflow.NexusOperationOptions{
		ScheduleToCloseTimeout: args.ScheduleToClose,
		CancellationType:       args.CancellationType,
	})
	if args.CancelAfterStart {
		var exec workflow.NexusOperationExecution
		if err := fut.GetNexusOperationExecution().Get(ctx, &exec); err != nil {
			return "", fmt.Errorf("operation did not start: %w", err)
		}
		cancel()
	}
	var out string
	err := fut.Get(ctx, &out)
	return out, err
}

func startNexusFixture(t *testing.T, tg target) nexusFixture {
	t.Helper()
	ctx := testContext(t, 60*time.Second)
	caller := dial(t, tg)
	handlerNS := uniqueName(t, "nx")
	if len(handlerNS) > 60 {
		handlerNS = "nx-" + handlerNS[len(handlerNS)-40:]
	}
	_, err := caller.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: handlerNS, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
	})
	if err != nil {
		t.Fatalf("registering the handler namespace: %v", err)
	}
	handler := dial(t, target{HostPort: tg.HostPort, Namespace: handlerNS})
	// Temporal's namespace cache learns a new namespace after a refresh.
	eventually(t, 30*time.Second, "the handler namespace to be usable", func() bool {
		_, err := handler.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: handlerNS})
		return err == nil
	})
	fx := nexusFixture{caller: caller, handler: handler, callerQueue: uniqueName(t, "caller"), handlerQueue: uniqueName(t, "handler"), handlerNamespace: handlerNS}
	fx.endpoint = strings.ReplaceAll(uniqueName(t, "ep"), "_", "-")
	if len(fx.endpoint) > 60 {
		fx.endpoint = "ep-" + fx.endpoint[len(fx.endpoint)-40:]
	}
	_, err = caller.OperatorService().CreateNexusEndpoint(ctx, &operatorservice.CreateNexusEndpointRequest{Spec: &nexuspb.EndpointSpec{
		Name: fx.endpoint,
		Target: &nexuspb.EndpointTarget{Variant: &nexuspb.EndpointTarget_Worker_{Worker: &nexuspb.EndpointTarget_Worker{
			Namespace: handlerNS, TaskQueue: fx.handlerQueue,
		}}},
	}})
	if err != nil {
		t.Fatalf("creating the endpoint: %v", err)
	}

	svc := nexus.NewService(nexusService)
	echo := nexus.NewSyncOperation("echo", func(ctx context.Context, in string, _ nexus.StartOperationOptions) (string, error) {
		if in == "fail" {
			return "", nexus.NewOperationFailedError("the handler refused")
		}
		return "echo " + in, nil
	})
	run := temporalnexus.NewWorkflowRunOperation("run", nexusHandlerWorkflow, func(ctx context.Context, in string, o nexus.StartOperationOptions) (client.StartWorkflowOptions, error) {
		return client.StartWorkflowOptions{ID: "handler-" + in}, nil
	})
	sleepy := temporalnexus.NewWorkflowRunOperation("sleepy", nexusSleepyWorkflow, func(ctx context.Context, in string, o nexus.StartOperationOptions) (client.StartWorkflowOptions, error) {
		return client.StartWorkflowOptions{ID: "sleepy-" + in}, nil
	})
	flaky := nexus.NewSyncOperation("flaky", func(ctx context.Context, in string, _ nexus.StartOperationOptions) (string, error) {
		return "", &nexus.HandlerError{Type: nexus.HandlerErrorTypeInternal, Message: "flaky handler: " + in}
	})
	chained := nexusChainOperations(t)
	if err := svc.Register(append([]nexus.RegisterableOperation{echo, run, sleepy, flaky}, chained...)...); err != nil {
		t.Fatal(err)
	}
	startWorker(t, handler, fx.handlerQueue, func(r worker.Registry) {
		r.RegisterNexusService(svc)
		r.RegisterWorkflow(nexusHandlerWorkflow)
		r.RegisterWorkflow(nexusSleepyWorkflow)
		registerNexusChainWorkflows(r)
	})
	startWorker(t, caller, fx.callerQueue, func(r worker.Registry) { r.RegisterWorkflow(nexusCallerWorkflow) })
	return fx
}

func (fx nexusFixture) call(t *testing.T, ctx context.Context, id string, args nexusCallArgs) client.WorkflowRun {
	t.Helper()
	args.Endpoint = fx.endpoint
	run, err := fx.caller.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: fx.callerQueue}, nexusCallerWorkflow, args)
	if err != nil {
		t.Fatalf("starting the caller: %v", err)
	}
	return run
}

func TestNexusSyncOperation(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)

	run := fx.call(t, ctx, uniqueName(t, "sync"), nexusCallArgs{Operation: "echo", Input: "hello", ScheduleToClose: time.Minute})
	var out string
	if err := run.Get(ctx, &out); err != nil {
		t.Fatalf("caller failed: %v", err)
	}
	if out != "echo hello" {
		t.Fatalf("result %q, want %q", out, "echo hello")
	}
	requireHistory(t, fx.caller, run.GetID(), run.GetRunID(), concat(
		ev(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
		ev(enumspb.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED, enumspb.EVENT_TYPE_NEXUS_OPERATION_COMPLETED),
		ev(enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED),
	))

	// An operation error fails the operation, and the caller sees it as a
	// NexusOperationError.
	run = fx.call(t, ctx, uniqueName(t, "sync-fail"), nexusCallArgs{Operation: "echo", Input: "fail", ScheduleToClose: time.Minute})
	err := run.Get(ctx, nil)
	var opErr *temporal.NexusOperationError
	if !errors.As(err, &opErr) {
		t.Fatalf("caller error %v, want a NexusOperationError", err)
	}
	if opErr.Endpoint != fx.endpoint || opErr.Service != nexusService || opErr.Operation != "echo" {
		t.Fatalf("operation error names %s/%s/%s", opErr.Endpoint, opErr.Service, opErr.Operation)
	}
	if !strings.Contains(err.Error(), "the handler refused") {
		t.Fatalf("caller error %q does not carry the handler's message", err)
	}
}

func TestNexusAsyncWorkflowOperation(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)

	input := uniqueName(t, "in")
	run := fx.call(t, ctx, uniqueName(t, "async"), nexusCallArgs{Operation: "run", Input: input, ScheduleToClose: time.Minute})
	handlerID := "handler-" + input
	eventually(t, 30*time.Second, "the handler workflow to start", func() bool {
		_, err := fx.handler.DescribeWorkflowExecution(ctx, handlerID, "")
		return err == nil
	})
	if err := fx.handler.SignalWorkflow(ctx, handlerID, "", "finish", "!"); err != nil {
		t.Fatalf("signaling the handler workflow: %v", err)
	}
	var out string
	if err := run.Get(ctx, &out); err != nil {
		t.Fatalf("caller failed: %v", err)
	}
	if want := "handled " + input + "!"; out != want {
		t.Fatalf("result %q, want %q", out, want)
	}
	events := fetchHistory(t, fx.caller, run.GetID(), run.GetRunID())
	started := eventsOfType(events, enumspb.EVENT_TYPE_NEXUS_OPERATION_STARTED)
	if len(started) != 1 || started[0].GetNexusOperationStartedEventAttributes().GetOperationToken() == "" {
		t.Fatalf("want one NexusOperationStarted with a token, got %v", started)
	}
	if len(eventsOfType(events, enumspb.EVENT_TYPE_NEXUS_OPERATION_COMPLETED)) != 1 {
		t.Fatalf("no NexusOperationCompleted in the caller's history")
	}
	// The handler's workflow carries the callback and a link back to the
	// caller's scheduled event.
	hevents := fetchHistory(t, fx.handler, handlerID, "")
	first := hevents[0]
	callbacks := first.GetWorkflowExecutionStartedEventAttributes().GetCompletionCallbacks()
	if len(callbacks) != 1 {
		t.Fatalf("handler workflow started without its completion callback")
	}
	link := callbacks[0].GetLinks()
	if len(link) != 1 || link[0].GetWorkflowEvent().GetWorkflowId() != run.GetID() {
		t.Fatalf("handler workflow's callback links %v, want one to the caller %s", link, run.GetID())
	}
	// The SDK also sends that link on the start request; the server keeps
	// it with the callback only.
	if len(first.GetLinks()) != 0 {
		t.Fatalf("handler workflow's started event repeats the callback's link: %v", first.GetLinks())
	}
}

func TestNexusCancelAsyncOperation(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)

	input := uniqueName(t, "in")
	run := fx.call(t, ctx, uniqueName(t, "cancel"), nexusCallArgs{
		Operation: "sleepy", Input: input, ScheduleToClose: time.Minute, CancelAfterStart: true,
		CancellationType: workflow.NexusOperationCancellationTypeWaitCompleted,
	})
	err := run.Get(ctx, nil)
	var canceled *temporal.CanceledError
	if !errors.As(err, &canceled) {
		t.Fatalf("caller error %v, want a canceled operation", err)
	}
	desc, err := fx.handler.DescribeWorkflowExecution(ctx, "sleepy-"+input, "")
	if err != nil {
		t.Fatal(err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED {
		t.Fatalf("handler workflow status %v, want canceled", st)
	}
	events := fetchHistory(t, fx.caller, run.GetID(), run.GetRunID())
	for _, typ := range []enumspb.EventType{enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED, enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUEST_COMPLETED, enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCELED} {
		if len(eventsOfType(events, typ)) != 1 {
			t.Fatalf("caller history lacks %v", typ)
		}
	}
}

func TestNexusScheduleToCloseTimeout(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)

	run := fx.call(t, ctx, uniqueName(t, "timeout"), nexusCallArgs{Operation: "sleepy", Input: uniqueName(t, "in"), ScheduleToClose: 2 * time.Second})
	err := run.Get(ctx, nil)
	var timeoutErr *temporal.TimeoutError
	if !errors.As(err, &timeoutErr) || timeoutErr.TimeoutType() != enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE {
		t.Fatalf("caller error %v, want a schedule-to-close timeout", err)
	}
	events := fetchHistory(t, fx.caller, run.GetID(), run.GetRunID())
	if len(eventsOfType(events, enumspb.EVENT_TYPE_NEXUS_OPERATION_TIMED_OUT)) != 1 {
		t.Fatalf("caller history lacks NexusOperationTimedOut")
	}
}

func TestNexusEndpointCRUD(t *testing.T) {
	tg, c := setup(t)
	ctx := testContext(t, 30*time.Second)
	ops := c.OperatorService()
	name := "crud-" + strings.ReplaceAll(uniqueName(t, "e")[len(uniqueName(t, "e"))-8:], "_", "-")
	spec := func(name, queue string) *nexuspb.EndpointSpec {
		return &nexuspb.EndpointSpec{Name: name, Target: &nexuspb.EndpointTarget{Variant: &nexuspb.EndpointTarget_Worker_{Worker: &nexuspb.EndpointTarget_Worker{
			Namespace: tg.Namespace, TaskQueue: queue,
		}}}}
	}
	created, err := ops.CreateNexusEndpoint(ctx, &operatorservice.CreateNexusEndpointRequest{Spec: spec(name, "q1")})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	ep := created.GetEndpoint()
	if ep.GetId() == "" || ep.GetVersion() != 1 || ep.GetSpec().GetName() != name || ep.GetCreatedTime() == nil {
		t.Fatalf("created endpoint %v", ep)
	}
	if ep.GetUrlPrefix() != "/nexus/endpoints/"+ep.GetId()+"/services" {
		t.Fatalf("url prefix %q", ep.GetUrlPrefix())
	}
	_, err = ops.CreateNexusEndpoint(ctx, &operatorservice.CreateNexusEndpointRequest{Spec: spec(name, "q2")})
	var exists *serviceerror.AlreadyExists
	if !errors.As(err, &exists) || !strings.Contains(err.Error(), "already registered") {
		t.Fatalf("duplicate create: %v, want AlreadyExists", err)
	}
	_, err = ops.CreateNexusEndpoint(ctx, &operatorservice.CreateNexusEndpointRequest{Spec: spec("9bad name", "q2")})
	var invalid *serviceerror.InvalidArgument
	if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "endpoint name must match the regex") {
		t.Fatalf("bad name: %v, want InvalidArgument", err)
	}
	got, err := ops.GetNexusEndpoint(ctx, &operatorservice.GetNexusEndpointRequest{Id: ep.GetId()})
	if err != nil || got.GetEndpoint().GetSpec().GetTarget().GetWorker().GetTaskQueue() != "q1" {
		t.Fatalf("get: %v %v", got, err)
	}
	updated, err := ops.UpdateNexusEndpoint(ctx, &operatorservice.UpdateNexusEndpointRequest{Id: ep.GetId(), Version: ep.GetVersion(), Spec: spec(name, "q3")})
	if err != nil || updated.GetEndpoint().GetVersion() != 2 {
		t.Fatalf("update: %v %v", updated, err)
	}
	_, err = ops.UpdateNexusEndpoint(ctx, &operatorservice.UpdateNexusEndpointRequest{Id: ep.GetId(), Version: ep.GetVersion(), Spec: spec(name, "q4")})
	var precondition *serviceerror.FailedPrecondition
	if !errors.As(err, &precondition) || !strings.Contains(err.Error(), "nexus endpoint version mismatch") {
		t.Fatalf("stale update: %v, want FailedPrecondition", err)
	}
	list, err := ops.ListNexusEndpoints(ctx, &operatorservice.ListNexusEndpointsRequest{Name: name})
	if err != nil || len(list.GetEndpoints()) != 1 || list.GetEndpoints()[0].GetSpec().GetTarget().GetWorker().GetTaskQueue() != "q3" {
		t.Fatalf("list by name: %v %v", list, err)
	}
	if _, err := ops.DeleteNexusEndpoint(ctx, &operatorservice.DeleteNexusEndpointRequest{Id: ep.GetId(), Version: 2}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = ops.GetNexusEndpoint(ctx, &operatorservice.GetNexusEndpointRequest{Id: ep.GetId()})
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		t.Fatalf("get after delete: %v, want NotFound", err)
	}
}
