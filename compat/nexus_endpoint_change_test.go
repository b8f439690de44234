package compat

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nexus-rpc/sdk-go/nexus"
	enumspb "go.temporal.io/api/enums/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// The server looks an operation's endpoint up by id at every start attempt:
// an endpoint updated after the operation was scheduled sends the retries to
// its new target, and a deleted one fails the operation.

// strandedEndpoint creates an endpoint whose target queue has no worker and
// starts a caller whose operation goes there; it returns the endpoint and
// the caller's run once the operation is scheduled.
func strandedEndpoint(t *testing.T, fx nexusFixture, name string) (*nexuspb.Endpoint, client.WorkflowRun) {
	t.Helper()
	ctx := testContext(t, 30*time.Second)
	endpoint := fx.endpoint + "-" + name
	created, err := fx.caller.OperatorService().CreateNexusEndpoint(ctx, &operatorservice.CreateNexusEndpointRequest{Spec: &nexuspb.EndpointSpec{
		Name:   endpoint,
		Target: nexusWorkerTarget(fx.handlerNamespace, fx.handlerQueue+"-nobody"),
	}})
	if err != nil {
		t.Fatalf("creating the endpoint: %v", err)
	}
	run, err := fx.caller.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, name), TaskQueue: fx.callerQueue}, nexusCallerWorkflow, nexusCallArgs{
		Endpoint: endpoint, Operation: "echo", Input: name, ScheduleToClose: time.Minute,
	})
	if err != nil {
		t.Fatalf("starting the caller: %v", err)
	}
	eventually(t, 20*time.Second, "the operation to be scheduled", func() bool {
		d, err := fx.caller.DescribeWorkflowExecution(ctx, run.GetID(), "")
		return err == nil && len(d.GetPendingNexusOperations()) == 1
	})
	return created.GetEndpoint(), run
}

func nexusWorkerTarget(namespace, queue string) *nexuspb.EndpointTarget {
	return &nexuspb.EndpointTarget{Variant: &nexuspb.EndpointTarget_Worker_{Worker: &nexuspb.EndpointTarget_Worker{Namespace: namespace, TaskQueue: queue}}}
}

func TestNexusEndpointUpdateRedirectsRetries(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)

	ep, run := strandedEndpoint(t, fx, "moved")
	_, err := fx.caller.OperatorService().UpdateNexusEndpoint(ctx, &operatorservice.UpdateNexusEndpointRequest{
		Id: ep.GetId(), Version: ep.GetVersion(),
		Spec: &nexuspb.EndpointSpec{Name: ep.GetSpec().GetName(), Target: nexusWorkerTarget(fx.handlerNamespace, fx.handlerQueue)},
	})
	if err != nil {
		t.Fatalf("updating the endpoint: %v", err)
	}
	// The request already sent to the old queue times out; the retry goes
	// to the handler's queue.
	var out string
	if err := run.Get(ctx, &out); err != nil {
		t.Fatalf("caller failed: %v", err)
	}
	if out != "echo moved" {
		t.Fatalf("result %q, want %q", out, "echo moved")
	}
}

func TestNexusEndpointDeleteFailsOperation(t *testing.T) {
	tg := startTarget(t)
	fx := startNexusFixture(t, tg)
	ctx := testContext(t, 60*time.Second)

	ep, run := strandedEndpoint(t, fx, "deleted")
	if _, err := fx.caller.OperatorService().DeleteNexusEndpoint(ctx, &operatorservice.DeleteNexusEndpointRequest{Id: ep.GetId(), Version: ep.GetVersion()}); err != nil {
		t.Fatalf("deleting the endpoint: %v", err)
	}
	err := run.Get(ctx, nil)
	var opErr *temporal.NexusOperationError
	var handlerErr *nexus.HandlerError
	if !errors.As(err, &opErr) || !errors.As(err, &handlerErr) {
		t.Fatalf("caller error %v, want a NexusOperationError caused by a handler error", err)
	}
	if handlerErr.Type != nexus.HandlerErrorTypeNotFound || !strings.Contains(handlerErr.Error(), "endpoint not registered") {
		t.Fatalf("handler error %v (type %s), want NOT_FOUND endpoint not registered", handlerErr, handlerErr.Type)
	}
	events := fetchHistory(t, fx.caller, run.GetID(), run.GetRunID())
	if len(eventsOfType(events, enumspb.EVENT_TYPE_NEXUS_OPERATION_FAILED)) != 1 {
		t.Fatalf("caller history lacks NexusOperationFailed")
	}
}
