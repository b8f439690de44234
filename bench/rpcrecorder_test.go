package main

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRPCRecorderCountsAndWaits(t *testing.T) {
	r := newRPCRecorder()
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- r.waitForCount(ctx, "RecordActivityTaskHeartbeat", 3)
	}()
	for i := range 3 {
		r.record("RecordActivityTaskHeartbeat", time.Duration(i+1)*time.Millisecond)
	}
	r.record("PollActivityTaskQueue", time.Second)
	if err := <-done; err != nil {
		t.Fatalf("waitForCount: %v", err)
	}
	if got := r.count("RecordActivityTaskHeartbeat"); got != 3 {
		t.Errorf("count = %d, want 3", got)
	}
	if got := r.total(); got != 3 {
		t.Errorf("total = %d, want 3 (long polls excluded)", got)
	}
	if got := len(r.latenciesOf("RecordActivityTaskHeartbeat")); got != 3 {
		t.Errorf("latencies = %d, want 3", got)
	}
	r.reset()
	if r.count("RecordActivityTaskHeartbeat") != 0 || r.total() != 0 {
		t.Error("reset kept counts")
	}
}

func TestRPCRecorderWaitEndsWithContext(t *testing.T) {
	r := newRPCRecorder()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := r.waitForCount(ctx, "X", 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waitForCount = %v, want deadline exceeded", err)
	}
}
