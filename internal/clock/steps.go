package clock

import (
	"sync"
	"time"
)

// StepWatcher notices a wall clock that is stepped (set forward or back by an
// operator, NTP or a VM restore) or a process that was frozen: every interval
// of real time it checks that the clock's wall time moved by about the same
// amount. Timers fire on elapsed (monotonic) time, so a wall time that moved
// much more or much less than the interval means a step.
type StepWatcher struct {
	clk       Clock
	interval  time.Duration
	threshold time.Duration
	onStep    func(step time.Duration)

	mu      sync.Mutex
	prev    time.Time
	timer   Timer
	stopped bool
}

// WatchSteps starts watching c: onStep is called, from a timer callback, with
// the size of each step larger than threshold (positive when the clock jumped
// ahead). Stop ends the watch.
func WatchSteps(c Clock, interval, threshold time.Duration, onStep func(step time.Duration)) *StepWatcher {
	w := &StepWatcher{clk: c, interval: interval, threshold: threshold, onStep: onStep}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.prev = c.Now().Round(0) // wall time only
	w.timer = c.AfterFunc(interval, w.check)
	return w
}

func (w *StepWatcher) check() {
	w.mu.Lock()
	if w.stopped {
		w.mu.Unlock()
		return
	}
	now := w.clk.Now().Round(0)
	step := now.Sub(w.prev) - w.interval
	w.prev = now
	w.timer = w.clk.AfterFunc(w.interval, w.check)
	w.mu.Unlock()
	if step > w.threshold || step < -w.threshold {
		w.onStep(step)
	}
}

// Stop ends the watch; no onStep call starts after it returns.
func (w *StepWatcher) Stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	if w.timer != nil {
		w.timer.Stop()
	}
}
