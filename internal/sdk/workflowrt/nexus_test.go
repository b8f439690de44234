package workflowrt_test

import (
	"errors"
	"testing"
	"time"

	"github.com/nexus-rpc/sdk-go/nexus"
	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt/historytest"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
)

// nexusCall is what a Nexus caller workflow saw, for assertions.
type nexusCall struct {
	startErr  error
	token     string
	resultErr error
	result    string
}

// nexusCallerWorkflow calls operation "greet" of service "svc" through endpoint "ep"
// with opts, waits for its start, cancels its context if cancelAfterStart, then waits
// for the result. It records what it saw in seen.
func nexusCallerWorkflow(seen *nexusCall, opts workflow.NexusOperationOptions, cancelAfterStart bool) func(ctx workflow.Context) (string, error) {
	return func(ctx workflow.Context) (string, error) {
		*seen = nexusCall{}
		opCtx, cancel := workflow.WithCancel(ctx)
		defer cancel()
		f := workflow.NewNexusClient("ep", "svc").ExecuteOperation(opCtx, "greet", "Ada", opts)
		var exec workflow.NexusOperationExecution
		seen.startErr = f.GetNexusOperationExecution().Get(ctx, &exec)
		seen.token = exec.OperationToken
		if cancelAfterStart {
			cancel()
		}
		seen.resultErr = f.Get(ctx, &seen.result)
		if seen.resultErr != nil {
			return "", seen.resultErr
		}
		return exec.OperationToken + "/" + seen.result, nil
	}
}

func TestNexusSyncOperationResult(t *testing.T) {
	cacheModes(t, func(t *testing.T, cacheSize int) {
		var seen nexusCall
		opts := workflow.NexusOperationOptions{
			ScheduleToCloseTimeout: time.Minute, ScheduleToStartTimeout: 10 * time.Second, StartToCloseTimeout: 30 * time.Second,
			Summary: "greets Ada", Header: map[string]string{"X-Trace": "t1"},
		}
		x := newHarness(t, nexusCallerWorkflow(&seen, opts, false), cacheSize)

		commands := x.step()
		requireTypes(t, commands, enumspb.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION)
		attrs := commands[0].GetScheduleNexusOperationCommandAttributes()
		if attrs.GetEndpoint() != "ep" || attrs.GetService() != "svc" || attrs.GetOperation() != "greet" {
			t.Fatalf("schedule attributes = %v", attrs)
		}
		if attrs.GetScheduleToCloseTimeout().AsDuration() != time.Minute || attrs.GetScheduleToStartTimeout().AsDuration() != 10*time.Second ||
			attrs.GetStartToCloseTimeout().AsDuration() != 30*time.Second || attrs.GetNexusHeader()["x-trace"] != "t1" {
			t.Fatalf("schedule options = %v", attrs)
		}
		if got := decode[string](t, &commonPayloads{Payloads: []*commonPayload{attrs.GetInput()}}); got != "Ada" {
			t.Fatalf("input = %q", got)
		}
		if got := decode[string](t, &commonPayloads{Payloads: []*commonPayload{commands[0].GetUserMetadata().GetSummary()}}); got != "greets Ada" {
			t.Fatalf("summary = %q", got)
		}

		x.hist.NexusCompleted(5, "hello Ada")
		commands = x.step()
		requireTypes(t, commands, enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION)
		if got := completedResult[string](t, commands[0]); got != "/hello Ada" {
			t.Fatalf("result = %q (a synchronous operation has no token)", got)
		}
		if seen.startErr != nil {
			t.Fatalf("start future of a synchronous operation failed: %v", seen.startErr)
		}
	})
}

func TestNexusAsyncOperationStartsThenCompletes(t *testing.T) {
	cacheModes(t, func(t *testing.T, cacheSize int) {
		var seen nexusCall
		x := newHarness(t, nexusCallerWorkflow(&seen, workflow.NexusOperationOptions{}, false), cacheSize)
		requireTypes(t, x.step(), enumspb.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION)

		x.hist.NexusStarted(5, "token-1")
		if commands := x.step(); len(commands) != 0 {
			t.Fatalf("a started operation produced commands %v", commandTypes(commands))
		}
		if seen.token != "token-1" || seen.startErr != nil {
			t.Fatalf("start future = %q, %v; want token-1", seen.token, seen.startErr)
		}

		x.hist.NexusCompleted(5, "hello Ada")
		commands := x.step()
		if got := completedResult[string](t, last(commands)); got != "token-1/hello Ada" {
			t.Fatalf("result = %q", got)
		}
	})
}

