package postgres

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/store"
)

// BenchmarkWriteTransitions measures the hot path: concurrent writers, each
// advancing its own run by one transition per op (a state-only conditional
// update of a 300-byte state plus one 300-byte event batch). It compares
// group commit (the default) with one Write per transaction, on one
// connection and on sixteen. It reports transitions per second and the
// average number of transitions per commit.
func BenchmarkWriteTransitions(b *testing.B) {
	for _, mode := range []struct {
		name string
		opts Options
	}{
		{"group", Options{}},
		{"group-1committer", Options{Committers: 1}},
		{"group-4committers", Options{Committers: 4}},
		{"one-by-one", Options{MaxBatch: 1, Committers: 1}},
		{"one-by-one-16conns", Options{MaxBatch: 1, Committers: 16}},
	} {
		for _, writers := range []int{1, 16, 256} {
			b.Run(fmt.Sprintf("%s/writers=%d", mode.name, writers), func(b *testing.B) {
				s, _ := openFresh(b, mode.opts)
				benchmarkWrites(b, s, writers)
			})
		}
	}
}

func benchmarkWrites(b *testing.B, s *Store, writers int) {
	ctx := context.Background()
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
					Executions: []store.ExecutionWrite{{Execution: e, ExpectedVersion: e.Version, StateOnly: true}},
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
