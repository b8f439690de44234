package worker

import (
	"context"
	"math/rand/v2"
	"time"
)

// backoff grows a retry delay exponentially, with jitter, up to a cap.
type backoff struct {
	initial time.Duration
	max     time.Duration
	// attempts counts consecutive failures since the last reset.
	attempts int
}

// next returns the delay before the next retry and counts the failure. The delay is
// initial·2^(failures-1), capped at max, then spread by ±20% so that many pollers do not
// retry in step.
func (b *backoff) next() time.Duration {
	d := b.initial
	for i := 0; i < b.attempts && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	b.attempts++
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

// reset starts the growth over after a success.
func (b *backoff) reset() { b.attempts = 0 }

// sleep waits for d or until ctx is done, and reports whether the full delay elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