func TestNexusOperationFailureIsANexusOperationError(t *testing.T) {
	cases := map[string]struct {
		write func(h *historytest.Builder)
		check func(t *testing.T, err error)
	}{
		"Failed": {
			write: func(h *historytest.Builder) {
				h.NexusFailed(5, historytest.NexusFailure(5, "ep", "svc", "greet", "", sundial.NewApplicationError("refused", "Refused")))
			},
			check: func(t *testing.T, err error) {
				if !sundial.HasApplicationError(err, "Refused") {
					t.Fatalf("error %v does not carry the handler's application error", err)
				}
			},
		},
		"HandlerError": {
			write: func(h *historytest.Builder) {
				cause := sundial.NewNexusHandlerError(sundial.NexusHandlerErrorOptions{Type: "BAD_REQUEST", Message: "no such name",
					RetryBehavior: enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_NON_RETRYABLE})
				h.NexusFailed(5, historytest.NexusFailure(5, "ep", "svc", "greet", "", cause))
			},
			check: func(t *testing.T, err error) {
				var handlerErr *sundial.NexusHandlerError
				if !errors.As(err, &handlerErr) || handlerErr.Type() != "BAD_REQUEST" || handlerErr.Message() != "no such name" ||
					handlerErr.RetryBehavior() != enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_NON_RETRYABLE {
					t.Fatalf("error %v, want a BAD_REQUEST NexusHandlerError", err)
				}
			},
		},
		"TimedOut": {
			write: func(h *historytest.Builder) {
				h.NexusTimedOut(5, historytest.NexusFailure(5, "ep", "svc", "greet", "", historytest.NexusTimeoutCause()))
			},
			check: func(t *testing.T, err error) {
				var timeoutErr *sundial.TimeoutError
				if !errors.As(err, &timeoutErr) || timeoutErr.TimeoutType() != enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE {
					t.Fatalf("error %v, want a schedule-to-close TimeoutError", err)
				}
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var seen nexusCall
			x := newHarness(t, nexusCallerWorkflow(&seen, workflow.NexusOperationOptions{}, false), 10)
			x.step()
			tc.write(x.hist)
			requireTypes(t, x.step(), enumspb.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION)
			var opErr *sundial.NexusOperationError
			if !errors.As(seen.resultErr, &opErr) || opErr.Endpoint() != "ep" || opErr.Service() != "svc" ||
				opErr.Operation() != "greet" || opErr.ScheduledEventID() != 5 {
				t.Fatalf("workflow saw %v, want a NexusOperationError for ep/svc/greet", seen.resultErr)
			}
			if !errors.As(seen.startErr, &opErr) {
				t.Fatalf("start future saw %v, want the same NexusOperationError", seen.startErr)
			}
			tc.check(t, seen.resultErr)
		})
	}
}

