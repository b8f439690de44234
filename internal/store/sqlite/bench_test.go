package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/store"
)

// BenchmarkWriteTransitions measures the hot path: concurrent writers, each
// advancing its own run by one transition per op (a conditional update of a
// 300-byte state plus one 300-byte event batch). It reports transitions per
// second and the average number of transitions per commit.
func BenchmarkWriteTransitions(b *testing.B) {
	for _, mode := range []struct {
		name string
		path func(b *testing.B) string
		opts Options
	}{
		{"file-full", tempPath, Options{}},
		{"file-normal", tempPath, Options{Synchronous: "NORMAL"}},
		{"memory", func(*testing.B) string { return MemoryPath }, Options{}},
	} {
		for _, writers := range []int{1, 16, 256} {
			b.Run(fmt.Sprintf("%s/writers=%d", mode.name, writers), func(b *testing.B) {
				benchmarkWrites(b, mode.path(b), mode.opts, writers)
			})
		}
	}
}

func tempPath(b *testing.B) string { return filepath.Join(b.TempDir(), "bench.db") }

func benchmarkWrites(b *testing.B, path string, opts Options, writers int) {
	ctx := context.Background()
	s, err := Open(ctx, path, opts)
	if err != nil {
		b.Fatalf("opening: %v", err)
	}
	defer s.Close()
	blob := bytes.Repeat([]byte("x"), 300)

	runs := make([]*store.Execution, writers)
	for w := range runs {
		runs[w] = &store.Execution{
			NamespaceID: "bench", WorkflowID: fmt.Sprintf("wf-%d", w), RunID: fmt.Sprintf("run-%d", w),
			State: blob, WorkflowType: "Bench", TaskQueue: "bench", Status: 1,
			StartTime: time.Unix(1700000000, 0), HistoryLength: 1,
		}
		err := s.Write(ctx, &store.Transition{
			Executions: []store.ExecutionWrite{{Execution: runs[w]}},
			Events:     []store.EventBatch{{NamespaceID: "bench", RunID: runs[w].RunID, FirstEventID: 1, LastEventID: 1, Data: blob}},
		})
		if err != nil {
			b.Fatalf("starting run %d: %v", w, err)
		}
	}
	before := s.Stats()
	var remaining atomic.Int64
	remaining.Store(int64(b.N))
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := runs[w]
			for remaining.Add(-1) >= 0 {
				next := e.HistoryLength + 1
				e.HistoryLength = next
				err := s.Write(ctx, &store.Transition{
					Executions: []store.ExecutionWrite{{Execution: e, ExpectedVersion: e.Version}},
					Events:     []store.EventBatch{{NamespaceID: "bench", RunID: e.RunID, FirstEventID: next, LastEventID: next, Data: blob}},
				})
				if err != nil {
					b.Errorf("writer %d: %v", w, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	after := s.Stats()
	commits := after.Commits - before.Commits
	transitions := after.Transitions - before.Transitions
	b.ReportMetric(float64(transitions)/elapsed.Seconds(), "transitions/s")
	if commits > 0 {
		b.ReportMetric(float64(transitions)/float64(commits), "transitions/commit")
	}
}
