package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/converter"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	querypb "go.temporal.io/api/query/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

type order struct {
	ID    string `json:"id"`
	Total int    `json:"total"`
}

func payloads(t *testing.T, values ...any) *commonpb.Payloads {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayloads(values...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func closeResponse(event *historypb.HistoryEvent) *workflowservice.GetWorkflowExecutionHistoryResponse {
	return &workflowservice.GetWorkflowExecutionHistoryResponse{History: &historypb.History{Events: []*historypb.HistoryEvent{event}}}
}

func completedEvent(result *commonpb.Payloads, nextRunID string) *historypb.HistoryEvent {
	return &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionCompletedEventAttributes{
			WorkflowExecutionCompletedEventAttributes: &historypb.WorkflowExecutionCompletedEventAttributes{Result: result, NewExecutionRunId: nextRunID},
		},
	}
}

func TestExecuteWorkflowSendsStartRequest(t *testing.T) {
	b := setup(t, nil, nil)
	run, err := b.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID:                       "order-1",
		TaskQueue:                "orders-tq",
		WorkflowExecutionTimeout: time.Hour,
		WorkflowRunTimeout:       10 * time.Minute,
		WorkflowTaskTimeout:      5 * time.Second,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		RetryPolicy:              &sundial.RetryPolicy{MaximumAttempts: 3},
		CronSchedule:             "@hourly",
		Memo:                     map[string]any{"note": "rush"},
		SearchAttributes:         map[string]any{"CustomKeywordField": "vip"},
		StartDelay:               time.Minute,
		Priority:                 &sundial.Priority{PriorityKey: 1},
		RequestID:                "req-1",
	}, "ProcessOrder", order{ID: "o-1", Total: 30}, "express")
	if err != nil {
		t.Fatal(err)
	}
	if run.GetID() != "order-1" || run.GetRunID() != "run-1" {
		t.Fatalf("run = %s/%s", run.GetID(), run.GetRunID())
	}
	req := last[*workflowservice.StartWorkflowExecutionRequest](t, b.fake)
	if req.GetNamespace() != "orders" || req.GetWorkflowId() != "order-1" || req.GetWorkflowType().GetName() != "ProcessOrder" ||
		req.GetTaskQueue().GetName() != "orders-tq" || req.GetTaskQueue().GetKind() != enumspb.TASK_QUEUE_KIND_NORMAL ||
		req.GetIdentity() != "test-client" || req.GetRequestId() != "req-1" ||
		req.GetWorkflowExecutionTimeout().AsDuration() != time.Hour || req.GetWorkflowRunTimeout().AsDuration() != 10*time.Minute ||
		req.GetWorkflowTaskTimeout().AsDuration() != 5*time.Second || req.GetWorkflowStartDelay().AsDuration() != time.Minute ||
		req.GetWorkflowIdReusePolicy() != enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE ||
		req.GetWorkflowIdConflictPolicy() != enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING ||
		req.GetRetryPolicy().GetMaximumAttempts() != 3 || req.GetCronSchedule() != "@hourly" || req.GetPriority().GetPriorityKey() != 1 {
		t.Fatalf("start request = %v", req)
	}
	if got := req.GetInput().GetPayloads(); len(got) != 2 || string(got[0].GetData()) != `{"id":"o-1","total":30}` || string(got[1].GetData()) != `"express"` {
		t.Fatalf("input = %v", req.GetInput())
	}
	if string(req.GetMemo().GetFields()["note"].GetData()) != `"rush"` ||
		string(req.GetSearchAttributes().GetIndexedFields()["CustomKeywordField"].GetData()) != `"vip"` {
		t.Fatalf("memo/search attributes = %v / %v", req.GetMemo(), req.GetSearchAttributes())
	}
}

