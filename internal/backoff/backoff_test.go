package backoff

import (
	"testing"
	"time"
)

func TestPolicyDelayDoublesUpToMax(t *testing.T) {
	p := Policy{Initial: time.Second, Max: 10 * time.Second}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for i, w := range want {
		if got := p.Delay(i + 1); got != w {
			t.Errorf("Delay(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := p.Delay(1000); got != 10*time.Second {
		t.Errorf("Delay(1000) = %v, want the cap", got)
	}
}

func TestPolicyExhausted(t *testing.T) {
	p := Policy{Initial: time.Second, GiveUpAfter: 3}
	if p.Exhausted(2) || !p.Exhausted(3) {
		t.Errorf("Exhausted(2)=%v Exhausted(3)=%v, want false, true", p.Exhausted(2), p.Exhausted(3))
	}
	if (Policy{}).Exhausted(1 << 20) {
		t.Error("a policy without GiveUpAfter never gives up")
	}
}

func TestLogLimiterOnePerIntervalWithCount(t *testing.T) {
	l := NewLogLimiter(time.Second)
	t0 := time.Unix(1000, 0)
	if ok, _ := l.Allow("k", t0); !ok {
		t.Fatal("the first failure is logged")
	}
	for i := range 99 {
		if ok, _ := l.Allow("k", t0.Add(time.Duration(i)*time.Millisecond)); ok {
			t.Fatalf("failure %d inside the interval was logged", i)
		}
	}
	ok, n := l.Allow("k", t0.Add(time.Second))
	if !ok || n != 99 {
		t.Fatalf("after the interval: ok=%v suppressed=%d, want true, 99", ok, n)
	}
	if ok, _ := l.Allow("other", t0.Add(time.Second)); !ok {
		t.Fatal("keys are limited separately")
	}
	l.Forget("k")
	if ok, _ := l.Allow("k", t0.Add(time.Second+time.Millisecond)); !ok {
		t.Fatal("a forgotten key is logged at once")
	}
}

func TestLogLimiterDropsStaleKeys(t *testing.T) {
	l := NewLogLimiter(time.Second)
	t0 := time.Unix(1000, 0)
	for i := range 100 {
		l.Allow(string(rune('a'+i%26))+string(rune('a'+i/26)), t0)
	}
	l.Allow("late", t0.Add(3*time.Second))
	if n := len(l.entries); n != 1 {
		t.Fatalf("%d entries kept, want only the recent one", n)
	}
}
