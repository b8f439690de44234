package compat

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nexus-rpc/sdk-go/nexus"
	sdclient "github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/nexusop"
	sdworker "github.com/sundialdev/sundial/worker"
	sdworkflow "github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/types/known/durationpb"
)

// The TestSundialNexusHandler tests serve Nexus operations with Sundial's own SDK
// (package nexusop and worker.RegisterNexusService) in a handler namespace, and call
// them from a workflow of the official Go SDK in the default namespace
// (nexusCallerWorkflow, shared with nexus_test.go).

var (
	// sdkNexusFinishWorkflow waits for a "finish" signal and returns its input with
	// the signal's value.
	sdkNexusFinishWorkflow = sdworkflow.DefineNamed("SDKNexusFinish", func(ctx sdworkflow.Context, in string) (string, error) {
		var suffix string
		sdworkflow.GetSignalChannel(ctx, "finish").Receive(ctx, &suffix)
		return "handled " + in + suffix, nil
	})
	// sdkNexusSleepyWorkflow runs until it is canceled.
	sdkNexusSleepyWorkflow = sdworkflow.DefineNamed("SDKNexusSleepy", func(ctx sdworkflow.Context, in string) (string, error) {
		return "", sdworkflow.Sleep(ctx, time.Hour)
	})
)

// sdkNexusService is the handler's service: every kind of operation the tests call.
func sdkNexusService() *nexus.Service {
	svc := nexus.NewService(nexusService)
	svc.MustRegister(
		nexusop.NewSync("echo", func(ctx context.Context, c *sdclient.Client, in string, _ nexus.StartOperationOptions) (string, error) {
			info := nexusop.Info(ctx)
			return "echo " + in + " in " + info.Namespace + "/" + info.TaskQueue + " via " + info.Endpoint, nil
		}),
		// finish signals the handler workflow the input names, through the client.
		nexusop.NewSync("finish", func(ctx context.Context, c *sdclient.Client, workflowID string, _ nexus.StartOperationOptions) (string, error) {
			if err := c.SignalWorkflow(ctx, workflowID, "", "finish", "!"); err != nil {
				return "", err
			}
			return "signaled " + workflowID, nil
		}),
		nexusop.NewSync("refuse", func(ctx context.Context, _ *sdclient.Client, in string, _ nexus.StartOperationOptions) (string, error) {
			return "", nexus.NewOperationFailedErrorf("the handler refused %s", in)
		}),
		nexusop.NewSync("reject", func(ctx context.Context, _ *sdclient.Client, in string, _ nexus.StartOperationOptions) (string, error) {
			return "", nexus.NewHandlerErrorf(nexus.HandlerErrorTypeBadRequest, "bad input %s", in)
		}),
		nexusop.NewWorkflowRun("run", sdkNexusFinishWorkflow, func(ctx context.Context, in string, _ nexus.StartOperationOptions) (sdclient.StartWorkflowOptions, error) {
			return sdclient.StartWorkflowOptions{ID: "handler-" + in}, nil
		}),
		nexusop.NewWorkflowRun("sleepy", sdkNexusSleepyWorkflow, func(ctx context.Context, in string, _ nexus.StartOperationOptions) (sdclient.StartWorkflowOptions, error) {
			return sdclient.StartWorkflowOptions{ID: "sleepy-" + in}, nil
		}),
	)
	return svc
}

// sdkNexusFixture is an official-SDK caller and a Sundial-SDK handler in two
// namespaces joined by an endpoint.
type sdkNexusFixture struct {
	caller       client.Client
	handler      *sdclient.Client
	handlerNS    string
	endpoint     string
	callerQueue  string
	handlerQueue string
}

