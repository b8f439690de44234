package workflow

import "time"

// Now returns the workflow's deterministic current time: the time its current workflow
// task started, the same on every replay. Never call time.Now in workflow code.
func Now(ctx Context) time.Time { return runtimeOf(ctx).Now(ctx) }

// NewTimer starts a durable timer; its future is ready when the timer fires, or fails
// with a *sundial.CanceledError if ctx is canceled first.
func NewTimer(ctx Context, d time.Duration) Future { return runtimeOf(ctx).NewTimer(ctx, d) }

// Sleep blocks for d on a durable timer, which survives worker restarts. It returns a
// *sundial.CanceledError if ctx is canceled first.
func Sleep(ctx Context, d time.Duration) error { return runtimeOf(ctx).Sleep(ctx, d) }
