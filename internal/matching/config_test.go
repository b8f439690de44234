package matching

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/clock"
)

func ptr(f float64) *float64 { return &f }

var actConfig = configKeyOf(actQueue)

// pollOnVirtual polls key once with an hour's maxWait and returns the task and
// the virtual time it came at. A poll that parks (its maxWait timer and the
// refill timer armed) moves the clock to the next deadline until it returns.
func pollOnVirtual[T any](t *testing.T, m *Manager[T], v *clock.Virtual, key QueueKey, p PollerInfo) (T, time.Time) {
	t.Helper()
	type result struct {
		task T
		ok   bool
	}
	ch := make(chan result, 1)
	go func() {
		task, ok := m.Poll(context.Background(), key, p, time.Hour)
		ch <- result{task, ok}
	}()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		parked := make(chan error, 1)
		go func() { parked <- v.WaitForTimers(ctx, 2) }()
		select {
		case r := <-ch:
			cancel()
			if !r.ok {
				t.Fatalf("Poll on %v got nothing at %v", key, v.Now().Sub(epoch))
			}
			return r.task, v.Now()
		case err := <-parked:
			cancel()
			if err != nil {
				t.Fatalf("Poll neither returned nor parked: %v", err)
			}
			next, _ := v.NextDeadline()
			v.AdvanceTo(next)
			// The refill hands the task over before the poll's own timer
			// could fire; wait for that before looking at timers again.
			select {
			case r := <-ch:
				if !r.ok {
					t.Fatalf("Poll on %v got nothing at %v", key, v.Now().Sub(epoch))
				}
				return r.task, v.Now()
			case <-time.After(5 * time.Second):
				t.Fatal("Poll did not return after the refill")
			}
		}
	}
}

// gaps are the times between consecutive dispatches.
func gaps(times []time.Time) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(times); i++ {
		out = append(out, times[i].Sub(times[i-1]))
	}
	return out
}

func within(got, want time.Duration) bool {
	return got >= want-time.Millisecond && got <= want+time.Millisecond
}

// TestConfigQueueRateTakesPrecedenceOverWorkerRate: the operator's rate
// applies whatever rate pollers ask for, faster or slower, and when it is
// removed the pollers' rate applies again (Temporal's rateLimitManager: API,
// then worker).
func TestConfigQueueRateTakesPrecedenceOverWorkerRate(t *testing.T) {
	m, v := newVirtualManager(t, Options{})
	fastWorker := PollerInfo{Identity: "w", MaxTasksPerSecond: 100}
	for i := range 12 {
		m.Add(actQueue, fmt.Sprint(i))
	}
	// The queue exists, limited by its worker, before the operator sets a rate.
	pollOnVirtual(t, m, v, actQueue, fastWorker)
	if r, src := m.EffectiveRate(actQueue); r != 100 || src != RateFromWorker {
		t.Fatalf("EffectiveRate = %v, %v; want 100 from the worker", r, src)
	}
	m.SetConfig(actConfig, QueueConfig{QueueRate: ptr(2)})
	if r, src := m.EffectiveRate(actQueue); r != 2 || src != RateFromConfig {
		t.Fatalf("EffectiveRate = %v, %v; want 2 from the config", r, src)
	}
	var times []time.Time
	for range 4 {
		_, at := pollOnVirtual(t, m, v, actQueue, fastWorker)
		times = append(times, at)
	}
	for i, g := range gaps(times[1:]) { // the first may use the bucket's token
		if !within(g, 500*time.Millisecond) {
			t.Fatalf("gap %d = %v at the configured 2/s, want 500ms (worker asked 100/s)", i, g)
		}
	}
	// A slower worker does not slow the configured rate either.
	slowWorker := PollerInfo{Identity: "w", MaxTasksPerSecond: 0.5}
	times = times[:0]
	for range 3 {
		_, at := pollOnVirtual(t, m, v, actQueue, slowWorker)
		times = append(times, at)
	}
	for i, g := range gaps(times) {
		if !within(g, 500*time.Millisecond) {
			t.Fatalf("gap %d = %v at the configured 2/s, want 500ms (worker asked 0.5/s)", i, g)
		}
	}
	// Removed, the worker's last rate applies.
	m.SetConfig(actConfig, QueueConfig{})
	if r, src := m.EffectiveRate(actQueue); r != 0.5 || src != RateFromWorker {
		t.Fatalf("EffectiveRate after removal = %v, %v; want 0.5 from the worker", r, src)
	}
	times = times[:0]
	for range 3 {
		_, at := pollOnVirtual(t, m, v, actQueue, slowWorker)
		times = append(times, at)
	}
	for i, g := range gaps(times[1:]) {
		if !within(g, 2*time.Second) {
			t.Fatalf("gap %d = %v after removal, want the worker's 2s", i, g)
		}
	}
}