func startSDKNexusFixture(t *testing.T) sdkNexusFixture {
	t.Helper()
	tg := startTarget(t)
	ctx := testContext(t, 60*time.Second)
	fx := sdkNexusFixture{caller: dial(t, tg), callerQueue: uniqueName(t, "caller"), handlerQueue: uniqueName(t, "handler")}
	fx.handlerNS = shortName(uniqueName(t, "nx"), "nx-")
	_, err := fx.caller.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: fx.handlerNS, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
	})
	if err != nil {
		t.Fatalf("registering the handler namespace: %v", err)
	}
	eventually(t, 30*time.Second, "the handler namespace to be usable", func() bool {
		_, err := fx.caller.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: fx.handlerNS})
		return err == nil
	})
	fx.endpoint = shortName(strings.ReplaceAll(uniqueName(t, "ep"), "_", "-"), "ep-")
	_, err = fx.caller.OperatorService().CreateNexusEndpoint(ctx, &operatorservice.CreateNexusEndpointRequest{Spec: &nexuspb.EndpointSpec{
		Name: fx.endpoint,
		Target: &nexuspb.EndpointTarget{Variant: &nexuspb.EndpointTarget_Worker_{Worker: &nexuspb.EndpointTarget_Worker{
			Namespace: fx.handlerNS, TaskQueue: fx.handlerQueue,
		}}},
	}})
	if err != nil {
		t.Fatalf("creating the endpoint: %v", err)
	}
	fx.handler = sdkDial(t, target{HostPort: tg.HostPort, Namespace: fx.handlerNS})
	sdkStartWorker(t, fx.handler, fx.handlerQueue, func(w *sdworker.Worker) error {
		return errors.Join(w.RegisterNexusService(sdkNexusService()),
			sdworker.RegisterWorkflowFunc(w, sdkNexusFinishWorkflow), sdworker.RegisterWorkflowFunc(w, sdkNexusSleepyWorkflow))
	})
	startWorker(t, fx.caller, fx.callerQueue, func(r worker.Registry) { r.RegisterWorkflow(nexusCallerWorkflow) })
	return fx
}

// shortName keeps a name within the 60 characters namespaces and endpoints allow.
func shortName(name, prefix string) string {
	if len(name) > 60 {
		return prefix + name[len(name)-40:]
	}
	return name
}

func (fx sdkNexusFixture) call(t *testing.T, ctx context.Context, id string, args nexusCallArgs) client.WorkflowRun {
	t.Helper()
	args.Endpoint = fx.endpoint
	if args.ScheduleToClose == 0 {
		args.ScheduleToClose = time.Minute
	}
	run, err := fx.caller.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: fx.callerQueue}, nexusCallerWorkflow, args)
	if err != nil {
		t.Fatalf("starting the caller: %v", err)
	}
	return run
}

func (fx sdkNexusFixture) result(t *testing.T, ctx context.Context, id string, args nexusCallArgs) string {
	t.Helper()
	var out string
	if err := fx.call(t, ctx, id, args).Get(ctx, &out); err != nil {
		t.Fatalf("caller of %s failed: %v", args.Operation, err)
	}
	return out
}

func TestSundialNexusHandlerSyncOperation(t *testing.T) {
	fx := startSDKNexusFixture(t)
	ctx := testContext(t, 60*time.Second)

	got := fx.result(t, ctx, uniqueName(t, "echo"), nexusCallArgs{Operation: "echo", Input: "hello"})
	if want := "echo hello in " + fx.handlerNS + "/" + fx.handlerQueue + " via " + fx.endpoint; got != want {
		t.Fatalf("result %q, want %q", got, want)
	}

	// A sync operation acts on a workflow of its namespace through the client.
	input := uniqueName(t, "in")
	handlerID := "direct-" + input
	run, err := sdclient.ExecuteWorkflowFunc(ctx, fx.handler, sdclient.StartWorkflowOptions{ID: handlerID, TaskQueue: fx.handlerQueue}, sdkNexusFinishWorkflow, input)
	if err != nil {
		t.Fatal(err)
	}
	if got := fx.result(t, ctx, uniqueName(t, "finish"), nexusCallArgs{Operation: "finish", Input: handlerID}); got != "signaled "+handlerID {
		t.Fatalf("result %q", got)
	}
	if out, err := run.Result(ctx); err != nil || out != "handled "+input+"!" {
		t.Fatalf("signaled workflow returned %q, %v", out, err)
	}
}

