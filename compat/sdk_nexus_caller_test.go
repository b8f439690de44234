package compat

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nexus-rpc/sdk-go/nexus"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/sundialdev/sundial"
	sdclient "github.com/sundialdev/sundial/client"
	sdworker "github.com/sundialdev/sundial/worker"
	sdworkflow "github.com/sundialdev/sundial/workflow"
)

// The TestSundialNexusCaller tests call Nexus operations from a workflow on Sundial's
// own SDK; the handler is the official Go SDK's worker of startNexusFixture (in a
// second namespace, behind an endpoint).

// sdkNexusCall is one call the caller workflow makes.
type sdkNexusCall struct {
	Endpoint         string
	Operation        string
	Input            string
	ScheduleToClose  time.Duration
	CancelAfterStart bool
	CancellationType sdworkflow.NexusOperationCancellationType
	// Typed calls the operation through workflow.ExecuteNexusOperation.
	Typed bool
}

// sdkNexusOutcome is what the caller workflow saw, so that tests assert the error
// types inside the workflow and not how a failed workflow closes.
type sdkNexusOutcome struct {
	Token  string
	Result string
	// Error is the call's error text, empty on success.
	Error string
	// Operation names the operation as the NexusOperationError did.
	Operation string
	Endpoint  string
	// Cause is the kind of the NexusOperationError's cause: "application:<type>",
	// "canceled", "timeout:<type>", "handler:<type>"; "canceled" also for a bare
	// CanceledError.
	Cause string
	// CauseMessage is the cause's message.
	CauseMessage string
}

var sdkNexusCallerDef = sdworkflow.DefineNamed("SDKNexusCaller", sdkNexusCaller)

// sdkNexusCaller calls one operation, waits for its start (canceling it then if asked)
// and for its result, and describes what it saw.
func sdkNexusCaller(ctx sdworkflow.Context, call sdkNexusCall) (sdkNexusOutcome, error) {
	c := sdworkflow.NewNexusClient(call.Endpoint, nexusService)
	opCtx, cancel := sdworkflow.WithCancel(ctx)
	defer cancel()
	opts := sdworkflow.NexusOperationOptions{
		ScheduleToCloseTimeout: call.ScheduleToClose, CancellationType: call.CancellationType,
		Summary: "compat call of " + call.Operation,
	}
	var out sdkNexusOutcome
	var err error
	if call.Typed {
		f := sdworkflow.ExecuteNexusOperation(opCtx, c, nexus.NewOperationReference[string, string](call.Operation), call.Input, opts)
		var exec sdworkflow.NexusOperationExecution
		if exec, err = f.GetNexusOperationExecution().Get(ctx); err == nil {
			out.Token = exec.OperationToken
			out.Result, err = f.Get(ctx)
		}
	} else {
		f := c.ExecuteOperation(opCtx, call.Operation, call.Input, opts)
		var exec sdworkflow.NexusOperationExecution
		if err = f.GetNexusOperationExecution().Get(ctx, &exec); err == nil {
			out.Token = exec.OperationToken
			if call.CancelAfterStart {
				cancel()
			}
			err = f.Get(ctx, &out.Result)
		}
	}
	if err != nil {
		describeNexusError(&out, err)
	}
	return out, nil
}

func describeNexusError(out *sdkNexusOutcome, err error) {
	out.Error = err.Error()
	var opErr *sundial.NexusOperationError
	if errors.As(err, &opErr) {
		out.Operation, out.Endpoint = opErr.Operation(), opErr.Endpoint()
		err = opErr.Unwrap()
	}
	var appErr *sundial.ApplicationError
	var canceled *sundial.CanceledError
	var timeout *sundial.TimeoutError
	var handler *sundial.NexusHandlerError
	switch {
	case errors.As(err, &handler):
		out.Cause, out.CauseMessage = "handler:"+handler.Type(), handler.Message()
	case errors.As(err, &appErr):
		out.Cause, out.CauseMessage = "application:"+appErr.Type(), appErr.Message()
	case errors.As(err, &canceled):
		out.Cause = "canceled"
	case errors.As(err, &timeout):
		out.Cause = "timeout:" + timeout.TimeoutType().String()
	case err != nil:
		out.Cause, out.CauseMessage = "other", err.Error()
	}
}

