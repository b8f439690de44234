package client

import (
	"context"
	"time"
)

// Per-call time limits applied when the caller's context has no deadline, matching
// Temporal's SDKs: 10s for ordinary calls, 65s for the result long poll (the server
// answers within about 20s).
const (
	defaultCallTimeout     = 10 * time.Second
	historyLongPollTimeout = 65 * time.Second
)

// withDefaultTimeout bounds ctx by defaultCallTimeout unless it already has a deadline.
func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return withTimeoutIfNone(ctx, defaultCallTimeout)
}

func withTimeoutIfNone(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