func TestExecuteWorkflowGeneratesIDs(t *testing.T) {
	b := setup(t, nil, nil)
	run, err := b.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{TaskQueue: "q"}, "W")
	if err != nil {
		t.Fatal(err)
	}
	req := last[*workflowservice.StartWorkflowExecutionRequest](t, b.fake)
	if len(req.GetWorkflowId()) != 36 || len(req.GetRequestId()) != 36 || req.GetWorkflowId() == req.GetRequestId() || run.GetID() != req.GetWorkflowId() {
		t.Fatalf("generated ids: workflow %q request %q", req.GetWorkflowId(), req.GetRequestId())
	}
	if req.GetInput() != nil {
		t.Fatalf("no args must send no input, got %v", req.GetInput())
	}
}

func TestExecuteWorkflowValidates(t *testing.T) {
	b := setup(t, nil, nil)
	if _, err := b.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: "x"}, "W"); err == nil {
		t.Fatal("missing task queue must be rejected")
	}
	if _, err := b.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{TaskQueue: "q"}, ""); err == nil {
		t.Fatal("missing workflow type must be rejected")
	}
	if n := len(all[*workflowservice.StartWorkflowExecutionRequest](b.fake)); n != 0 {
		t.Fatalf("invalid starts must not reach the server, %d did", n)
	}
}

func TestExecuteWorkflowAlreadyStarted(t *testing.T) {
	fake := &fakeService{startErr: serviceerror.NewWorkflowExecutionAlreadyStarted("already running", "req-0", "existing-run")}
	b := setup(t, fake, nil)
	run, err := b.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: "dup", TaskQueue: "q"}, "W")
	if err != nil || run.GetRunID() != "existing-run" {
		t.Fatalf("default: want a handle to the running workflow, got %v, %v", run, err)
	}
	_, err = b.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: "dup", TaskQueue: "q", WorkflowExecutionErrorWhenAlreadyStarted: true}, "W")
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if !errors.As(err, &already) || already.RunId != "existing-run" {
		t.Fatalf("with WorkflowExecutionErrorWhenAlreadyStarted: got %v", err)
	}
}

func TestGetRepollsThenDecodesResult(t *testing.T) {
	fake := &fakeService{history: []*workflowservice.GetWorkflowExecutionHistoryResponse{
		{NextPageToken: []byte("poll-again")},
		closeResponse(completedEvent(payloads(t, order{ID: "o-9", Total: 5}), "")),
	}}
	b := setup(t, fake, nil)
	var result order
	if err := b.client.GetWorkflow(context.Background(), "wf", "run-a").Get(context.Background(), &result); err != nil {
		t.Fatal(err)
	}
	if result.ID != "o-9" || result.Total != 5 {
		t.Fatalf("result = %+v", result)
	}
	reqs := all[*workflowservice.GetWorkflowExecutionHistoryRequest](fake)
	if len(reqs) != 2 {
		t.Fatalf("history polls = %d, want 2", len(reqs))
	}
	first, second := reqs[0], reqs[1]
	if !first.GetWaitNewEvent() || first.GetHistoryEventFilterType() != enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT ||
		first.GetExecution().GetRunId() != "run-a" || first.GetNamespace() != "orders" || first.GetNextPageToken() != nil {
		t.Fatalf("first poll = %v", first)
	}
	if string(second.GetNextPageToken()) != "poll-again" {
		t.Fatalf("second poll must carry the token, got %v", second)
	}
}

func TestGetFollowsNewRuns(t *testing.T) {
	continued := &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionContinuedAsNewEventAttributes{
			WorkflowExecutionContinuedAsNewEventAttributes: &historypb.WorkflowExecutionContinuedAsNewEventAttributes{NewExecutionRunId: "run-2"},
		},
	}
	failedWithRetry := &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionFailedEventAttributes{
			WorkflowExecutionFailedEventAttributes: &historypb.WorkflowExecutionFailedEventAttributes{NewExecutionRunId: "run-3"},
		},
	}
	fake := &fakeService{history: []*workflowservice.GetWorkflowExecutionHistoryResponse{
		closeResponse(continued),
		closeResponse(failedWithRetry),
		closeResponse(completedEvent(payloads(t, "done"), "")),
	}}
	b := setup(t, fake, nil)
	var result string
	if err := b.client.GetWorkflow(context.Background(), "wf", "run-1").Get(context.Background(), &result); err != nil || result != "done" {
		t.Fatalf("Get = %q, %v", result, err)
	}
	var runIDs []string
	for _, r := range all[*workflowservice.GetWorkflowExecutionHistoryRequest](fake) {
		runIDs = append(runIDs, r.GetExecution().GetRunId())
	}
	if len(runIDs) != 3 || runIDs[0] != "run-1" || runIDs[1] != "run-2" || runIDs[2] != "run-3" {
		t.Fatalf("polled runs %v, want run-1, run-2, run-3", runIDs)
	}
}

