package workflowrt

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/clock"
)

func TestSchedulerRunsCoroutinesInCreationOrderUntilBlocked(t *testing.T) {
	s := newScheduler()
	defer s.close()
	var log []string
	gate := false
	s.spawn("a", func() {
		log = append(log, "a1")
		s.spawn("c", func() { log = append(log, "c1") })
		s.block("gate", func() bool { return gate })
		log = append(log, "a2")
	})
	s.spawn("b", func() {
		log = append(log, "b1")
		gate = true
	})
	if err := s.runUntilBlocked(); err != nil {
		t.Fatal(err)
	}
	want := "a1 b1 c1 a2"
	if got := strings.Join(log, " "); got != want {
		t.Fatalf("order = %q, want %q", got, want)
	}
	if len(s.coroutines) != 0 {
		t.Fatalf("%d coroutines left, want none", len(s.coroutines))
	}
}

func TestSchedulerReportsPanicsWithStack(t *testing.T) {
	s := newScheduler()
	defer s.close()
	s.spawn("bad", func() { panic("kaboom") })
	err := s.runUntilBlocked()
	var p *workflowPanic
	if !errors.As(err, &p) || p.value != "kaboom" || !strings.Contains(p.stack, "scheduler_test.go") {
		t.Fatalf("err = %v, want the panic with a stack pointing at the test", err)
	}
}

func TestSchedulerCloseUnwindsBlockedCoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	s := newScheduler()
	deferred := 0
	for range 3 {
		s.spawn("", func() {
			defer func() {
				deferred++
				// Blocking again while unwinding must not hang.
				s.block("in defer", func() bool { return false })
			}()
			s.block("forever", func() bool { return false })
		})
	}
	s.spawn("never started", func() { t.Error("a coroutine that never ran was started by close") })
	s.coroutines[3].waitFor = func() bool { return false }
	if err := s.runUntilBlocked(); err != nil {
		t.Fatal(err)
	}
	s.close()
	if deferred != 3 {
		t.Fatalf("deferred calls ran %d times, want 3", deferred)
	}
	for range 100 {
		if runtime.NumGoroutine() <= before {
			return
		}
		runtime.Gosched()
	}
	t.Fatalf("goroutines: %d before, %d after close", before, runtime.NumGoroutine())
}

func TestSchedulerStopsBusyLoops(t *testing.T) {
	s := newScheduler()
	s.maxResumes = 1000
	defer s.close()
	flag := false
	s.spawn("ping", func() {
		for {
			s.block("ping", func() bool { return flag })
			flag = false
		}
	})
	s.spawn("pong", func() {
		for {
			s.block("pong", func() bool { return !flag })
			flag = true
		}
	})
	if err := s.runUntilBlocked(); err == nil || !strings.Contains(err.Error(), "busy loop") {
		t.Fatalf("err = %v, want the busy loop reported", err)
	}
}

func TestSchedulerDetectsCoroutinesThatNeverBlock(t *testing.T) {
	s := newScheduler()
	s.clock, s.deadlockTimeout = clock.Real(), 50*time.Millisecond
	release := make(chan struct{})
	s.spawn("stuck", func() { <-release })
	err := s.runUntilBlocked()
	var p *workflowPanic
	if !errors.As(err, &p) || !strings.Contains(err.Error(), "potential deadlock") || !strings.Contains(err.Error(), `"stuck"`) {
		t.Fatalf("err = %v, want a potential deadlock naming the coroutine", err)
	}
	s.close() // must not hang while the coroutine still runs
	close(release)
}
