package sundial

import (
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// RetryPolicy says how an activity (or workflow) is retried after a failure.
//
// The delay before attempt n+1 is InitialInterval * BackoffCoefficient^(n-1), capped at
// MaximumInterval. Zero values ask the server for its defaults (1s initial interval,
// coefficient 2.0, maximum 100 × initial interval, unlimited attempts).
type RetryPolicy struct {
	// InitialInterval is the delay before the first retry.
	InitialInterval time.Duration
	// BackoffCoefficient multiplies the delay after each retry; must be >= 1 when set.
	BackoffCoefficient float64
	// MaximumInterval caps the delay between retries.
	MaximumInterval time.Duration
	// MaximumAttempts is the total number of attempts, the first included; 0 means unlimited
	// and 1 means no retries.
	MaximumAttempts int32
	// NonRetryableErrorTypes lists ApplicationError types that are never retried.
	NonRetryableErrorTypes []string
}

// ToProto converts the policy to its wire form. A nil policy gives nil.
func (p *RetryPolicy) ToProto() *commonpb.RetryPolicy {
	if p == nil {
		return nil
	}
	return &commonpb.RetryPolicy{
		InitialInterval:        durationOrNil(p.InitialInterval),
		BackoffCoefficient:     p.BackoffCoefficient,
		MaximumInterval:        durationOrNil(p.MaximumInterval),
		MaximumAttempts:        p.MaximumAttempts,
		NonRetryableErrorTypes: append([]string(nil), p.NonRetryableErrorTypes...),
	}
}

// RetryPolicyFromProto converts a wire retry policy. A nil input gives nil.
func RetryPolicyFromProto(p *commonpb.RetryPolicy) *RetryPolicy {
	if p == nil {
		return nil
	}
	return &RetryPolicy{
		InitialInterval:        p.GetInitialInterval().AsDuration(),
		BackoffCoefficient:     p.GetBackoffCoefficient(),
		MaximumInterval:        p.GetMaximumInterval().AsDuration(),
		MaximumAttempts:        p.GetMaximumAttempts(),
		NonRetryableErrorTypes: append([]string(nil), p.GetNonRetryableErrorTypes()...),
	}
}

// durationOrNil leaves unset durations unset on the wire, so the server applies its default.
func durationOrNil(d time.Duration) *durationpb.Duration {
	if d == 0 {
		return nil
	}
	return durationpb.New(d)
}