func TestGetMapsCloseEventsToErrors(t *testing.T) {
	failure := converter.GetDefaultFailureConverter().ErrorToFailure(sundial.NewApplicationError("declined", "CardDeclined"))
	details := payloads(t, "because")
	tests := []struct {
		name  string
		event *historypb.HistoryEvent
		check func(t *testing.T, err error)
	}{
		{"failed", &historypb.HistoryEvent{
			EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
			Attributes: &historypb.HistoryEvent_WorkflowExecutionFailedEventAttributes{
				WorkflowExecutionFailedEventAttributes: &historypb.WorkflowExecutionFailedEventAttributes{Failure: failure},
			},
		}, func(t *testing.T, err error) {
			var app *sundial.ApplicationError
			if !errors.As(err, &app) || app.Type() != "CardDeclined" {
				t.Fatalf("got %v", err)
			}
		}},
		{"canceled", &historypb.HistoryEvent{
			EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
			Attributes: &historypb.HistoryEvent_WorkflowExecutionCanceledEventAttributes{
				WorkflowExecutionCanceledEventAttributes: &historypb.WorkflowExecutionCanceledEventAttributes{Details: details},
			},
		}, func(t *testing.T, err error) {
			var canceled *sundial.CanceledError
			var why string
			if !errors.As(err, &canceled) || canceled.Details(&why) != nil || why != "because" {
				t.Fatalf("got %v", err)
			}
		}},
		{"terminated", &historypb.HistoryEvent{
			EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
			Attributes: &historypb.HistoryEvent_WorkflowExecutionTerminatedEventAttributes{
				WorkflowExecutionTerminatedEventAttributes: &historypb.WorkflowExecutionTerminatedEventAttributes{Reason: "ops"},
			},
		}, func(t *testing.T, err error) {
			var term *sundial.TerminatedError
			if !errors.As(err, &term) || term.Message() != "ops" {
				t.Fatalf("got %v", err)
			}
		}},
		{"timed out", &historypb.HistoryEvent{
			EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
			Attributes: &historypb.HistoryEvent_WorkflowExecutionTimedOutEventAttributes{
				WorkflowExecutionTimedOutEventAttributes: &historypb.WorkflowExecutionTimedOutEventAttributes{},
			},
		}, func(t *testing.T, err error) {
			var timeout *sundial.TimeoutError
			if !errors.As(err, &timeout) {
				t.Fatalf("got %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t, &fakeService{history: []*workflowservice.GetWorkflowExecutionHistoryResponse{closeResponse(tt.event)}}, nil)
			run, err := b.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: "wf", TaskQueue: "q"}, "Checkout")
			if err != nil {
				t.Fatal(err)
			}
			err = run.Get(context.Background(), nil)
			var wfErr *sundial.WorkflowExecutionError
			if !errors.As(err, &wfErr) || wfErr.WorkflowID() != "wf" || wfErr.RunID() != "run-1" || wfErr.WorkflowType() != "Checkout" {
				t.Fatalf("want WorkflowExecutionError for wf/run-1/Checkout, got %v", err)
			}
			tt.check(t, err)
		})
	}
}

func TestGetSurfacesServerErrors(t *testing.T) {
	b := setup(t, nil, nil)
	// The fake answers with neither events nor a token, which a correct server never does.
	if err := b.client.GetWorkflow(context.Background(), "wf", "").Get(context.Background(), nil); err == nil {
		t.Fatal("an empty answer without a token must be an error, not a hang or panic")
	}
}