// sdkNexusCallerFixture is the Nexus fixture with a Sundial client and worker running the
// caller workflow in the caller namespace.
type sdkNexusCallerFixture struct {
	nexusFixture
	sd    *sdclient.Client
	queue string
}

func startSDKNexusCallerFixture(t *testing.T) sdkNexusCallerFixture {
	t.Helper()
	tg := startTarget(t)
	fx := sdkNexusCallerFixture{nexusFixture: startNexusFixture(t, tg), sd: sdkDial(t, tg), queue: uniqueName(t, "sdk-caller")}
	sdkStartWorker(t, fx.sd, fx.queue, func(w *sdworker.Worker) error { return sdworker.RegisterWorkflowFunc(w, sdkNexusCallerDef) })
	return fx
}

// start starts the caller workflow for call.
func (fx sdkNexusCallerFixture) start(t *testing.T, ctx context.Context, id string, call sdkNexusCall) sdclient.TypedRun[sdkNexusOutcome] {
	t.Helper()
	call.Endpoint = fx.endpoint
	run, err := sdclient.ExecuteWorkflowFunc(ctx, fx.sd, sdclient.StartWorkflowOptions{ID: id, TaskQueue: fx.queue}, sdkNexusCallerDef, call)
	if err != nil {
		t.Fatalf("starting the caller: %v", err)
	}
	return run
}

// outcome waits for the caller's outcome.
func (fx sdkNexusCallerFixture) outcome(t *testing.T, ctx context.Context, run sdclient.TypedRun[sdkNexusOutcome]) sdkNexusOutcome {
	t.Helper()
	out, err := run.Result(ctx)
	if err != nil {
		t.Fatalf("caller workflow failed: %v", err)
	}
	return out
}

// countEvents counts the events of each type in the caller's history.
func (fx sdkNexusCallerFixture) countEvents(t *testing.T, ctx context.Context, run sdclient.TypedRun[sdkNexusOutcome]) map[enumspb.EventType]int {
	t.Helper()
	counts := map[enumspb.EventType]int{}
	for _, e := range sdkHistory(t, ctx, fx.sd, run.GetID(), run.GetRunID()) {
		counts[e.GetEventType()]++
	}
	return counts
}

func requireEventCounts(t *testing.T, got map[enumspb.EventType]int, want map[enumspb.EventType]int) {
	t.Helper()
	for typ, n := range want {
		if got[typ] != n {
			t.Fatalf("caller history has %d %v, want %d (all: %v)", got[typ], typ, n, got)
		}
	}
}

func TestSundialNexusCallerSyncOperation(t *testing.T) {
	fx := startSDKNexusCallerFixture(t)
	ctx := testContext(t, 60*time.Second)

	for _, typed := range []bool{false, true} {
		run := fx.start(t, ctx, uniqueName(t, "sync"), sdkNexusCall{Operation: "echo", Input: "hello", ScheduleToClose: time.Minute, Typed: typed})
		out := fx.outcome(t, ctx, run)
		if out.Error != "" || out.Result != "echo hello" || out.Token != "" {
			t.Fatalf("typed=%v: outcome %+v, want the result %q and no token", typed, out, "echo hello")
		}
		requireEventCounts(t, fx.countEvents(t, ctx, run), map[enumspb.EventType]int{
			enumspb.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED: 1, enumspb.EVENT_TYPE_NEXUS_OPERATION_STARTED: 0,
			enumspb.EVENT_TYPE_NEXUS_OPERATION_COMPLETED: 1,
		})
	}
	// The summary reaches the scheduled event.
	run := fx.start(t, ctx, uniqueName(t, "summary"), sdkNexusCall{Operation: "echo", Input: "x", ScheduleToClose: time.Minute})
	fx.outcome(t, ctx, run)
	for _, e := range sdkHistory(t, ctx, fx.sd, run.GetID(), run.GetRunID()) {
		if e.GetEventType() == enumspb.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED {
			if s := string(e.GetUserMetadata().GetSummary().GetData()); s != `"compat call of echo"` {
				t.Fatalf("scheduled event summary %s", s)
			}
		}
	}
}

