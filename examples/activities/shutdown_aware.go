package activities

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sundialdev/sundial/activity"
)

// PartialResults stores the results an interrupted activity saved.
type PartialResults struct {
	mu    sync.Mutex
	saved [][]string
}

// Save keeps a copy of results.
func (p *PartialResults) Save(_ context.Context, results []string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.saved = append(p.saved, append([]string(nil), results...))
	return nil
}

// Saved returns every saved batch.
func (p *PartialResults) Saved() [][]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]string(nil), p.saved...)
}

// ShutdownAware processes items until its worker begins to stop; then it saves what it
// has and fails, so that the activity is retried (on another worker) instead of being
// cut off when the graceful shutdown timeout runs out.
type ShutdownAware struct {
	Partial *PartialResults
	// ItemDuration is how long one item takes.
	ItemDuration time.Duration
}

// ShutdownAwareActivity checks IsWorkerShutdown before each item.
func (s *ShutdownAware) ShutdownAwareActivity(ctx context.Context, data []string) ([]string, error) {
	var results []string
	for _, item := range data {
		if activity.IsWorkerShutdown(ctx) {
			if err := s.Partial.Save(activity.WithoutCancel(ctx), results); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("worker shutting down, partial results saved (%d items)", len(results))
		}
		select {
		case <-time.After(s.ItemDuration):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		results = append(results, strings.ToUpper(item))
	}
	return results, nil
}

// GracefulShutdownActivity waits up to a tenth of a second for the worker's shutdown
// after each item (the Python SDK's wait_for_worker_shutdown_sync) instead of polling.
func (s *ShutdownAware) GracefulShutdownActivity(ctx context.Context, workItems []string) ([]string, error) {
	var results []string
	for _, item := range workItems {
		results = append(results, strings.ToUpper(item))
		if activity.WaitForWorkerShutdown(ctx, 100*time.Millisecond) {
			if err := s.Partial.Save(activity.WithoutCancel(ctx), results); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("worker shutdown, saved %d results", len(results))
		}
	}
	return results, nil
}
