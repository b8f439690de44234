// Package backoff spaces out retries of background work that keeps failing and
// keeps the logs of such failures readable: each retry waits longer than the
// last, up to a cap, and identical failures are logged once per interval with a
// count of the ones held back.
package backoff

import (
	"sync"
	"time"
)

// Policy says how long the n-th retry of a failing job waits.
type Policy struct {
	// Initial is the wait before the first retry.
	Initial time.Duration
	// Max caps every wait.
	Max time.Duration
	// GiveUpAfter, if positive, is the number of consecutive failures after
	// which a job should stop retrying on its own (see Exhausted).
	GiveUpAfter int
}

// Delay is the wait before retry number failures (1 for the first retry): it
// doubles from Initial up to Max.
func (p Policy) Delay(failures int) time.Duration {
	d := p.Initial
	if d <= 0 {
		d = time.Second
	}
	for i := 1; i < failures; i++ {
		d *= 2
		if p.Max > 0 && d >= p.Max {
			return p.Max
		}
	}
	if p.Max > 0 && d > p.Max {
		return p.Max
	}
	return d
}

// Exhausted reports whether a job that failed failures times in a row should
// give up.
func (p Policy) Exhausted(failures int) bool {
	return p.GiveUpAfter > 0 && failures >= p.GiveUpAfter
}

// LogLimiter lets the first occurrence of a failure through and then at most
// one per interval per key, telling the caller how many it held back. It is
// safe for concurrent use. Keys not seen for a whole interval are dropped, so
// its memory is bounded by the keys that failed recently.
type LogLimiter struct {
	interval time.Duration
	mu       sync.Mutex
	entries  map[string]*logEntry
	// swept is when stale entries were last dropped.
	swept time.Time
}

type logEntry struct {
	last       time.Time
	suppressed int
}

// NewLogLimiter returns a limiter that lets one line per key through per
// interval.
func NewLogLimiter(interval time.Duration) *LogLimiter {
	return &LogLimiter{interval: interval, entries: map[string]*logEntry{}}
}

// Allow reports whether a failure under key, seen at now, should be logged, and
// if so how many of the same key were held back since the last line.
func (l *LogLimiter) Allow(key string, now time.Time) (ok bool, suppressed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) >= l.interval {
		for k, e := range l.entries {
			if now.Sub(e.last) >= 2*l.interval {
				delete(l.entries, k)
			}
		}
		l.swept = now
	}
	e := l.entries[key]
	if e == nil {
		l.entries[key] = &logEntry{last: now}
		return true, 0
	}
	if now.Sub(e.last) < l.interval {
		e.suppressed++
		return false, 0
	}
	suppressed = e.suppressed
	e.last, e.suppressed = now, 0
	return true, suppressed
}

// Forget drops key, so that its next failure is logged at once: call it when
// the work under key succeeds.
func (l *LogLimiter) Forget(key string) {
	l.mu.Lock()
	delete(l.entries, key)
	l.mu.Unlock()
}
