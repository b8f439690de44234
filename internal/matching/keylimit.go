package matching

import (
	"time"
)

// keyLimiter limits each fairness key's dispatches separately, at a default
// rate scaled by the key's weight (a key of weight 2 may go twice as fast), as
// an operator's fairness-key rate limit asks.
//
// Each key is a virtual-time bucket: due is when the key's bucket would be
// empty again had it been charged every dispatch since it was last full. A key
// may dispatch while due is no later than now plus its burst span; a key whose
// due has passed holds a full bucket and carries no state, so it is dropped.
// The map is swept when it doubles, and capped, so the number of distinct keys
// a client sends cannot grow memory without bound.
type keyLimiter struct {
	// perSecond is the rate of a key of weight 1; 0 lets no key dispatch.
	perSecond float64
	due       map[string]time.Time
	sweepAt   int
}

// maxKeyBuckets caps the keys a queue remembers a bucket for. Above it, keys
// are forgotten even before their bucket refills (they may then burst once).
const maxKeyBuckets = 4096

// newKeyLimiter returns a limiter at perSecond per key of weight 1, clamped
// into the supported range; exactly 0 stops every key.
func newKeyLimiter(perSecond float64) *keyLimiter {
	if perSecond != 0 {
		perSecond, _ = clampRate(perSecond)
	}
	return &keyLimiter{perSecond: perSecond, due: map[string]time.Time{}, sweepAt: 64}
}

// rateFor is the dispatch rate of a key of weight.
func (k *keyLimiter) rateFor(weight float64) float64 {
	return min(max(k.perSecond*weight, MinTasksPerSecond), MaxTasksPerSecond)
}

// interval is the time one dispatch of a key of weight costs.
func (k *keyLimiter) interval(weight float64) time.Duration {
	return time.Duration(float64(time.Second) / k.rateFor(weight))
}

// burstSpan is how far ahead of now a key's bucket may be charged: a burst of
// a tenth of a second's worth of its rate, one dispatch at least.
func (k *keyLimiter) burstSpan(weight float64) time.Duration {
	return time.Duration(burstFor(k.rateFor(weight))-1) * k.interval(weight)
}

// wait reports how long after now the key may dispatch: 0 if it may now.
func (k *keyLimiter) wait(key string, weight float64, now time.Time) time.Duration {
	if k.perSecond == 0 {
		return maxRefillDelay
	}
	due, ok := k.due[key]
	if !ok {
		return 0
	}
	d := due.Sub(now) - k.burstSpan(weight)
	if d <= tokenSlack {
		return 0
	}
	return min(d, maxRefillDelay)
}

// charge records a dispatch of key at now.
func (k *keyLimiter) charge(key string, weight float64, now time.Time) {
	if k.perSecond == 0 {
		return
	}
	due, ok := k.due[key]
	if !ok || due.Before(now) {
		due = now
	}
	k.due[key] = due.Add(k.interval(weight))
	if len(k.due) >= k.sweepAt {
		k.sweep(now)
	}
}

// refund takes back the charge of a dispatch that did not happen.
func (k *keyLimiter) refund(key string, weight float64) {
	if due, ok := k.due[key]; ok {
		k.due[key] = due.Add(-k.interval(weight))
	}
}

// sweep drops the keys whose bucket is full again and, above half the cap,
// arbitrary others; the next sweep comes when the map has doubled.
func (k *keyLimiter) sweep(now time.Time) {
	for key, due := range k.due {
		if !due.After(now) {
			delete(k.due, key)
		}
	}
	for key := range k.due {
		if len(k.due) <= maxKeyBuckets/2 {
			break
		}
		delete(k.due, key)
	}
	k.sweepAt = max(64, 2*len(k.due))
}
