package activity

import (
	"context"
	"time"
)

// WorkerStopChannel returns a channel that is closed when the worker running the activity
// begins to stop. The activity's context is cancelled (with reason WorkerShutdown) only
// later, when the worker's graceful shutdown timeout runs out, so an activity that
// watches this channel can save its progress and return first. Outside an activity, and
// for a worker that never stops, the channel is nil and never ready.
func WorkerStopChannel(ctx context.Context) <-chan struct{} {
	if r, ok := current(ctx); ok {
		return r.WorkerStop()
	}
	return nil
}

// IsWorkerShutdown reports whether the worker running the activity has begun to stop.
func IsWorkerShutdown(ctx context.Context) bool {
	stop := WorkerStopChannel(ctx)
	if stop == nil {
		return false
	}
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// WaitForWorkerShutdown blocks until the worker running the activity begins to stop or
// timeout elapses, and reports whether it is stopping. A timeout of zero or less waits
// for the stop alone. Outside an activity, or for a worker that never stops, it returns
// false at once.
func WaitForWorkerShutdown(ctx context.Context, timeout time.Duration) bool {
	stop := WorkerStopChannel(ctx)
	if stop == nil {
		return false
	}
	return waitClosed(stop, timeout)
}
