package clock

import (
	"sync"
	"testing"
	"time"
)

// steppableClock is a clock whose wall time the test sets and whose one
// armed timer the test fires, as a stepped system clock would look to a
// process whose timers run on elapsed time.
type steppableClock struct {
	mu   sync.Mutex
	now  time.Time
	fire func()
}

func (c *steppableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *steppableClock) AfterFunc(_ time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fire = f
	return stopper{}
}

type stopper struct{}

func (stopper) Stop() bool { return true }

// tick moves the wall time by wall while one interval really passed, and
// fires the watcher's timer.
func (c *steppableClock) tick(wall time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(wall)
	f := c.fire
	c.mu.Unlock()
	f()
}

func TestStepWatcherReportsWallClockSteps(t *testing.T) {
	c := &steppableClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var steps []time.Duration
	w := WatchSteps(c, 10*time.Second, time.Minute, func(d time.Duration) { steps = append(steps, d) })
	defer w.Stop()

	c.tick(10 * time.Second)               // on time
	c.tick(10*time.Second + 5*time.Second) // a late timer on a loaded machine: not a step
	c.tick(10*time.Second + 96*time.Hour)  // set four days ahead
	c.tick(10*time.Second - 2*time.Hour)   // set two hours back
	if len(steps) != 2 || steps[0] != 96*time.Hour || steps[1] != -2*time.Hour {
		t.Fatalf("steps = %v, want [96h -2h]", steps)
	}
	w.Stop()
	c.tick(96 * time.Hour)
	if len(steps) != 2 {
		t.Errorf("a step after Stop was reported: %v", steps)
	}
}
