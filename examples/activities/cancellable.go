package activities

import (
	"context"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
)

// CancellableInput configures CancellableActivity.
type CancellableInput struct {
	// Duration is how long the work takes when not cancelled.
	Duration time.Duration
	// Tick is how often it heartbeats (and so can learn of a cancellation).
	Tick time.Duration
}

// Resources stands for whatever an activity must release when it stops early.
type Resources interface {
	Cleanup(ctx context.Context) error
}

// Cancellable works for a while, heartbeating the elapsed time. When cancelled it
// releases its resources and reports the cancellation, so the workflow sees the activity
// as canceled with the detail "cancelled gracefully".
type Cancellable struct {
	Resources Resources
}

// CancellableActivity is the activity; register the method value c.CancellableActivity.
func (c *Cancellable) CancellableActivity(ctx context.Context, in CancellableInput) (string, error) {
	begin := time.Now()
	ticker := time.NewTicker(in.Tick)
	defer ticker.Stop()
	for time.Since(begin) < in.Duration {
		select {
		case <-ctx.Done():
			// Clean up on a context that is not cancelled, then report the cancellation.
			if err := c.Resources.Cleanup(activity.WithoutCancel(ctx)); err != nil {
				return "", err
			}
			return "", sundial.NewCanceledError("cancelled gracefully")
		case <-ticker.C:
			activity.RecordHeartbeat(ctx, time.Since(begin).Seconds())
		}
	}
	return "Completed successfully", nil
}