// TestNexusCancellationTypes cancels a started operation (scheduled at 5, started as
// token-1) and checks when the caller's future fails, per cancellation type.
func TestNexusCancellationTypes(t *testing.T) {
	startedOperation := func(t *testing.T, seen *nexusCall, cancelType workflow.NexusOperationCancellationType) *harness {
		x := newHarness(t, nexusCallerWorkflow(seen, workflow.NexusOperationOptions{CancellationType: cancelType}, true), 10)
		x.step()
		x.hist.NexusStarted(5, "token-1")
		return x
	}
	requireCancelCommand := func(t *testing.T, x *harness) {
		t.Helper()
		commands := x.step()
		requireTypes(t, commands, enumspb.COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION)
		if id := commands[0].GetRequestCancelNexusOperationCommandAttributes().GetScheduledEventId(); id != 5 {
			t.Fatalf("cancel names scheduled event %d, want 5", id)
		}
	}
	requireCanceled := func(t *testing.T, commands []enumspb.CommandType, err error) {
		t.Helper()
		var canceled *sundial.CanceledError
		if !errors.As(err, &canceled) {
			t.Fatalf("workflow saw %v, want a CanceledError", err)
		}
		if len(commands) != 1 || commands[0] != enumspb.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION && commands[0] != enumspb.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION {
			t.Fatalf("commands %v, want the workflow to end", commands)
		}
	}

	t.Run("WaitCompleted", func(t *testing.T) {
		var seen nexusCall
		x := startedOperation(t, &seen, workflow.NexusCancelWaitCompleted)
		requireCancelCommand(t, x)
		x.hist.NexusCancelRequestCompleted(5, 8)
		if commands := x.step(); len(commands) != 0 || seen.resultErr != nil {
			t.Fatalf("resolved before the operation ended: %v %v", commandTypes(commands), seen.resultErr)
		}
		x.hist.NexusCanceled(5, historytest.NexusFailure(5, "ep", "svc", "greet", "token-1", sundial.NewCanceledError("handler canceled")))
		requireCanceled(t, commandTypes(x.step()), seen.resultErr)
		var opErr *sundial.NexusOperationError
		if !errors.As(seen.resultErr, &opErr) || opErr.OperationToken() != "token-1" {
			t.Fatalf("workflow saw %v, want a NexusOperationError with the token", seen.resultErr)
		}
	})
	t.Run("TryCancel", func(t *testing.T) {
		var seen nexusCall
		x := startedOperation(t, &seen, workflow.NexusCancelTry)
		requireCancelCommand(t, x)
		requireCanceled(t, commandTypes(x.step()), seen.resultErr)
	})
	t.Run("WaitRequested", func(t *testing.T) {
		var seen nexusCall
		x := startedOperation(t, &seen, workflow.NexusCancelWaitRequested)
		requireCancelCommand(t, x)
		if commands := x.step(); len(commands) != 0 {
			t.Fatalf("resolved at the request, before the handler accepted it: %v", commandTypes(commands))
		}
		x.hist.NexusCancelRequestCompleted(5, 8)
		requireCanceled(t, commandTypes(x.step()), seen.resultErr)
	})
	t.Run("WaitRequestedRefused", func(t *testing.T) {
		var seen nexusCall
		x := startedOperation(t, &seen, workflow.NexusCancelWaitRequested)
		requireCancelCommand(t, x)
		x.hist.NexusCancelRequestFailed(5, 8, sundial.NewApplicationError("too late", "TooLate"))
		requireTypes(t, x.step(), enumspb.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION)
		if !sundial.HasApplicationError(seen.resultErr, "TooLate") {
			t.Fatalf("workflow saw %v, want the handler's refusal", seen.resultErr)
		}
	})
	t.Run("Abandon", func(t *testing.T) {
		var seen nexusCall
		x := startedOperation(t, &seen, workflow.NexusCancelAbandon)
		requireCanceled(t, commandTypes(x.step()), seen.resultErr)
	})
}

func TestNexusOperationCanceledBeforeItWasSentIsNeverScheduled(t *testing.T) {
	var seen nexusCall
	wf := func(ctx workflow.Context) (string, error) {
		opCtx, cancel := workflow.WithCancel(ctx)
		f := workflow.NewNexusClient("ep", "svc").ExecuteOperation(opCtx, "greet", "Ada", workflow.NexusOperationOptions{})
		cancel()
		seen.resultErr = f.Get(ctx, nil)
		seen.startErr = f.GetNexusOperationExecution().Get(ctx, nil)
		return "done", nil
	}
	x := newHarness(t, wf, 0)
	requireTypes(t, x.step(), enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION)
	var canceled *sundial.CanceledError
	if !errors.As(seen.resultErr, &canceled) || !errors.As(seen.startErr, &canceled) {
		t.Fatalf("futures = %v, %v; want CanceledErrors", seen.resultErr, seen.startErr)
	}
	if err := replay(t, x.hist.History(), wf); err != nil {
		t.Fatalf("replay: %v", err)
	}
}

func TestNexusOperationArgumentsAreChecked(t *testing.T) {
	var errs []error
	wf := func(ctx workflow.Context) error {
		c := workflow.NewNexusClient("ep", "svc")
		ref := nexus.NewOperationReference[int, string]("count")
		for _, f := range []workflow.NexusOperationFuture{
			c.ExecuteOperation(ctx, ref, "not an int", workflow.NexusOperationOptions{}),
			c.ExecuteOperation(ctx, 42, "x", workflow.NexusOperationOptions{}),
			c.ExecuteOperation(ctx, "op", "x", workflow.NexusOperationOptions{ScheduleToCloseTimeout: -time.Second}),
			c.ExecuteOperation(ctx, "op", func() {}, workflow.NexusOperationOptions{}),
		} {
			errs = append(errs, f.Get(ctx, nil))
		}
		return nil
	}
	x := newHarness(t, wf, 0)
	requireTypes(t, x.step(), enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION)
	for i, err := range errs {
		if err == nil {
			t.Fatalf("call %d was accepted", i)
		}
	}
}

