package sundial_test

import (
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

func TestRetryPolicyProtoRoundTrip(t *testing.T) {
	policy := &sundial.RetryPolicy{
		InitialInterval:        1500 * time.Millisecond,
		BackoffCoefficient:     1.5,
		MaximumInterval:        time.Minute,
		MaximumAttempts:        7,
		NonRetryableErrorTypes: []string{"CardDeclined", "InvalidOrder"},
	}
	want := &commonpb.RetryPolicy{
		InitialInterval:        durationpb.New(1500 * time.Millisecond),
		BackoffCoefficient:     1.5,
		MaximumInterval:        durationpb.New(time.Minute),
		MaximumAttempts:        7,
		NonRetryableErrorTypes: []string{"CardDeclined", "InvalidOrder"},
	}
	got := policy.ToProto()
	if !proto.Equal(got, want) {
		t.Fatalf("ToProto = %v, want %v", got, want)
	}
	back := sundial.RetryPolicyFromProto(got)
	if back.InitialInterval != policy.InitialInterval || back.BackoffCoefficient != policy.BackoffCoefficient ||
		back.MaximumInterval != policy.MaximumInterval || back.MaximumAttempts != policy.MaximumAttempts ||
		len(back.NonRetryableErrorTypes) != 2 || back.NonRetryableErrorTypes[1] != "InvalidOrder" {
		t.Fatalf("RetryPolicyFromProto = %+v, want %+v", back, policy)
	}
}

func TestRetryPolicyZeroDurationsStayUnset(t *testing.T) {
	got := (&sundial.RetryPolicy{MaximumAttempts: 1}).ToProto()
	if got.GetInitialInterval() != nil || got.GetMaximumInterval() != nil {
		t.Fatalf("zero durations must be omitted so the server applies defaults, got %v", got)
	}
}

func TestRetryPolicyNil(t *testing.T) {
	var p *sundial.RetryPolicy
	if p.ToProto() != nil {
		t.Fatal("nil policy must convert to nil")
	}
	if sundial.RetryPolicyFromProto(nil) != nil {
		t.Fatal("nil proto must convert to nil")
	}
}

func TestPriorityProtoRoundTrip(t *testing.T) {
	p := &sundial.Priority{PriorityKey: 2, FairnessKey: "tenant-7", FairnessWeight: 2.5}
	wire := p.ToProto()
	if wire.GetPriorityKey() != 2 || wire.GetFairnessKey() != "tenant-7" || wire.GetFairnessWeight() != 2.5 {
		t.Fatalf("ToProto = %v", wire)
	}
	if back := sundial.PriorityFromProto(wire); *back != *p {
		t.Fatalf("PriorityFromProto = %+v, want %+v", back, p)
	}
	var nilPriority *sundial.Priority
	if nilPriority.ToProto() != nil || sundial.PriorityFromProto(nil) != nil {
		t.Fatal("nil priority must convert to nil both ways")
	}
}
