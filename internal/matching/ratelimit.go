package matching

import (
	"math"
	"time"
)

// tokenBucket limits dispatches to a rate, on times read from the manager's clock.
// The bucket holds at most burst tokens, a tenth of a second's worth of the rate but
// never less than one, so any window of length w sees at most burst + rate*w dispatches.
type tokenBucket struct {
	perSecond float64
	burst     float64
	tokens    float64
	updated   time.Time
}

// tokenEpsilon absorbs float rounding so that waiting exactly untilToken yields a token.
const tokenEpsilon = 1e-9

func newTokenBucket(perSecond float64, now time.Time) *tokenBucket {
	b := &tokenBucket{updated: now}
	b.setRate(perSecond, now)
	b.tokens = b.burst
	return b
}

// setRate changes the rate from now on, keeping the tokens already earned up to the
// new burst.
func (b *tokenBucket) setRate(perSecond float64, now time.Time) {
	b.refill(now)
	b.perSecond = perSecond
	b.burst = math.Max(1, perSecond/10)
	b.tokens = math.Min(b.tokens, b.burst)
}

func (b *tokenBucket) refill(now time.Time) {
	if elapsed := now.Sub(b.updated); elapsed > 0 {
		b.tokens = math.Min(b.burst, b.tokens+elapsed.Seconds()*b.perSecond)
		b.updated = now
	}
}

// take spends one token if one is available at now.
func (b *tokenBucket) take(now time.Time) bool {
	b.refill(now)
	if b.tokens < 1-tokenEpsilon {
		return false
	}
	b.tokens = math.Max(0, b.tokens-1)
	return true
}

// refund gives back a token spent on a dispatch that did not happen.
func (b *tokenBucket) refund() {
	b.tokens = math.Min(b.burst, b.tokens+1)
}

// untilToken reports how long after now the next token is available.
func (b *tokenBucket) untilToken(now time.Time) time.Duration {
	b.refill(now)
	missing := 1 - b.tokens
	if missing <= tokenEpsilon {
		return 0
	}
	return time.Duration(math.Ceil(missing / b.perSecond * float64(time.Second)))
}
