package activity

import (
	"context"
	"errors"
	"time"

	"github.com/sundialdev/sundial/internal/sdk/activityrun"
)

// CancelReason says why an activity's context was cancelled. It is set once, by whatever
// cancelled the context first, and never changes afterwards.
//
// CancelReason implements error: it is the cause of the context's cancellation, so
// context.Cause(ctx) returns it and errors.Is(context.Cause(ctx), activity.TimedOut)
// works.
type CancelReason int

const (
	// NotCanceled: the activity's context has not been cancelled.
	NotCanceled CancelReason = iota
	// CancelRequested: the workflow asked for the activity to be cancelled; the worker
	// learned it from a heartbeat response. Returning context.Canceled or a
	// sundial.CanceledError then reports the activity as canceled.
	CancelRequested
	// TimedOut: the attempt's deadline (start-to-close or schedule-to-close) passed. The
	// server times the attempt out on its own; whatever the activity returns is dropped.
	TimedOut
	// WorkerShutdown: the worker is stopping and its graceful shutdown timeout ran out.
	// The error the activity returns is reported as a retryable failure.
	WorkerShutdown
	// NotFound: a heartbeat was answered with NotFound: the server no longer knows this
	// attempt (it timed out, or the workflow closed). Nothing is reported.
	NotFound
	// Paused: the activity was paused on the server.
	Paused
	// Reset: the activity was reset on the server.
	Reset
)

// String names the reason.
func (r CancelReason) String() string {
	switch r {
	case NotCanceled:
		return "not canceled"
	case CancelRequested:
		return "cancel requested"
	case TimedOut:
		return "timed out"
	case WorkerShutdown:
		return "worker shutdown"
	case NotFound:
		return "not found"
	case Paused:
		return "paused"
	case Reset:
		return "reset"
	default:
		return "unknown cancel reason"
	}
}

// Error describes the cancellation, so that a CancelReason can be a context cause.
func (r CancelReason) Error() string { return "activity canceled: " + r.String() }

// CancellationReason tells why the running activity's context was cancelled, or
// NotCanceled if it was not. The reason is set once and never changes, and it is read
// from the attempt itself, so a context derived with WithoutCancel or WithTimeout still
// reports the activity's reason.
//
// Outside an activity it reports TimedOut for a context past its deadline,
// CancelRequested for any other cancelled context, and NotCanceled otherwise.
func CancellationReason(ctx context.Context) CancelReason {
	r, ok := current(ctx)
	if !ok {
		return reasonFromContext(ctx)
	}
	cause := r.Cause()
	if cause == nil || errors.Is(cause, activityrun.ErrFinished) {
		return NotCanceled
	}
	var reason CancelReason
	if errors.As(cause, &reason) {
		return reason
	}
	return reasonFromContext(r.Context())
}

func reasonFromContext(ctx context.Context) CancelReason {
	switch ctx.Err() {
	case nil:
		return NotCanceled
	case context.DeadlineExceeded:
		return TimedOut
	default:
		return CancelRequested
	}
}

// IsCanceled reports whether the running activity's context has been cancelled, for any
// reason. Unlike ctx.Err, it looks at the activity's own context, so it also sees a
// cancellation from inside a section shielded with WithoutCancel.
func IsCanceled(ctx context.Context) bool {
	return CancellationReason(ctx) != NotCanceled
}

// WithoutCancel returns a context that keeps ctx's values (so every function of this
// package keeps working with it) but is never cancelled and has no deadline. Use it to
// shield a critical section, such as cleanup that must finish, from the activity's
// cancellation; check IsCanceled or CancellationReason once the section is over.
func WithoutCancel(ctx context.Context) context.Context {
	return context.WithoutCancel(ctx)
}

// WaitForCancel blocks until the running activity is cancelled or timeout elapses, and
// reports whether it was cancelled. A timeout of zero or less waits for cancellation
// alone. Outside an activity it waits on ctx itself.
func WaitForCancel(ctx context.Context, timeout time.Duration) bool {
	done := ctx.Done()
	if r, ok := current(ctx); ok {
		done = r.Context().Done()
	}
	return waitClosed(done, timeout)
}

// waitClosed waits for ch to be closed, at most timeout when it is positive.
func waitClosed(ch <-chan struct{}, timeout time.Duration) bool {
	if timeout <= 0 {
		<-ch
		return true
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-ch:
		return true
	case <-timer.C:
		return false
	}
}