func TestSundialNexusHandlerErrors(t *testing.T) {
	fx := startSDKNexusFixture(t)
	ctx := testContext(t, 60*time.Second)

	// An operation error fails the operation at once.
	err := fx.call(t, ctx, uniqueName(t, "refuse"), nexusCallArgs{Operation: "refuse", Input: "x1"}).Get(ctx, nil)
	var opErr *temporal.NexusOperationError
	if !errors.As(err, &opErr) || opErr.Operation != "refuse" || opErr.Endpoint != fx.endpoint {
		t.Fatalf("caller error %v, want a NexusOperationError of refuse", err)
	}
	if !strings.Contains(err.Error(), "the handler refused x1") {
		t.Fatalf("caller error %q lacks the handler's message", err)
	}
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != "OperationError" {
		t.Fatalf("caller error %v: want an OperationError application failure inside", err)
	}

	// A non-retryable handler error fails it too, carrying its type.
	err = fx.call(t, ctx, uniqueName(t, "reject"), nexusCallArgs{Operation: "reject", Input: "x2"}).Get(ctx, nil)
	var handlerErr *nexus.HandlerError
	if !errors.As(err, &opErr) || !errors.As(err, &handlerErr) {
		t.Fatalf("caller error %v, want a NexusOperationError caused by a HandlerError", err)
	}
	if handlerErr.Type != nexus.HandlerErrorTypeBadRequest || !strings.Contains(err.Error(), "bad input x2") {
		t.Fatalf("handler error %v (type %s), want BAD_REQUEST with the handler's message", handlerErr, handlerErr.Type)
	}

	// An unknown operation is a NOT_FOUND handler error.
	err = fx.call(t, ctx, uniqueName(t, "missing"), nexusCallArgs{Operation: "missing", Input: "x3"}).Get(ctx, nil)
	if !errors.As(err, &handlerErr) || handlerErr.Type != nexus.HandlerErrorTypeNotFound {
		t.Fatalf("caller error %v, want a NOT_FOUND handler error", err)
	}
}

func TestSundialNexusHandlerWorkflowRunOperation(t *testing.T) {
	fx := startSDKNexusFixture(t)
	ctx := testContext(t, 60*time.Second)

	input := uniqueName(t, "in")
	run := fx.call(t, ctx, uniqueName(t, "async"), nexusCallArgs{Operation: "run", Input: input})
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
	if len(started) != 1 {
		t.Fatalf("want one NexusOperationStarted, got %d", len(started))
	}
	requireWorkflowRunToken(t, started[0].GetNexusOperationStartedEventAttributes().GetOperationToken(), fx.handlerNS, handlerID)
	if links := started[0].GetLinks(); len(links) != 1 || links[0].GetWorkflowEvent().GetWorkflowId() != handlerID ||
		links[0].GetWorkflowEvent().GetNamespace() != fx.handlerNS {
		t.Fatalf("NexusOperationStarted links %v, want one to the handler workflow %s", links, handlerID)
	}
	if len(eventsOfType(events, enumspb.EVENT_TYPE_NEXUS_OPERATION_COMPLETED)) != 1 {
		t.Fatal("no NexusOperationCompleted in the caller's history")
	}

	// The handler's workflow carries the caller's callback (with the token), and
	// the callback a link back to the caller's scheduled event; as on Temporal,
	// the started event does not repeat the callback's link.
	first := sdkHistory(t, ctx, fx.handler, handlerID, "")[0]
	callbacks := first.GetWorkflowExecutionStartedEventAttributes().GetCompletionCallbacks()
	if len(callbacks) != 1 || callbacks[0].GetNexus().GetUrl() == "" {
		t.Fatalf("handler workflow started with callbacks %v, want the caller's", callbacks)
	}
	links := callbacks[0].GetLinks()
	if len(links) != 1 || links[0].GetWorkflowEvent().GetWorkflowId() != run.GetID() ||
		links[0].GetWorkflowEvent().GetEventRef().GetEventType() != enumspb.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED {
		t.Fatalf("handler workflow's callback links %v, want one to the caller's scheduled event", links)
	}
	if len(first.GetLinks()) != 0 {
		t.Fatalf("handler workflow's started event repeats the callback's link: %v", first.GetLinks())
	}
}

// requireWorkflowRunToken checks an operation token has the format of Temporal's Go
// SDK: base64url JSON with the workflow-run type, the namespace and the workflow id.
func requireWorkflowRunToken(t *testing.T, token, namespace, workflowID string) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatalf("operation token %q is not base64url: %v", token, err)
	}
	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatalf("operation token %s is not JSON: %v", b, err)
	}
	if fields["t"] != float64(1) || fields["ns"] != namespace || fields["wid"] != workflowID || len(fields) != 3 {
		t.Fatalf("operation token %s, want type 1, namespace %s, workflow id %s", b, namespace, workflowID)
	}
}

func TestSundialNexusHandlerCancelWorkflowRunOperation(t *testing.T) {
	fx := startSDKNexusFixture(t)
	ctx := testContext(t, 60*time.Second)

	input := uniqueName(t, "in")
	run := fx.call(t, ctx, uniqueName(t, "cancel"), nexusCallArgs{
		Operation: "sleepy", Input: input, CancelAfterStart: true,
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
