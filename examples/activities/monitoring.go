package activities

import (
	"context"
	"time"

	"github.com/sundialdev/sundial/activity"
)

// MonitoringInput configures MonitoringActivity.
type MonitoringInput struct {
	// CheckInterval is how long it waits for a cancellation between work units.
	CheckInterval time.Duration
	// Units is how many work units complete the work.
	Units int
}

// MonitoringActivity does a unit of work, then waits up to CheckInterval for a
// cancellation (the Python SDK's wait_for_cancelled_sync), until the work is complete.
// It heartbeats after each unit so that a cancellation can reach it.
func MonitoringActivity(ctx context.Context, in MonitoringInput) (string, error) {
	for done := 1; ; done++ {
		activity.RecordHeartbeat(ctx, done) // perform_work_unit()
		if activity.WaitForCancel(ctx, in.CheckInterval) {
			return "Cancelled during monitoring", nil
		}
		if done >= in.Units {
			return "Work completed successfully", nil
		}
	}
}