func TestNexusTypedOperation(t *testing.T) {
	greet := nexus.NewOperationReference[string, int]("greet")
	var token string
	wf := func(ctx workflow.Context) (int, error) {
		f := workflow.ExecuteNexusOperation(ctx, workflow.NewNexusClient("ep", "svc"), greet, "Ada", workflow.NexusOperationOptions{})
		exec, err := f.GetNexusOperationExecution().Get(ctx)
		if err != nil {
			return 0, err
		}
		token = exec.OperationToken
		return f.Get(ctx)
	}
	x := newHarness(t, wf, 10)
	requireTypes(t, x.step(), enumspb.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION)
	x.hist.NexusStarted(5, "t-7")
	x.hist.NexusCompleted(5, 7)
	if got := completedResult[int](t, last(x.step())); got != 7 || token != "t-7" {
		t.Fatalf("result %d, token %q", got, token)
	}
}

func TestNexusNondeterminism(t *testing.T) {
	var seen nexusCall
	produce := nexusCallerWorkflow(&seen, workflow.NexusOperationOptions{}, false)
	x := newHarness(t, produce, 0)
	x.step()
	x.hist.NexusCompleted(5, "hi")
	requireTypes(t, x.step(), enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION)
	history := x.hist.History()
	if err := replay(t, history, produce); err != nil {
		t.Fatalf("replaying the same code: %v", err)
	}
	t.Run("OtherOperation", func(t *testing.T) {
		err := replay(t, history, func(ctx workflow.Context) (string, error) {
			var out string
			err := workflow.NewNexusClient("ep", "svc").ExecuteOperation(ctx, "wave", "Ada", workflow.NexusOperationOptions{}).Get(ctx, &out)
			return out, err
		})
		requireNondeterminism(t, err, "#5 NexusOperationScheduled{Service=svc, Operation=greet}", "ScheduleNexusOperation{Service=svc, Operation=wave}")
	})
	t.Run("ActivityInstead", func(t *testing.T) {
		err := replay(t, history, oneActivity)
		requireNondeterminism(t, err, "NexusOperationScheduled", "ActivityType=A")
	})
	t.Run("NoOperation", func(t *testing.T) {
		err := replay(t, history, func(ctx workflow.Context) (string, error) { return "", nil })
		requireNondeterminism(t, err, "NexusOperationScheduled", "CompleteWorkflowExecution")
	})
}

func TestNexusOperationCanceledBehindAnotherUnsentCommandIsCanceledByRequest(t *testing.T) {
	var seen nexusCall
	wf := func(ctx workflow.Context) (string, error) {
		opCtx, cancel := workflow.WithCancel(ctx)
		f := workflow.NewNexusClient("ep", "svc").ExecuteOperation(opCtx, "greet", "Ada", workflow.NexusOperationOptions{CancellationType: workflow.NexusCancelTry})
		act := workflow.ExecuteActivity(withTimeouts(ctx), "A")
		cancel()
		seen.resultErr = f.Get(ctx, nil)
		return "done", act.Get(ctx, nil)
	}
	cacheModes(t, func(t *testing.T, cacheSize int) {
		x := newHarness(t, wf, cacheSize)
		// Taking back the schedule command would move the activity's event: the
		// operation is scheduled and its cancellation requested in the same task.
		commands := x.step()
		requireTypes(t, commands, enumspb.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION, enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
			enumspb.COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION)
		if id := commands[2].GetRequestCancelNexusOperationCommandAttributes().GetScheduledEventId(); id != 5 {
			t.Fatalf("cancellation names scheduled event %d, want 5", id)
		}
		x.hist.ActivityCompleted("6", nil)
		requireTypes(t, x.step(), enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION)
		var canceled *sundial.CanceledError
		if !errors.As(seen.resultErr, &canceled) {
			t.Fatalf("operation future = %v, want a CanceledError", seen.resultErr)
		}
		if err := replay(t, x.hist.History(), wf); err != nil {
			t.Fatalf("replay: %v", err)
		}
	})
}
