package matching

import (
	"context"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/clock"
)

// BenchmarkAddPollSerial is one Add and one Poll that takes the task from the
// backlog, on one goroutine: the dispatch path without contention, for
// measuring what it costs on a queue without rate limits or config.
func BenchmarkAddPollSerial(b *testing.B) {
	m := New[int](clock.Real(), Options{})
	defer m.Close()
	ctx := context.Background()
	for b.Loop() {
		m.Add(wfQueue, 1)
		if _, ok := m.Poll(ctx, wfQueue, PollerInfo{Identity: "bench"}, time.Second); !ok {
			b.Fatal("poll missed")
		}
	}
}

// BenchmarkAddPollSerialWorkerRate is BenchmarkAddPollSerial on a queue with
// a worker's rate limit too fast ever to hold a task back, so what shows is
// the limiter's own cost.
func BenchmarkAddPollSerialWorkerRate(b *testing.B) {
	m := New[int](clock.Real(), Options{})
	defer m.Close()
	ctx := context.Background()
	p := PollerInfo{Identity: "bench", MaxTasksPerSecond: MaxTasksPerSecond}
	for b.Loop() {
		m.Add(actQueue, 1)
		if _, ok := m.Poll(ctx, actQueue, p, time.Second); !ok {
			b.Fatal("poll missed")
		}
	}
}
