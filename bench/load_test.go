package main

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestClosedLoopKeepsConcurrencyUntilTheDeadline(t *testing.T) {
	var inFlight, peak atomic.Int32
	out, err := closedLoop(context.Background(), 4, 200*time.Millisecond, func(ctx context.Context, seq int) error {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(10 * time.Millisecond) // the scenario: each operation takes a while, so they overlap
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if peak.Load() != 4 {
		t.Errorf("peak concurrency = %d, want 4", peak.Load())
	}
	// 4 workers x 200ms / 10ms each = about 80 operations.
	if out.ops < 40 || out.ops > 100 || len(out.samples) != out.ops {
		t.Errorf("ops = %d with %d samples, want about 80", out.ops, len(out.samples))
	}
	if out.elapsed < 200*time.Millisecond {
		t.Errorf("elapsed = %v, want at least the duration", out.elapsed)
	}
}

func TestClosedLoopStopsAtFirstError(t *testing.T) {
	boom := errors.New("boom")
	_, err := closedLoop(context.Background(), 3, 10*time.Second, func(ctx context.Context, seq int) error {
		if seq == 5 {
			return boom
		}
		time.Sleep(time.Millisecond) // the scenario: operations that take time
		return nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
}

func TestForEachRunsEverySequenceOnce(t *testing.T) {
	var seen [100]atomic.Int32
	if err := forEach(context.Background(), 100, 7, func(ctx context.Context, seq int) error {
		seen[seq].Add(1)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := range seen {
		if seen[i].Load() != 1 {
			t.Fatalf("seq %d ran %d times", i, seen[i].Load())
		}
	}
	boom := errors.New("boom")
	if err := forEach(context.Background(), 1000, 3, func(ctx context.Context, seq int) error {
		if seq == 10 {
			return boom
		}
		return nil
	}); !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
}
