package client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/sundialdev/sundial"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

var token = []byte("task-token-1")

func TestCompleteActivityWithResult(t *testing.T) {
	b := setup(t, nil, nil)
	if err := b.client.CompleteActivity(context.Background(), token, order{ID: "o", Total: 3}, nil); err != nil {
		t.Fatal(err)
	}
	req := last[*workflowservice.RespondActivityTaskCompletedRequest](t, b.fake)
	if string(req.GetTaskToken()) != "task-token-1" || req.GetIdentity() != "test-client" || req.GetNamespace() != "orders" ||
		len(req.GetResult().GetPayloads()) != 1 || string(req.GetResult().GetPayloads()[0].GetData()) != `{"id":"o","total":3}` {
		t.Fatalf("completed request = %v", req)
	}
	if err := b.client.CompleteActivity(context.Background(), token, nil, nil); err != nil {
		t.Fatal(err)
	}
	if r := last[*workflowservice.RespondActivityTaskCompletedRequest](t, b.fake); r.GetResult() != nil {
		t.Fatalf("nil result must send no payloads, got %v", r.GetResult())
	}
}

func TestCompleteActivityCanceled(t *testing.T) {
	b := setup(t, nil, nil)
	err := b.client.CompleteActivity(context.Background(), token, nil, sundial.NewCanceledError("user gave up"))
	if err != nil {
		t.Fatal(err)
	}
	req := last[*workflowservice.RespondActivityTaskCanceledRequest](t, b.fake)
	if string(req.GetTaskToken()) != "task-token-1" || len(req.GetDetails().GetPayloads()) != 1 ||
		string(req.GetDetails().GetPayloads()[0].GetData()) != `"user gave up"` {
		t.Fatalf("canceled request = %v", req)
	}
	if n := len(all[*workflowservice.RespondActivityTaskFailedRequest](b.fake)); n != 0 {
		t.Fatal("a canceled outcome must not also be reported as failed")
	}
}

func TestCompleteActivityFailed(t *testing.T) {
	b := setup(t, nil, nil)
	err := b.client.CompleteActivity(context.Background(), token, nil, sundial.NewNonRetryableApplicationError("declined", "CardDeclined", nil, "4242"))
	if err != nil {
		t.Fatal(err)
	}
	req := last[*workflowservice.RespondActivityTaskFailedRequest](t, b.fake)
	info := req.GetFailure().GetApplicationFailureInfo()
	if req.GetFailure().GetMessage() != "declined" || info.GetType() != "CardDeclined" || !info.GetNonRetryable() || len(info.GetDetails().GetPayloads()) != 1 {
		t.Fatalf("failed request = %v", req)
	}
	if err := b.client.CompleteActivity(context.Background(), token, nil, errors.New("plain")); err != nil {
		t.Fatal(err)
	}
	if f := last[*workflowservice.RespondActivityTaskFailedRequest](t, b.fake).GetFailure(); f.GetMessage() != "plain" || f.GetApplicationFailureInfo() == nil {
		t.Fatalf("plain error failure = %v", f)
	}
}

func TestCompleteActivityRejectsBadInput(t *testing.T) {
	b := setup(t, nil, nil)
	if err := b.client.CompleteActivity(context.Background(), nil, "x", nil); err == nil {
		t.Fatal("empty token must be rejected")
	}
	if err := b.client.CompleteActivity(context.Background(), token, nil, sundial.ErrResultPending); err == nil {
		t.Fatal("ErrResultPending is not an outcome")
	}
}