func TestSundialNexusCallerAsyncWorkflowOperation(t *testing.T) {
	fx := startSDKNexusCallerFixture(t)
	ctx := testContext(t, 60*time.Second)

	input := uniqueName(t, "in")
	run := fx.start(t, ctx, uniqueName(t, "async"), sdkNexusCall{Operation: "run", Input: input, ScheduleToClose: time.Minute})
	handlerID := "handler-" + input
	eventually(t, 30*time.Second, "the handler workflow to start", func() bool {
		_, err := fx.handler.DescribeWorkflowExecution(ctx, handlerID, "")
		return err == nil
	})
	if err := fx.handler.SignalWorkflow(ctx, handlerID, "", "finish", "!"); err != nil {
		t.Fatalf("signaling the handler workflow: %v", err)
	}
	out := fx.outcome(t, ctx, run)
	if want := "handled " + input + "!"; out.Error != "" || out.Result != want {
		t.Fatalf("outcome %+v, want the result %q", out, want)
	}
	if out.Token == "" {
		t.Fatalf("the start future of an asynchronous operation gave no token")
	}
	events := sdkHistory(t, ctx, fx.sd, run.GetID(), run.GetRunID())
	if started := eventsOfType(events, enumspb.EVENT_TYPE_NEXUS_OPERATION_STARTED); len(started) != 1 ||
		started[0].GetNexusOperationStartedEventAttributes().GetOperationToken() != out.Token {
		t.Fatalf("want one NexusOperationStarted with token %q, got %v", out.Token, started)
	}
}

func TestSundialNexusCallerOperationFailure(t *testing.T) {
	fx := startSDKNexusCallerFixture(t)
	ctx := testContext(t, 60*time.Second)

	out := fx.outcome(t, ctx, fx.start(t, ctx, uniqueName(t, "fail"), sdkNexusCall{Operation: "echo", Input: "fail", ScheduleToClose: time.Minute}))
	// The official handler sends an operation error as an ApplicationError of type
	// OperationError whose cause carries the handler's message.
	if out.Operation != "echo" || out.Endpoint != fx.endpoint || out.Cause != "application:OperationError" || !strings.Contains(out.Error, "the handler refused") {
		t.Fatalf("outcome %+v, want a NexusOperationError for echo caused by the handler's OperationError", out)
	}
}

func TestSundialNexusCallerHandlerError(t *testing.T) {
	fx := startSDKNexusCallerFixture(t)
	ctx := testContext(t, 60*time.Second)

	// The handler answers an operation it does not have with a non-retryable NOT_FOUND
	// handler error, which fails the operation at once.
	out := fx.outcome(t, ctx, fx.start(t, ctx, uniqueName(t, "missing"), sdkNexusCall{Operation: "no-such-op", Input: "x", ScheduleToClose: time.Minute}))
	if out.Operation != "no-such-op" || out.Cause != "handler:NOT_FOUND" {
		t.Fatalf("outcome %+v, want a NexusOperationError caused by a NOT_FOUND NexusHandlerError", out)
	}
}