// TestConfigQueueRateZeroStopsDispatch: a rate of 0 holds every task back
// until it is lifted.
func TestConfigQueueRateZeroStopsDispatch(t *testing.T) {
	m, v := newVirtualManager(t, Options{})
	m.SetConfig(actConfig, QueueConfig{QueueRate: ptr(0)})
	m.Add(actQueue, "held")
	ch := pollAsync(context.Background(), m, actQueue, PollerInfo{Identity: "w"}, time.Minute)
	waitForPollers(t, v, 2)
	v.Advance(time.Minute)
	if r := receive(t, ch); r.ok {
		t.Fatalf("Poll at rate 0 = %+v, want nothing", r)
	}
	ch = pollAsync(context.Background(), m, actQueue, PollerInfo{Identity: "w"}, time.Hour)
	waitForPollers(t, v, 2)
	m.SetConfig(actConfig, QueueConfig{QueueRate: ptr(5)})
	if r := receive(t, ch); !r.ok || r.task != "held" {
		t.Fatalf("Poll after lifting = %+v, want held", r)
	}
}

// TestConfigOutlivesCollectedQueues: a config set before its queue exists, or
// kept while the queue is forgotten as idle, applies when the queue is used.
func TestConfigOutlivesCollectedQueues(t *testing.T) {
	m, v := newVirtualManager(t, Options{IdleQueueTTL: time.Minute})
	m.SetConfig(actConfig, QueueConfig{QueueRate: ptr(1)})
	for round := range 2 {
		other := QueueKey{NamespaceID: "ns", Name: fmt.Sprint("other-", round), Kind: Activity}
		m.Add(actQueue, "a")
		m.Add(actQueue, "b")
		_, first := pollOnVirtual(t, m, v, actQueue, PollerInfo{Identity: "w"})
		_, second := pollOnVirtual(t, m, v, actQueue, PollerInfo{Identity: "w"})
		if g := second.Sub(first); !within(g, time.Second) {
			t.Fatalf("round %d: gap %v, want 1s from the config", round, g)
		}
		// Idle long enough, the queue goes when another one is made.
		v.Advance(3 * time.Minute)
		m.Add(other, "x")
		if n := m.queueCount(); n != 1 {
			t.Fatalf("round %d: %d queues after the sweep, want the new one only", round, n)
		}
		m.Drain(other)
	}
}