func TestSignalQueryCancelTerminateDescribe(t *testing.T) {
	fake := &fakeService{queryResp: &workflowservice.QueryWorkflowResponse{QueryResult: payloads(t, 17)}}
	b := setup(t, fake, nil)
	ctx := context.Background()

	if err := b.client.SignalWorkflow(ctx, "wf", "r", "approve", order{ID: "o"}); err != nil {
		t.Fatal(err)
	}
	sig := last[*workflowservice.SignalWorkflowExecutionRequest](t, fake)
	if sig.GetSignalName() != "approve" || sig.GetWorkflowExecution().GetWorkflowId() != "wf" || sig.GetWorkflowExecution().GetRunId() != "r" ||
		len(sig.GetInput().GetPayloads()) != 1 || sig.GetIdentity() != "test-client" || sig.GetRequestId() == "" || sig.GetNamespace() != "orders" {
		t.Fatalf("signal request = %v", sig)
	}

	value, err := b.client.QueryWorkflow(ctx, "wf", "", "progress", "detail")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if value.Get(&n) != nil || n != 17 {
		t.Fatalf("query result = %d", n)
	}
	q := last[*workflowservice.QueryWorkflowRequest](t, fake)
	if q.GetQuery().GetQueryType() != "progress" || len(q.GetQuery().GetQueryArgs().GetPayloads()) != 1 {
		t.Fatalf("query request = %v", q)
	}

	if err := b.client.CancelWorkflow(ctx, "wf", "r"); err != nil {
		t.Fatal(err)
	}
	if c := last[*workflowservice.RequestCancelWorkflowExecutionRequest](t, fake); c.GetWorkflowExecution().GetWorkflowId() != "wf" || c.GetRequestId() == "" || c.GetIdentity() != "test-client" {
		t.Fatalf("cancel request = %v", c)
	}

	if err := b.client.TerminateWorkflow(ctx, "wf", "r", "stuck", "extra"); err != nil {
		t.Fatal(err)
	}
	if term := last[*workflowservice.TerminateWorkflowExecutionRequest](t, fake); term.GetReason() != "stuck" || len(term.GetDetails().GetPayloads()) != 1 {
		t.Fatalf("terminate request = %v", term)
	}

	if _, err := b.client.DescribeWorkflowExecution(ctx, "wf", "r"); err != nil {
		t.Fatal(err)
	}
	if d := last[*workflowservice.DescribeWorkflowExecutionRequest](t, fake); d.GetExecution().GetWorkflowId() != "wf" || d.GetNamespace() != "orders" {
		t.Fatalf("describe request = %v", d)
	}
}

func TestSignalWithoutArgumentSendsNoInput(t *testing.T) {
	b := setup(t, nil, nil)
	if err := b.client.SignalWorkflow(context.Background(), "wf", "", "ping", nil); err != nil {
		t.Fatal(err)
	}
	if in := last[*workflowservice.SignalWorkflowExecutionRequest](t, b.fake).GetInput(); in != nil {
		t.Fatalf("input = %v", in)
	}
}

func TestQueryErrors(t *testing.T) {
	fake := &fakeService{queryResp: &workflowservice.QueryWorkflowResponse{
		QueryRejected: &querypb.QueryRejected{Status: enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED},
	}}
	b := setup(t, fake, nil)
	_, err := b.client.QueryWorkflow(context.Background(), "wf", "", "q")
	var rejected *client.QueryRejectedError
	if !errors.As(err, &rejected) || rejected.Status != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Fatalf("rejected query: got %v", err)
	}

	fake.queryErr = serviceerror.NewQueryFailed("handler panicked")
	_, err = b.client.QueryWorkflow(context.Background(), "wf", "", "q")
	var failed *serviceerror.QueryFailed
	if !errors.As(err, &failed) {
		t.Fatalf("failed query: got %T %v", err, err)
	}

	fake.queryErr = status.Error(codes.NotFound, "no such workflow")
	_, err = b.client.QueryWorkflow(context.Background(), "wf", "", "q")
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		t.Fatalf("status errors must become serviceerror values, got %T %v", err, err)
	}
}
