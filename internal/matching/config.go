package matching

import (
	"maps"
	"math"
	"time"
)

// QueueConfig is what an operator sets on a task queue of one kind (Temporal's
// UpdateTaskQueueConfig). It applies to every queue of that name and kind,
// versioned ones included, and outlives them: a queue forgotten as idle finds
// it again when it is next used.
type QueueConfig struct {
	// QueueRate, when set, is the dispatch rate of the whole queue in tasks per
	// second. It takes precedence over the rates pollers ask for; 0 stops
	// dispatching.
	QueueRate *float64
	// FairnessKeyRate, when set, limits each fairness key's dispatches
	// separately, to this rate times the key's weight; 0 stops them.
	FairnessKeyRate *float64
	// WeightOverrides replace the fairness weight of the tasks of their keys.
	WeightOverrides map[string]float32
}

// empty reports whether the config changes nothing.
func (c QueueConfig) empty() bool {
	return c.QueueRate == nil && c.FairnessKeyRate == nil && len(c.WeightOverrides) == 0
}

// ConfigKey names the queues a QueueConfig applies to.
type ConfigKey struct {
	NamespaceID string
	Name        string
	Kind        Kind
}

func configKeyOf(k QueueKey) ConfigKey {
	return ConfigKey{NamespaceID: k.NamespaceID, Name: k.Name, Kind: k.Kind}
}

// SetConfig installs cfg for the queues key names, replacing what was set
// before, and applies it at once to those in memory. An empty cfg removes it.
// The Manager keeps one config per key it was given: the engine sets them only
// for queues an operator configured.
func (m *Manager[T]) SetConfig(key ConfigKey, cfg QueueConfig) {
	cfg.WeightOverrides = maps.Clone(cfg.WeightOverrides)
	m.mu.Lock()
	defer m.mu.Unlock()
	if cfg.empty() {
		delete(m.configs, key)
	} else {
		if m.configs == nil {
			m.configs = map[ConfigKey]QueueConfig{}
		}
		m.configs[key] = cfg
	}
	now := m.clk.Now()
	for qk, q := range m.queues {
		if configKeyOf(qk) != key {
			continue
		}
		q.mu.Lock()
		q.applyConfigLocked(cfg, now)
		q.dispatchLocked()
		q.mu.Unlock()
	}
}

// RateSource says where a queue's dispatch rate limit comes from.
type RateSource uint8

const (
	// RateUnlimited: no limit applies.
	RateUnlimited RateSource = iota
	// RateFromConfig: the operator's QueueConfig.QueueRate.
	RateFromConfig
	// RateFromWorker: the rate the pollers asked for.
	RateFromWorker
)

// EffectiveRate reports the dispatch rate limit of key's queue and where it
// comes from; with RateUnlimited the rate means nothing.
func (m *Manager[T]) EffectiveRate(key QueueKey) (float64, RateSource) {
	q := m.lockQueue(key, false)
	if q == nil {
		m.mu.RLock()
		cfg, ok := m.configs[configKeyOf(key)]
		m.mu.RUnlock()
		if ok && cfg.QueueRate != nil {
			return *cfg.QueueRate, RateFromConfig
		}
		return 0, RateUnlimited
	}
	defer q.mu.Unlock()
	return q.effectiveRateLocked()
}

// applyConfigLocked makes cfg the queue's config.
func (q *queue[T]) applyConfigLocked(cfg QueueConfig, now time.Time) {
	q.config = cfg
	q.applyRateLocked(now)
	switch {
	case cfg.FairnessKeyRate == nil:
		q.keyLimits = nil
	case q.keyLimits == nil || q.keyLimits.perSecond != keyRate(*cfg.FairnessKeyRate):
		// A new rate starts every key with a full bucket.
		q.keyLimits = newKeyLimiter(*cfg.FairnessKeyRate)
	}
	var overrides map[string]float64
	if len(cfg.WeightOverrides) > 0 {
		overrides = make(map[string]float64, len(cfg.WeightOverrides))
		for k, w := range cfg.WeightOverrides {
			overrides[k] = clampWeight(float64(w))
		}
	}
	q.backlog.setWeightOverrides(overrides)
	// Whatever was armed was computed under the old limits.
	q.stopRefillLocked()
}

// keyRate is the per-key rate newKeyLimiter keeps for perSecond.
func keyRate(perSecond float64) float64 {
	if perSecond == 0 {
		return 0
	}
	r, _ := clampRate(perSecond)
	return r
}

// clampWeight brings a weight into [MinFairnessWeight, MaxFairnessWeight]; a
// weight that is not positive and finite counts as 1, as priorityOf does.
func clampWeight(w float64) float64 {
	if !(w > 0) || math.IsInf(w, 0) {
		return 1
	}
	return min(max(w, MinFairnessWeight), MaxFairnessWeight)
}

// effectiveRateLocked is the queue's rate limit: the operator's, else the
// pollers'.
func (q *queue[T]) effectiveRateLocked() (float64, RateSource) {
	if r := q.config.QueueRate; r != nil {
		return *r, RateFromConfig
	}
	if q.workerRate > 0 {
		return q.workerRate, RateFromWorker
	}
	return 0, RateUnlimited
}

// applyRateLocked brings the limiter in line with effectiveRateLocked,
// keeping the tokens earned when only the rate changes.
func (q *queue[T]) applyRateLocked(now time.Time) {
	perSecond, src := q.effectiveRateLocked()
	switch {
	case src == RateUnlimited:
		if q.limiter == nil {
			return
		}
		q.limiter = nil
	case q.limiter == nil || q.limiter.closed() || perSecond == 0:
		if q.limiter != nil && q.limiter.closed() && perSecond == 0 {
			return
		}
		q.limiter = newDispatchLimiter(perSecond, now)
	default:
		if clamped, _ := clampRate(perSecond); clamped == q.limiter.perSecond {
			return
		}
		q.limiter.setRate(perSecond, now)
	}
	// The armed refill was computed at the old rate.
	q.stopRefillLocked()
}