// TestConfigFairnessKeyRateLimitsEachKey: each fairness key dispatches at the
// default rate times its weight, separately; a limited key does not hold back
// another.
func TestConfigFairnessKeyRateLimitsEachKey(t *testing.T) {
	v := clock.NewVirtual(epoch)
	m := New[prioTask](v, Options{})
	t.Cleanup(m.Close)
	m.SetConfig(actConfig, QueueConfig{FairnessKeyRate: ptr(1)})
	for i := range 4 {
		m.Add(actQueue, prioTask{fmt.Sprint("a", i), Priority{FairnessKey: "a"}})
		m.Add(actQueue, prioTask{fmt.Sprint("b", i), Priority{FairnessKey: "b", Weight: 2}})
	}
	at := map[string][]time.Duration{}
	for range 8 {
		task, when := pollOnVirtual(t, m, v, actQueue, PollerInfo{Identity: "w"})
		key := task.p.FairnessKey
		at[key] = append(at[key], when.Sub(epoch))
	}
	// Key a: 1/s; key b (weight 2): 2/s.
	for key, interval := range map[string]time.Duration{"a": time.Second, "b": 500 * time.Millisecond} {
		got := at[key]
		if len(got) != 4 {
			t.Fatalf("key %s got %d tasks, want 4 (%v)", key, len(got), at)
		}
		for i, want := range []time.Duration{0, interval, 2 * interval, 3 * interval} {
			if !within(got[i], want) {
				t.Fatalf("key %s dispatch %d at %v, want %v (all: %v)", key, i, got[i], want, at)
			}
		}
	}
	// Removing the limit lets the backlog go at once.
	for i := range 3 {
		m.Add(actQueue, prioTask{fmt.Sprint("c", i), Priority{FairnessKey: "a"}})
	}
	m.SetConfig(actConfig, QueueConfig{})
	start := v.Now()
	for range 3 {
		if _, when := pollOnVirtual(t, m, v, actQueue, PollerInfo{Identity: "w"}); !when.Equal(start) {
			t.Fatalf("dispatch at %v after the limit was removed, want at once", when.Sub(start))
		}
	}
}

// TestConfigWeightOverridesReorderBacklog: an override replaces the weight of
// its key's tasks, those waiting already included; unset, the tasks' own
// weight applies again.
func TestConfigWeightOverridesReorderBacklog(t *testing.T) {
	v := clock.NewVirtual(epoch)
	m := New[prioTask](v, Options{})
	t.Cleanup(m.Close)
	fill := func() {
		for i := range 40 {
			m.Add(actQueue, prioTask{fmt.Sprint("a", i), Priority{FairnessKey: "a"}})
			m.Add(actQueue, prioTask{fmt.Sprint("b", i), Priority{FairnessKey: "b"}})
		}
	}
	share := func(n int) map[string]int {
		got := map[string]int{}
		for range n {
			task, ok := m.Poll(context.Background(), actQueue, PollerInfo{Identity: "w"}, time.Second)
			if !ok {
				t.Fatal("Poll got nothing from a full backlog")
			}
			got[task.p.FairnessKey]++
		}
		return got
	}
	fill()
	m.SetConfig(actConfig, QueueConfig{WeightOverrides: map[string]float32{"b": 3}})
	if got := share(20); got["b"] != 15 || got["a"] != 5 {
		t.Fatalf("with b overridden to weight 3, 20 dispatches went %v, want b 15, a 5", got)
	}
	m.Drain(actQueue)
	fill()
	m.SetConfig(actConfig, QueueConfig{})
	if got := share(20); got["b"] != 10 || got["a"] != 10 {
		t.Fatalf("with the override unset, 20 dispatches went %v, want 10 each", got)
	}
}

// TestKeyLimiterMemoryStaysBounded: however many keys are charged, the
// limiter keeps at most maxKeyBuckets, and drops the keys whose bucket is full.
func TestKeyLimiterMemoryStaysBounded(t *testing.T) {
	k := newKeyLimiter(1e-3) // buckets take 1000s to refill
	now := epoch
	for i := range 50 * maxKeyBuckets {
		k.charge(fmt.Sprint("key-", i), 1, now)
		if len(k.due) > maxKeyBuckets {
			t.Fatalf("after %d keys the limiter holds %d buckets, above %d", i+1, len(k.due), maxKeyBuckets)
		}
	}
	k = newKeyLimiter(100)
	for i := range 10 * maxKeyBuckets {
		now = now.Add(time.Second) // every bucket is full again a second later
		k.charge(strings.Repeat("k", i%64)+fmt.Sprint(i), 1, now)
	}
	if len(k.due) > 64 {
		t.Fatalf("idle keys kept: %d buckets, want at most 64", len(k.due))
	}
}
