package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// outcome is what one scenario measured on one server.
type outcome struct {
	// ops is how many operations (workflows, heartbeats, signals...) completed.
	ops int
	// elapsed is the wall time the ops took, from the first start to the last end.
	elapsed time.Duration
	// samples are the latencies (or lags) whose p50 and p99 are reported.
	samples []time.Duration
	// note is a short remark shown under the table.
	note string
	// afterMeasure, when set, runs after the CPU times have been read (so its work
	// is not charged to the operations); it returns more of the note and the parts
	// of the timer scenario's lag, read from the workflows' histories.
	afterMeasure func(ctx context.Context) (string, timerParts)
	// timerParts holds what afterMeasure measured.
	timerParts timerParts
}

// closedLoop runs op from concurrency goroutines, each starting its next call as
// soon as the previous one returns, until d has passed. Each call gets a distinct
// sequence number. It stops at the first error.
func closedLoop(ctx context.Context, concurrency int, d time.Duration, op func(ctx context.Context, seq int) error) (outcome, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu      sync.Mutex
		samples []time.Duration
		next    int
		wg      sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for range concurrency {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				mu.Lock()
				seq := next
				next++
				mu.Unlock()
				began := time.Now()
				if err := op(ctx, seq); err != nil {
					cancel(fmt.Errorf("operation %d: %w", seq, err))
					return
				}
				took := time.Since(began)
				mu.Lock()
				samples = append(samples, took)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return outcome{}, err
	}
	return outcome{ops: len(samples), elapsed: time.Since(start), samples: samples}, nil
}

// forEach runs op for seq = 0..n-1 from concurrency goroutines and stops at the
// first error.
func forEach(ctx context.Context, n, concurrency int, op func(ctx context.Context, seq int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	seqs := make(chan int)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for seq := range seqs {
				if err := op(ctx, seq); err != nil {
					cancel(fmt.Errorf("operation %d: %w", seq, err))
				}
			}
		})
	}
feed:
	for seq := range n {
		select {
		case seqs <- seq:
		case <-ctx.Done():
			break feed
		}
	}
	close(seqs)
	wg.Wait()
	return context.Cause(ctx)
}
