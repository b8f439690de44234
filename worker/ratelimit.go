package worker

import (
	"context"
	"sync"
	"time"
)

// rateLimiter spaces events evenly at a fixed rate: one every 1/rate seconds, with no
// burst beyond one. A nil *rateLimiter does not limit.
type rateLimiter struct {
	interval time.Duration

	mu   sync.Mutex
	next time.Time
}

// newRateLimiter returns a limiter for perSecond events per second, nil for no limit.
func newRateLimiter(perSecond float64) *rateLimiter {
	if perSecond <= 0 {
		return nil
	}
	return &rateLimiter{interval: time.Duration(float64(time.Second) / perSecond)}
}

// wait blocks until the caller may proceed, and reports false if ctx ended first (the
// reserved slot is then lost, which only makes the limiter stricter).
func (l *rateLimiter) wait(ctx context.Context) bool {
	if l == nil {
		return ctx.Err() == nil
	}
	l.mu.Lock()
	now := time.Now()
	if l.next.Before(now) {
		l.next = now
	}
	delay := l.next.Sub(now)
	l.next = l.next.Add(l.interval)
	l.mu.Unlock()
	if delay <= 0 {
		return ctx.Err() == nil
	}
	return sleep(ctx, delay)
}
