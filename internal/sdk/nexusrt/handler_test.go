package nexusrt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nexus-rpc/sdk-go/nexus"
	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

const testService = "svc"

// asyncOp is an asynchronous operation that answers with a fixed token and a link,
// and records the cancel requests it gets.
type asyncOp struct {
	nexus.UnimplementedOperation[string, string]
	canceled chan string
}

func (*asyncOp) Name() string { return "async" }

func (*asyncOp) Start(ctx context.Context, in string, opts nexus.StartOperationOptions) (nexus.HandlerStartOperationResult[string], error) {
	nexus.AddHandlerLinks(ctx, nexus.Link{URL: &url.URL{Scheme: "temporal", Path: "/handler/" + in}, Type: "test.Link"})
	return &nexus.HandlerStartOperationResultAsync{OperationToken: "token-" + in + "-" + opts.RequestID}, nil
}

func (o *asyncOp) Cancel(ctx context.Context, token string, _ nexus.CancelOperationOptions) error {
	if token == "bad" {
		return nexus.NewHandlerErrorf(nexus.HandlerErrorTypeBadRequest, "invalid operation token")
	}
	o.canceled <- token
	return nil
}

// fixture is a task handler over one service whose "fail" operation returns the
// error its test sets.
type fixture struct {
	h       *TaskHandler
	async   *asyncOp
	failErr error
	seen    chan seenStart
}

