package machine

import (
	"math"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Retry policy defaults Temporal applies to activities.
const (
	DefaultInitialInterval    = time.Second
	DefaultBackoffCoefficient = 2.0
	defaultMaxIntervalFactor  = 100
)

// NormalizeRetryPolicy fills the defaults of an activity retry policy.
func NormalizeRetryPolicy(p *commonpb.RetryPolicy) RetryPolicy {
	r := RetryPolicy{
		InitialInterval:        p.GetInitialInterval().AsDuration(),
		BackoffCoefficient:     p.GetBackoffCoefficient(),
		MaximumInterval:        p.GetMaximumInterval().AsDuration(),
		MaximumAttempts:        p.GetMaximumAttempts(),
		NonRetryableErrorTypes: p.GetNonRetryableErrorTypes(),
	}
	if r.InitialInterval <= 0 {
		r.InitialInterval = DefaultInitialInterval
	}
	if r.BackoffCoefficient < 1 {
		r.BackoffCoefficient = DefaultBackoffCoefficient
	}
	if r.MaximumInterval <= 0 {
		r.MaximumInterval = defaultMaxIntervalFactor * r.InitialInterval
	}
	if r.MaximumInterval < r.InitialInterval {
		r.MaximumInterval = r.InitialInterval
	}
	if r.MaximumAttempts < 0 {
		r.MaximumAttempts = 0
	}
	return r
}

// Proto returns the policy as the wire type.
func (r RetryPolicy) Proto() *commonpb.RetryPolicy {
	return &commonpb.RetryPolicy{
		InitialInterval:        durationpb.New(r.InitialInterval),
		BackoffCoefficient:     r.BackoffCoefficient,
		MaximumInterval:        durationpb.New(r.MaximumInterval),
		MaximumAttempts:        r.MaximumAttempts,
		NonRetryableErrorTypes: r.NonRetryableErrorTypes,
	}
}

// Backoff is the delay before attempt+1 after attempt failed, ignoring limits.
func (r RetryPolicy) Backoff(attempt int32) time.Duration {
	d := float64(r.InitialInterval) * math.Pow(r.BackoffCoefficient, float64(attempt-1))
	if d > float64(r.MaximumInterval) || math.IsInf(d, 0) || math.IsNaN(d) {
		return r.MaximumInterval
	}
	return time.Duration(d)
}

// nextAttempt decides whether a failed attempt is retried: it returns the delay
// before the next attempt and RETRY_STATE_IN_PROGRESS, or the retry state that
// ends the activity. deadline is the schedule-to-close deadline (zero: none).
func (r RetryPolicy) nextAttempt(attempt int32, failure *failurepb.Failure, now, deadline time.Time) (time.Duration, enumspb.RetryState) {
	var delay time.Duration
	if app := failure.GetApplicationFailureInfo(); app != nil {
		if app.NonRetryable {
			return 0, enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE
		}
		for _, t := range r.NonRetryableErrorTypes {
			if t == app.Type {
				return 0, enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE
			}
		}
		if app.NextRetryDelay != nil {
			delay = app.NextRetryDelay.AsDuration()
		}
	}
	if r.MaximumAttempts > 0 && attempt >= r.MaximumAttempts {
		return 0, enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED
	}
	if delay <= 0 {
		delay = r.Backoff(attempt)
	}
	if !deadline.IsZero() && !now.Add(delay).Before(deadline) {
		return 0, enumspb.RETRY_STATE_TIMEOUT
	}
	return delay, enumspb.RETRY_STATE_IN_PROGRESS
}
