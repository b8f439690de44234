package activities

import (
	"context"

	"github.com/sundialdev/sundial/activity"
)

// Cleaner records which kind of cleanup ran.
type Cleaner interface {
	Cleanup(ctx context.Context, kind string) error
}

// DetailedCancellation runs different cleanup depending on why it was stopped. The
// reason is set once, so it reads the same however often it is asked.
type DetailedCancellation struct {
	Cleaner Cleaner
}

// DetailedCancellationHandling waits for its work (here: for ever) and, once its context
// is cancelled, cleans up for the reason and returns. After a timeout the server has
// already timed the attempt out, so its result is dropped; after a cancel request the
// result completes the activity (returning ctx.Err() would report it canceled instead).
func (d *DetailedCancellation) DetailedCancellationHandling(ctx context.Context) (string, error) {
	activity.RecordHeartbeat(ctx, "working")
	<-ctx.Done() // perform_work()
	cleanupCtx := activity.WithoutCancel(ctx)
	switch activity.CancellationReason(ctx) {
	case activity.TimedOut:
		return "Timed out, cleanup completed", d.Cleaner.Cleanup(cleanupCtx, "timeout")
	case activity.CancelRequested:
		return "Cancelled by request, cleanup completed", d.Cleaner.Cleanup(cleanupCtx, "cancellation")
	case activity.WorkerShutdown:
		return "Worker shutdown, cleanup completed", d.Cleaner.Cleanup(cleanupCtx, "shutdown")
	default:
		return "", ctx.Err()
	}
}