type seenStart struct {
	opts nexus.StartOperationOptions
	info *OperationContext
	dl   time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	fx := &fixture{async: &asyncOp{canceled: make(chan string, 1)}, seen: make(chan seenStart, 1)}
	svc := nexus.NewService(testService)
	svc.MustRegister(
		nexus.NewSyncOperation("echo", func(ctx context.Context, in string, opts nexus.StartOperationOptions) (string, error) {
			oc, _ := FromContext(ctx)
			dl, _ := ctx.Deadline()
			fx.seen <- seenStart{opts: opts, info: oc, dl: dl}
			nexus.AddHandlerLinks(ctx, nexus.Link{URL: &url.URL{Scheme: "temporal", Path: "/echo"}, Type: "test.Link"})
			return "echo " + in, nil
		}),
		nexus.NewSyncOperation("fail", func(ctx context.Context, in string, _ nexus.StartOperationOptions) (string, error) {
			return "", fx.failErr
		}),
		nexus.NewSyncOperation("panic", func(ctx context.Context, in string, _ nexus.StartOperationOptions) (string, error) {
			panic("boom " + in)
		}),
		nexus.NewSyncOperation("block", func(ctx context.Context, in string, _ nexus.StartOperationOptions) (string, error) {
			<-ctx.Done()
			return "", ctx.Err()
		}),
		fx.async,
	)
	reg := nexus.NewServiceRegistry()
	reg.MustRegister(svc)
	handler, err := reg.NewHandler()
	if err != nil {
		t.Fatal(err)
	}
	fx.h = NewTaskHandler(TaskHandlerOptions{
		Handler: handler, Namespace: "handler-ns", TaskQueue: "handler-q", Identity: "me",
		DataConverter: converter.GetDefaultDataConverter(), FailureConverter: converter.GetDefaultFailureConverter(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	return fx
}

func startTask(t *testing.T, operation string, input any, modern bool, hdr map[string]string) *workflowservice.PollNexusTaskQueueResponse {
	t.Helper()
	payload, err := converter.GetDefaultDataConverter().ToPayload(input)
	if err != nil {
		t.Fatal(err)
	}
	return &workflowservice.PollNexusTaskQueueResponse{TaskToken: []byte("tt"), Request: &nexuspb.Request{
		Header:       hdr,
		Endpoint:     "ep",
		Capabilities: &nexuspb.Request_Capabilities{TemporalFailureResponses: modern},
		Variant: &nexuspb.Request_StartOperation{StartOperation: &nexuspb.StartOperationRequest{
			Service: testService, Operation: operation, RequestId: "req-1", Callback: "temporal://system",
			CallbackHeader: map[string]string{"Temporal-Callback-Token": "cb"}, Payload: payload,
			Links: []*nexuspb.Link{{Url: "temporal:///namespaces/caller/workflows/wf/run/history?eventID=5", Type: "temporal.api.common.v1.Link.WorkflowEvent"}},
		}},
	}}
}

func execute(t *testing.T, fx *fixture, task *workflowservice.PollNexusTaskQueueResponse) Answer {
	t.Helper()
	ans, err := fx.h.Execute(context.Background(), task)
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if (ans.Completed == nil) == (ans.Failed == nil) {
		t.Fatalf("answer %+v: want exactly one of completed and failed", ans)
	}
	return ans
}

func TestSyncStartDecodesInputAndEncodesResult(t *testing.T) {
	fx := newFixture(t)
	ans := execute(t, fx, startTask(t, "echo", "hi", true, map[string]string{"Request-Timeout": "5000ms", "X-Custom": "v"}))
	seen := <-fx.seen
	if seen.opts.RequestID != "req-1" || seen.opts.CallbackURL != "temporal://system" || seen.opts.CallbackHeader.Get("temporal-callback-token") != "cb" {
		t.Fatalf("start options %+v", seen.opts)
	}
	if seen.opts.Header.Get("x-custom") != "v" || len(seen.opts.Links) != 1 || seen.opts.Links[0].URL.Query().Get("eventID") != "5" {
		t.Fatalf("header or links not passed: %+v", seen.opts)
	}
	if seen.info == nil || seen.info.Namespace != "handler-ns" || seen.info.TaskQueue != "handler-q" || seen.info.Endpoint != "ep" ||
		seen.info.Service != testService || seen.info.Operation != "echo" {
		t.Fatalf("operation context %+v", seen.info)
	}
	if left := time.Until(seen.dl); left <= 0 || left > 5*time.Second {
		t.Fatalf("handler deadline in %v, want within the 5s request timeout", left)
	}
	c := ans.Completed
	if string(c.TaskToken) != "tt" || c.Namespace != "handler-ns" || c.Identity != "me" {
		t.Fatalf("completion envelope %v", c)
	}
	sync := c.GetResponse().GetStartOperation().GetSyncSuccess()
	var out string
	if err := converter.GetDefaultDataConverter().FromPayload(sync.GetPayload(), &out); err != nil || out != "echo hi" {
		t.Fatalf("result %q (%v)", out, err)
	}
	if len(sync.GetLinks()) != 1 || sync.GetLinks()[0].GetUrl() != "temporal:///echo" {
		t.Fatalf("result links %v", sync.GetLinks())
	}
}

func TestAsyncStartAnswersTokenAndLinks(t *testing.T) {
	fx := newFixture(t)
	ans := execute(t, fx, startTask(t, "async", "x", true, nil))
	async := ans.Completed.GetResponse().GetStartOperation().GetAsyncSuccess()
	if async.GetOperationToken() != "token-x-req-1" || async.GetOperationId() != "token-x-req-1" {
		t.Fatalf("async answer %v", async)
	}
	if len(async.GetLinks()) != 1 || async.GetLinks()[0].GetUrl() != "temporal:///handler/x" || async.GetLinks()[0].GetType() != "test.Link" {
		t.Fatalf("async links %v", async.GetLinks())
	}
}

func TestCancelPassesTokenAndFallsBackToOperationID(t *testing.T) {
	fx := newFixture(t)
	for _, req := range []*nexuspb.CancelOperationRequest{
		{Service: testService, Operation: "async", OperationToken: "tok"},
		{Service: testService, Operation: "async", OperationId: "tok"},
	} {
		ans := execute(t, fx, &workflowservice.PollNexusTaskQueueResponse{TaskToken: []byte("tt"), Request: &nexuspb.Request{
			Capabilities: &nexuspb.Request_Capabilities{TemporalFailureResponses: true},
			Variant:      &nexuspb.Request_CancelOperation{CancelOperation: req},
		}})
		if ans.Completed.GetResponse().GetCancelOperation() == nil {
			t.Fatalf("cancel answer %v", ans)
		}
		if got := <-fx.async.canceled; got != "tok" {
			t.Fatalf("canceled token %q", got)
		}
	}
	ans := execute(t, fx, &workflowservice.PollNexusTaskQueueResponse{Request: &nexuspb.Request{
		Capabilities: &nexuspb.Request_Capabilities{TemporalFailureResponses: true},
		Variant:      &nexuspb.Request_CancelOperation{CancelOperation: &nexuspb.CancelOperationRequest{Service: testService, Operation: "async", OperationToken: "bad"}},
	}})
	requireHandlerFailure(t, ans, "BAD_REQUEST", enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_UNSPECIFIED, "invalid operation token")
}

func requireHandlerFailure(t *testing.T, ans Answer, typ string, behavior enumspb.NexusHandlerErrorRetryBehavior, message string) *failurepb.Failure {
	t.Helper()
	f := ans.Failed.GetFailure()
	info := f.GetNexusHandlerFailureInfo()
	if ans.Failed == nil || info == nil {
		t.Fatalf("answer %v: want a handler failure", ans)
	}
	if info.GetType() != typ || info.GetRetryBehavior() != behavior || !strings.Contains(f.GetMessage(), message) {
		t.Fatalf("handler failure %v: want type %s, behavior %v, message with %q", f, typ, behavior, message)
	}
	return f
}

func TestHandlerErrorMapping(t *testing.T) {
	unspecified := enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_UNSPECIFIED
	nonRetryable := enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_NON_RETRYABLE
	for _, tc := range []struct {
		name     string
		err      error
		typ      string
		behavior enumspb.NexusHandlerErrorRetryBehavior
		message  string
	}{
		{"handler error", &nexus.HandlerError{Type: nexus.HandlerErrorTypeUnavailable, Message: "later", RetryBehavior: nexus.HandlerErrorRetryBehaviorRetryable},
			"UNAVAILABLE", enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_RETRYABLE, "later"},
		{"wrapped handler error", fmt.Errorf("ctx: %w", nexus.NewHandlerErrorf(nexus.HandlerErrorTypeBadRequest, "bad input")), "BAD_REQUEST", unspecified, "bad input"},
		{"plain error", errors.New("db down"), "INTERNAL", unspecified, "internal handler error"},
		{"non-retryable application error", sundial.NewNonRetryableApplicationError("no", "Rule", nil), "INTERNAL", nonRetryable, "non-retryable"},
		{"retryable application error", sundial.NewApplicationError("again", "Rule"), "INTERNAL", unspecified, "internal handler error"},
		{"not found", fmt.Errorf("signaling: %w", serviceerror.NewNotFound("workflow not found")), "NOT_FOUND", unspecified, "workflow not found"},
		{"already started", serviceerror.NewWorkflowExecutionAlreadyStarted("running", "r", "id"), "INTERNAL", nonRetryable, "running"},
		{"invalid argument", serviceerror.NewInvalidArgument("bad id"), "BAD_REQUEST", unspecified, "bad id"},
		{"unavailable", serviceerror.NewUnavailable("down"), "UNAVAILABLE", unspecified, "down"},
		{"deadline", serviceerror.NewDeadlineExceeded("slow"), "UPSTREAM_TIMEOUT", unspecified, "slow"},
		{"resource exhausted", serviceerror.NewResourceExhausted(enumspb.RESOURCE_EXHAUSTED_CAUSE_RPS_LIMIT, "busy"), "RESOURCE_EXHAUSTED", unspecified, "busy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture(t)
			fx.failErr = tc.err
			ans := execute(t, fx, startTask(t, "fail", "x", true, nil))
			f := requireHandlerFailure(t, ans, tc.typ, tc.behavior, tc.message)
			if f.GetSource() != "SundialGoSDK" {
				t.Fatalf("failure source %q", f.GetSource())
			}
		})
	}
}

func TestHandlerErrorCauseTravels(t *testing.T) {
	fx := newFixture(t)
	fx.failErr = &nexus.HandlerError{Type: nexus.HandlerErrorTypeNotFound, Message: "no such order", Cause: sundial.NewApplicationError("order 7 missing", "Missing")}
	f := requireHandlerFailure(t, execute(t, fx, startTask(t, "fail", "x", true, nil)), "NOT_FOUND", enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_UNSPECIFIED, "no such order")
	if f.GetCause().GetApplicationFailureInfo().GetType() != "Missing" || f.GetCause().GetMessage() != "order 7 missing" {
		t.Fatalf("cause %v", f.GetCause())
	}
}

func TestOperationErrorsCompleteTheTaskUnsuccessfully(t *testing.T) {
	fx := newFixture(t)
	fx.failErr = nexus.NewOperationFailedError("refused")
	f := execute(t, fx, startTask(t, "fail", "x", true, nil)).Completed.GetResponse().GetStartOperation().GetFailure()
	app := f.GetApplicationFailureInfo()
	if app.GetType() != "OperationError" || !app.GetNonRetryable() || f.GetMessage() != "refused" {
		t.Fatalf("failed operation failure %v", f)
	}

	fx.failErr = &nexus.OperationError{State: nexus.OperationStateCanceled, Message: "gave up"}
	f = execute(t, fx, startTask(t, "fail", "x", true, nil)).Completed.GetResponse().GetStartOperation().GetFailure()
	if f.GetCanceledFailureInfo() == nil || f.GetMessage() != "gave up" {
		t.Fatalf("canceled operation failure %v", f)
	}

	fx.failErr = &nexus.OperationError{State: nexus.OperationStateRunning, Message: "?"}
	requireHandlerFailure(t, execute(t, fx, startTask(t, "fail", "x", true, nil)), "INTERNAL", enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_UNSPECIFIED, "invalid state")
}

func TestLegacyFormsWithoutFailureResponses(t *testing.T) {
	fx := newFixture(t)
	fx.failErr = nexus.NewOperationFailedError("refused")
	old := execute(t, fx, startTask(t, "fail", "x", false, nil)).Completed.GetResponse().GetStartOperation().GetOperationError()
	if old.GetOperationState() != "failed" || old.GetFailure().GetMessage() != "refused" ||
		old.GetFailure().GetMetadata()["type"] != "temporal.api.failure.v1.Failure" {
		t.Fatalf("legacy operation error %v", old)
	}
	var details failurepb.Failure
	if err := protojson.Unmarshal(old.GetFailure().GetDetails(), &details); err != nil || details.GetMessage() != "" {
		t.Fatalf("legacy failure details %s: %v", old.GetFailure().GetDetails(), err)
	}

	fx.failErr = &nexus.HandlerError{Type: nexus.HandlerErrorTypeBadRequest, Message: "bad", Cause: errors.New("field x")}
	ans := execute(t, fx, startTask(t, "fail", "x", false, nil))
	he := ans.Failed.GetError()
	if ans.Failed.GetFailure() != nil || he.GetErrorType() != "BAD_REQUEST" || he.GetFailure().GetMessage() != "field x" {
		t.Fatalf("legacy handler error %v", ans.Failed)
	}
}

func TestRequestDecodingErrors(t *testing.T) {
	fx := newFixture(t)
	requireHandlerFailure(t, execute(t, fx, startTask(t, "echo", "x", true, map[string]string{"request-timeout": "soon"})),
		"BAD_REQUEST", enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_UNSPECIFIED, "request-timeout")
	requireHandlerFailure(t, execute(t, fx, startTask(t, "echo", 42, true, nil)), "BAD_REQUEST", enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_UNSPECIFIED, "invalid input")
	requireHandlerFailure(t, execute(t, fx, startTask(t, "nope", "x", true, nil)), "NOT_FOUND", enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_UNSPECIFIED, "nope")

	task := startTask(t, "echo", "x", true, nil)
	task.Request.GetStartOperation().Links = []*nexuspb.Link{{Url: "::not a url", Type: "x"}}
	requireHandlerFailure(t, execute(t, fx, task), "BAD_REQUEST", enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_UNSPECIFIED, "invalid link")

	ans := execute(t, fx, &workflowservice.PollNexusTaskQueueResponse{Request: &nexuspb.Request{Capabilities: &nexuspb.Request_Capabilities{TemporalFailureResponses: true}}})
	requireHandlerFailure(t, ans, "NOT_IMPLEMENTED", enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_UNSPECIFIED, "unknown Nexus request type")
}

func TestPanicBecomesInternalHandlerError(t *testing.T) {
	fx := newFixture(t)
	f := requireHandlerFailure(t, execute(t, fx, startTask(t, "panic", "now", true, nil)), "INTERNAL", enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_UNSPECIFIED, "handler panicked: boom now")
	if f.GetCause().GetApplicationFailureInfo().GetType() != "PanicError" || !strings.Contains(f.GetCause().GetStackTrace(), "handler_test.go") {
		t.Fatalf("panic cause %v", f.GetCause())
	}
}

func TestDeadlineAbandonsTheTask(t *testing.T) {
	fx := newFixture(t)
	_, err := fx.h.Execute(context.Background(), startTask(t, "block", "x", true, map[string]string{"request-timeout": "50ms"}))
	if !errors.Is(err, ErrTaskAbandoned) {
		t.Fatalf("Execute error %v, want ErrTaskAbandoned", err)
	}
	// The worker's context ending (shutdown) abandons it too.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	task := startTask(t, "block", "x", true, nil)
	go func() {
		_, err := fx.h.Execute(ctx, task)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, ErrTaskAbandoned) {
		t.Fatalf("Execute error after cancel %v, want ErrTaskAbandoned", err)
	}
}
