package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestTransientErrorsAreRetried(t *testing.T) {
	fake := &fakeService{signalErrs: []error{
		status.Error(codes.Unavailable, "restarting"),
		serviceerror.NewResourceExhausted(0, "busy"),
	}}
	b := setup(t, fake, nil)
	if err := b.client.SignalWorkflow(context.Background(), "wf", "", "s", nil); err != nil {
		t.Fatalf("signal after two transient failures: %v", err)
	}
	reqs := all[*workflowservice.SignalWorkflowExecutionRequest](fake)
	if len(reqs) != 3 {
		t.Fatalf("attempts = %d, want 3", len(reqs))
	}
	if reqs[0].GetRequestId() != reqs[2].GetRequestId() {
		t.Fatal("a resent request must keep its request id")
	}
}

func TestPermanentErrorsAreNotRetried(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"invalid argument", serviceerror.NewInvalidArgument("bad name")},
		{"message too large", status.Error(codes.ResourceExhausted, "grpc: received message larger than max (5 vs. 4)")},
		{"internal", status.Error(codes.Internal, "bug")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeService{signalErrs: []error{tt.err}}
			b := setup(t, fake, nil)
			if err := b.client.SignalWorkflow(context.Background(), "wf", "", "s", nil); err == nil {
				t.Fatal("want an error")
			}
			if n := len(all[*workflowservice.SignalWorkflowExecutionRequest](fake)); n != 1 {
				t.Fatalf("attempts = %d, want 1", n)
			}
		})
	}
}

func TestRetriesStopWithTheContext(t *testing.T) {
	errs := make([]error, 100)
	for i := range errs {
		errs[i] = status.Error(codes.Unavailable, "down")
	}
	b := setup(t, &fakeService{signalErrs: errs}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := b.client.SignalWorkflow(ctx, "wf", "", "s", nil)
	var unavailable *serviceerror.Unavailable
	if !errors.As(err, &unavailable) {
		t.Fatalf("got %T %v, want the last Unavailable", err, err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Fatalf("retrying ignored the context deadline: %v", elapsed)
	}
}
