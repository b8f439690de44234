package matching

import (
	"math"
	"time"

	"golang.org/x/time/rate"
)

// The range of dispatch rates a queue's limiter runs at. The frontend refuses rates
// outside it; the limiter clamps into it anyway, so no rate a caller passes can make
// the refill arithmetic overflow or a refill timer fire in a loop.
const (
	// MinTasksPerSecond is the slowest rate: one task per about 11.6 days.
	MinTasksPerSecond = 1e-6
	// MaxTasksPerSecond is the fastest rate; beyond it a limit means nothing.
	MaxTasksPerSecond = 1e9
)

// maxRefillDelay bounds the wait for one token at MinTasksPerSecond, with a second
// to spare for rounding.
const maxRefillDelay = time.Duration(1/MinTasksPerSecond)*time.Second + time.Second

// dispatchLimiter limits a queue's dispatches to a rate, on times read from the
// manager's clock (golang.org/x/time/rate takes explicit times, so it runs on any
// clock). It holds at most a tenth of a second's worth of the rate, but never less
// than one token, so any window of length w sees at most burst + rate*w dispatches.
//
// A limiter made at rate 0 dispatches nothing (its lim is nil): an operator's
// UpdateTaskQueueConfig may stop a queue that way.
type dispatchLimiter struct {
	lim *rate.Limiter
	// perSecond is the rate as clamped into [MinTasksPerSecond, MaxTasksPerSecond].
	perSecond float64
	// refunds are tokens given back by dispatches that did not happen; they are
	// spent before the limiter's own and never exceed its burst.
	refunds int
}

// clampRate brings perSecond into the supported range; ok is false for NaN, which
// names no rate at all.
func clampRate(perSecond float64) (clamped float64, ok bool) {
	if math.IsNaN(perSecond) {
		return 0, false
	}
	return min(max(perSecond, MinTasksPerSecond), MaxTasksPerSecond), true
}

// burstFor is the bucket size at perSecond.
func burstFor(perSecond float64) int {
	return int(max(1, perSecond/10))
}

// newDispatchLimiter returns a limiter at perSecond (clamped), its bucket full;
// at exactly 0 the limiter lets nothing through.
func newDispatchLimiter(perSecond float64, now time.Time) *dispatchLimiter {
	if perSecond == 0 {
		return &dispatchLimiter{}
	}
	perSecond, _ = clampRate(perSecond)
	l := &dispatchLimiter{lim: rate.NewLimiter(rate.Limit(perSecond), burstFor(perSecond)), perSecond: perSecond}
	l.lim.SetLimitAt(now, rate.Limit(perSecond)) // start the bucket's clock at now
	return l
}

// closed reports whether the limiter lets nothing through.
func (l *dispatchLimiter) closed() bool { return l.lim == nil }

// setRate changes the rate from now on, keeping the tokens already earned up to the
// new burst. A closed limiter, or a rate of 0, is not changed here: the queue
// replaces the limiter instead.
func (l *dispatchLimiter) setRate(perSecond float64, now time.Time) {
	perSecond, ok := clampRate(perSecond)
	if !ok || l.closed() || perSecond == l.perSecond {
		return
	}
	l.perSecond = perSecond
	l.lim.SetLimitAt(now, rate.Limit(perSecond))
	l.lim.SetBurstAt(now, burstFor(perSecond))
	l.refunds = min(l.refunds, burstFor(perSecond))
}

// take spends one token if one is available at now.
func (l *dispatchLimiter) take(now time.Time) bool {
	if l.closed() {
		return false
	}
	if l.refunds > 0 {
		l.refunds--
		return true
	}
	r := l.lim.ReserveN(now, 1)
	if !r.OK() {
		return false
	}
	if r.DelayFrom(now) > tokenSlack {
		r.CancelAt(now)
		return false
	}
	return true
}

// tokenSlack absorbs float rounding in the limiter: a token due within it counts as
// available, so waiting exactly untilToken always yields one.
const tokenSlack = time.Microsecond

// refund gives back a token spent on a dispatch that did not happen.
func (l *dispatchLimiter) refund() {
	if l.closed() {
		return
	}
	l.refunds = min(l.refunds+1, l.lim.Burst())
}

// untilToken reports how long after now the next token is available: never
// negative, never more than maxRefillDelay, and long enough that take succeeds then.
func (l *dispatchLimiter) untilToken(now time.Time) time.Duration {
	if l.closed() {
		return maxRefillDelay
	}
	if l.refunds > 0 {
		return 0
	}
	missing := 1 - l.lim.TokensAt(now)
	if missing <= 0 {
		return 0
	}
	d := time.Duration(math.Ceil(missing / l.perSecond * float64(time.Second)))
	if d <= tokenSlack {
		return 0
	}
	return min(d, maxRefillDelay)
}