func TestSundialNexusCallerCancellation(t *testing.T) {
	fx := startSDKNexusCallerFixture(t)
	ctx := testContext(t, 90*time.Second)

	cancelSleepy := func(t *testing.T, cancelType sdworkflow.NexusOperationCancellationType) (sdkNexusOutcome, string, map[enumspb.EventType]int) {
		input := uniqueName(t, "in")
		run := fx.start(t, ctx, uniqueName(t, "cancel"), sdkNexusCall{
			Operation: "sleepy", Input: input, ScheduleToClose: time.Minute, CancelAfterStart: true, CancellationType: cancelType,
		})
		out := fx.outcome(t, ctx, run)
		if out.Cause != "canceled" || out.Token == "" {
			t.Fatalf("outcome %+v, want a canceled started operation", out)
		}
		return out, "sleepy-" + input, fx.countEvents(t, ctx, run)
	}
	handlerStatus := func(t *testing.T, id string) enumspb.WorkflowExecutionStatus {
		desc, err := fx.handler.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			t.Fatal(err)
		}
		return desc.GetWorkflowExecutionInfo().GetStatus()
	}

	t.Run("WaitCompleted", func(t *testing.T) {
		out, handlerID, counts := cancelSleepy(t, sdworkflow.NexusCancelWaitCompleted)
		// The caller resumed only once the operation ended: the handler's workflow is
		// canceled and the caller's history holds the whole cancellation.
		if st := handlerStatus(t, handlerID); st != enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED {
			t.Fatalf("handler workflow status %v, want canceled", st)
		}
		if out.Operation != "sleepy" {
			t.Fatalf("outcome %+v, want the NexusOperationError of the canceled operation", out)
		}
		requireEventCounts(t, counts, map[enumspb.EventType]int{
			enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED: 1, enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUEST_COMPLETED: 1,
			enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCELED: 1,
		})
	})
	t.Run("Abandon", func(t *testing.T) {
		_, handlerID, counts := cancelSleepy(t, sdworkflow.NexusCancelAbandon)
		// Nothing was asked of the server: the handler's workflow runs on.
		if st := handlerStatus(t, handlerID); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			t.Fatalf("handler workflow status %v, want running", st)
		}
		requireEventCounts(t, counts, map[enumspb.EventType]int{enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED: 0})
		if err := fx.handler.TerminateWorkflow(ctx, handlerID, "", "test done"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("TryCancel", func(t *testing.T) {
		_, handlerID, counts := cancelSleepy(t, sdworkflow.NexusCancelTry)
		requireEventCounts(t, counts, map[enumspb.EventType]int{enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED: 1})
		// The request still reaches the handler after the caller moved on.
		eventually(t, 30*time.Second, "the handler workflow to be canceled", func() bool {
			return handlerStatus(t, handlerID) == enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED
		})
	})
	t.Run("WaitRequested", func(t *testing.T) {
		_, _, counts := cancelSleepy(t, sdworkflow.NexusCancelWaitRequested)
		requireEventCounts(t, counts, map[enumspb.EventType]int{
			enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED: 1, enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUEST_COMPLETED: 1,
		})
	})
}

func TestSundialNexusCallerScheduleToCloseTimeout(t *testing.T) {
	fx := startSDKNexusCallerFixture(t)
	ctx := testContext(t, 60*time.Second)

	run := fx.start(t, ctx, uniqueName(t, "timeout"), sdkNexusCall{Operation: "sleepy", Input: uniqueName(t, "in"), ScheduleToClose: 2 * time.Second})
	out := fx.outcome(t, ctx, run)
	if out.Operation != "sleepy" || out.Cause != "timeout:"+enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE.String() {
		t.Fatalf("outcome %+v, want a NexusOperationError caused by a schedule-to-close timeout", out)
	}
	requireEventCounts(t, fx.countEvents(t, ctx, run), map[enumspb.EventType]int{enumspb.EVENT_TYPE_NEXUS_OPERATION_TIMED_OUT: 1})
}

// TestSundialNexusCallerHistoriesReplayAcrossSDKs replays the history of a Sundial SDK
// caller with the official Go SDK's replayer, and the history of an official SDK
// caller with Sundial's: both SDKs write and expect the same commands.
func TestSundialNexusCallerHistoriesReplayAcrossSDKs(t *testing.T) {
	fx := startSDKNexusCallerFixture(t)
	ctx := testContext(t, 60*time.Second)

	// The same call made by each SDK: a synchronous and a workflow-backed operation.
	input := uniqueName(t, "in")
	sdRuns := []sdclient.TypedRun[sdkNexusOutcome]{
		fx.start(t, ctx, uniqueName(t, "sd-sync"), sdkNexusCall{Operation: "echo", Input: "hello", ScheduleToClose: time.Minute}),
		fx.start(t, ctx, uniqueName(t, "sd-async"), sdkNexusCall{Operation: "run", Input: input, ScheduleToClose: time.Minute}),
	}
	temporalRuns := []client.WorkflowRun{
		fx.call(t, ctx, uniqueName(t, "t-sync"), nexusCallArgs{Operation: "echo", Input: "hello", ScheduleToClose: time.Minute}),
	}
	eventually(t, 30*time.Second, "the handler workflow to start", func() bool {
		_, err := fx.handler.DescribeWorkflowExecution(ctx, "handler-"+input, "")
		return err == nil
	})
	if err := fx.handler.SignalWorkflow(ctx, "handler-"+input, "", "finish", "!"); err != nil {
		t.Fatal(err)
	}
	temporalAsync := fx.call(t, ctx, uniqueName(t, "t-async"), nexusCallArgs{Operation: "run", Input: input + "-t", ScheduleToClose: time.Minute})
	eventually(t, 30*time.Second, "the second handler workflow to start", func() bool {
		_, err := fx.handler.DescribeWorkflowExecution(ctx, "handler-"+input+"-t", "")
		return err == nil
	})
	if err := fx.handler.SignalWorkflow(ctx, "handler-"+input+"-t", "", "finish", "!"); err != nil {
		t.Fatal(err)
	}
	temporalRuns = append(temporalRuns, temporalAsync)

	official := worker.NewWorkflowReplayer()
	official.RegisterWorkflowWithOptions(nexusCallerWorkflow, workflow.RegisterOptions{Name: "SDKNexusCaller"})
	for _, run := range sdRuns {
		if out := fx.outcome(t, ctx, run); out.Error != "" {
			t.Fatalf("Sundial caller %s: %+v", run.GetID(), out)
		}
		history := &historypb.History{Events: fetchHistory(t, fx.caller, run.GetID(), run.GetRunID())}
		if err := official.ReplayWorkflowHistory(nil, history); err != nil {
			t.Fatalf("the official SDK does not replay Sundial's history of %s: %v", run.GetID(), err)
		}
	}
	// The check has teeth: a caller of another operation does not replay.
	other := worker.NewWorkflowReplayer()
	other.RegisterWorkflowWithOptions(func(ctx workflow.Context, args nexusCallArgs) (string, error) {
		args.Operation = "other"
		return nexusCallerWorkflow(ctx, args)
	}, workflow.RegisterOptions{Name: "SDKNexusCaller"})
	if err := other.ReplayWorkflowHistory(nil, &historypb.History{Events: fetchHistory(t, fx.caller, sdRuns[0].GetID(), sdRuns[0].GetRunID())}); err == nil {
		t.Fatal("the official SDK replayed a history of echo with code calling another operation")
	}
	sundialReplayer := sdworker.NewWorkflowReplayer()
	if err := sundialReplayer.RegisterWorkflowWithName(sdkNexusCaller, "nexusCallerWorkflow"); err != nil {
		t.Fatal(err)
	}
	for _, run := range temporalRuns {
		if err := run.Get(ctx, nil); err != nil {
			t.Fatalf("official caller %s: %v", run.GetID(), err)
		}
		history := &historypb.History{Events: fetchHistory(t, fx.caller, run.GetID(), run.GetRunID())}
		if err := sundialReplayer.ReplayHistory(history); err != nil {
			t.Fatalf("Sundial does not replay the official SDK's history of %s: %v", run.GetID(), err)
		}
	}
}