func TestCompleteActivityByID(t *testing.T) {
	b := setup(t, nil, nil)
	ctx := context.Background()
	if err := b.client.CompleteActivityByID(ctx, "", "wf", "run", "act-1", 5, nil); err != nil {
		t.Fatal(err)
	}
	done := last[*workflowservice.RespondActivityTaskCompletedByIdRequest](t, b.fake)
	if done.GetNamespace() != "orders" || done.GetWorkflowId() != "wf" || done.GetRunId() != "run" || done.GetActivityId() != "act-1" ||
		string(done.GetResult().GetPayloads()[0].GetData()) != "5" || done.GetIdentity() != "test-client" {
		t.Fatalf("completed by id = %v", done)
	}
	if err := b.client.CompleteActivityByID(ctx, "other-ns", "wf", "", "act-1", nil, sundial.NewCanceledError()); err != nil {
		t.Fatal(err)
	}
	if c := last[*workflowservice.RespondActivityTaskCanceledByIdRequest](t, b.fake); c.GetNamespace() != "other-ns" || c.GetActivityId() != "act-1" {
		t.Fatalf("canceled by id = %v", c)
	}
	if err := b.client.CompleteActivityByID(ctx, "", "wf", "", "act-1", nil, errors.New("broken")); err != nil {
		t.Fatal(err)
	}
	if f := last[*workflowservice.RespondActivityTaskFailedByIdRequest](t, b.fake); f.GetFailure().GetMessage() != "broken" {
		t.Fatalf("failed by id = %v", f)
	}
}

func TestCompleteActivityStaleTokenIsNotFound(t *testing.T) {
	fake := &fakeService{respondErr: serviceerror.NewNotFound("activity not found")}
	b := setup(t, fake, nil)
	err := b.client.CompleteActivity(context.Background(), token, "x", nil)
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		t.Fatalf("got %T %v, want *serviceerror.NotFound", err, err)
	}
	err = b.client.RecordActivityHeartbeat(context.Background(), token)
	if !errors.As(err, &notFound) {
		t.Fatalf("heartbeat: got %T %v, want *serviceerror.NotFound", err, err)
	}
}

func TestRecordActivityHeartbeat(t *testing.T) {
	fake := &fakeService{}
	b := setup(t, fake, nil)
	ctx := context.Background()
	if err := b.client.RecordActivityHeartbeat(ctx, token, 40, "items"); err != nil {
		t.Fatal(err)
	}
	req := last[*workflowservice.RecordActivityTaskHeartbeatRequest](t, fake)
	if string(req.GetTaskToken()) != "task-token-1" || len(req.GetDetails().GetPayloads()) != 2 || req.GetNamespace() != "orders" || req.GetIdentity() != "test-client" {
		t.Fatalf("heartbeat request = %v", req)
	}

	tests := []struct {
		name  string
		resp  *workflowservice.RecordActivityTaskHeartbeatResponse
		check func(error) bool
	}{
		{"cancel requested", &workflowservice.RecordActivityTaskHeartbeatResponse{CancelRequested: true}, func(err error) bool {
			var canceled *sundial.CanceledError
			return errors.As(err, &canceled)
		}},
		{"paused", &workflowservice.RecordActivityTaskHeartbeatResponse{ActivityPaused: true}, func(err error) bool { return errors.Is(err, sundial.ErrActivityPaused) }},
		{"reset", &workflowservice.RecordActivityTaskHeartbeatResponse{ActivityReset: true}, func(err error) bool { return errors.Is(err, sundial.ErrActivityReset) }},
	}
	for _, tt := range tests {
		fake.heartbeatResp = tt.resp
		if err := b.client.RecordActivityHeartbeat(ctx, token); !tt.check(err) {
			t.Fatalf("%s: got %v", tt.name, err)
		}
	}
}

func TestRecordActivityHeartbeatByID(t *testing.T) {
	fake := &fakeService{heartbeatByIDRes: &workflowservice.RecordActivityTaskHeartbeatByIdResponse{CancelRequested: true}}
	b := setup(t, fake, nil)
	err := b.client.RecordActivityHeartbeatByID(context.Background(), "", "wf", "run", "act-9", "half")
	var canceled *sundial.CanceledError
	if !errors.As(err, &canceled) {
		t.Fatalf("got %v, want CanceledError", err)
	}
	req := last[*workflowservice.RecordActivityTaskHeartbeatByIdRequest](t, fake)
	if req.GetNamespace() != "orders" || req.GetWorkflowId() != "wf" || req.GetRunId() != "run" || req.GetActivityId() != "act-9" || len(req.GetDetails().GetPayloads()) != 1 {
		t.Fatalf("heartbeat by id request = %v", req)
	}
}
