package timeskip

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sundialdev/sundial/internal/clock"
)

// DefaultSettle is how long the engine must stay idle before the clock jumps.
//
// Some engine work is not yet counted as outstanding when it starts: a deadline
// the clock has just fired is handed to the engine's timer workers, which then
// commit the transition (a timer fired, a retry due) and only then count the new
// task; work that crosses runs (starting a child) is queued the same way. Jumping
// again in that window would run the second deadline before the first one's work.
// The settle window is that margin; any change in it restarts it.
const DefaultSettle = 20 * time.Millisecond

// ErrNotLocked is returned when UnlockTimeSkipping is called with no lock held.
var ErrNotLocked = errors.New("time skipping is not locked: unlock without a matching lock")

// ErrStopped is returned by waits cut short because the controller stopped.
var ErrStopped = errors.New("time skipping controller stopped")

// Options configure a Controller.
type Options struct {
	// Start is the clock's time at creation. Zero means the wall time then.
	Start time.Time
	// Locks is the lock counter's initial value. Temporal's SDK test harnesses
	// expect 1: they unlock while waiting for a result and lock again after.
	// With 0 time skips whenever the engine is idle.
	Locks int
	// Settle is how long the engine must stay idle before a jump; zero means
	// DefaultSettle, a negative value none.
	Settle time.Duration
}

// Controller decides when the clock skips. Create it with New, hand EngineClock
// and Poke to the engine, then Start it with the engine's outstanding count.
type Controller struct {
	clk    *clock.Skipping
	wall   clock.Clock
	settle time.Duration

	mu    sync.Mutex
	locks int
	holds int

	// wake has room for one pending poke: a change worth another look.
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	started bool
	stopMu  sync.Once
}

// New returns a controller over a new skipping clock. It does not skip until
// Start.
func New(opts Options) *Controller {
	start := opts.Start
	if start.IsZero() {
		start = clock.Real().Now()
	}
	settle := opts.Settle
	switch {
	case settle == 0:
		settle = DefaultSettle
	case settle < 0:
		settle = 0
	}
	return &Controller{
		clk:    clock.NewSkipping(start),
		wall:   clock.Real(),
		settle: settle,
		locks:  max(opts.Locks, 0),
		wake:   make(chan struct{}, 1),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
}

// Clock is the skipping clock itself.
func (c *Controller) Clock() *clock.Skipping { return c.clk }

// Now is the clock's current time.
func (c *Controller) Now() time.Time { return c.clk.Now() }

// Start launches the goroutine that skips time, reading the engine's count of
// outstanding work through outstanding. Call it once; Stop ends it.
func (c *Controller) Start(outstanding func() int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		return
	}
	c.started = true
	go c.run(outstanding)
}

// Stop ends the skipping goroutine and waits for it, makes waits in progress
// return ErrStopped, and disarms the clock. It is idempotent.
func (c *Controller) Stop() {
	c.stopMu.Do(func() { close(c.stop) })
	c.mu.Lock()
	started := c.started
	c.mu.Unlock()
	if started {
		<-c.done
	}
	c.clk.Close()
}

// Poke asks the controller to look again; the engine calls it whenever its
// outstanding count changes. It never blocks.
func (c *Controller) Poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Lock raises the lock counter: time flows with the wall clock while it is
// above zero.
func (c *Controller) Lock() {
	c.mu.Lock()
	c.locks++
	c.mu.Unlock()
	c.Poke()
}

// Unlock lowers the lock counter, or returns ErrNotLocked if it is zero.
func (c *Controller) Unlock() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.unlockLocked(); err != nil {
		return err
	}
	c.Poke()
	return nil
}

func (c *Controller) unlockLocked() error {
	if c.locks == 0 {
		return ErrNotLocked
	}
	c.locks--
	return nil
}

// Locks reports the lock counter.
func (c *Controller) Locks() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.locks
}

// Hold keeps time from skipping until release is called, independently of the
// lock counter. The server holds it around each state-changing RPC, so that a
// request being applied is never overtaken by a jump.
func (c *Controller) Hold() (release func()) {
	c.mu.Lock()
	c.holds++
	c.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			c.holds--
			c.mu.Unlock()
			c.Poke()
		})
	}
}

// Sleep returns once the clock has advanced by d, whether by skipping or by
// wall time; it does not touch the lock counter.
func (c *Controller) Sleep(ctx context.Context, d time.Duration) error {
	reached := make(chan struct{})
	t := c.clk.AfterFunc(d, func() { close(reached) })
	err := c.await(ctx, reached, "sleeping")
	if err != nil {
		t.Stop()
	}
	return err
}

// SleepUntil returns once the clock has reached t; at once if it already has.
func (c *Controller) SleepUntil(ctx context.Context, t time.Time) error {
	return c.Sleep(ctx, t.Sub(c.clk.Now()))
}

// UnlockWithSleep lowers the lock counter, waits until the clock has advanced by
// d, and raises it again, as Temporal's UnlockTimeSkippingWithSleep does: the
// re-lock happens at the deadline itself, so time stops skipping right there.
// It returns ErrNotLocked, without waiting, if the counter is zero. If ctx ends
// first the counter is restored and ctx's error returned.
func (c *Controller) UnlockWithSleep(ctx context.Context, d time.Duration) error {
	reached := make(chan struct{})
	c.mu.Lock()
	if c.locks == 0 {
		c.mu.Unlock()
		return ErrNotLocked
	}
	// Armed before unlocking, so that no jump can pass the deadline unseen.
	t := c.clk.AfterFunc(d, func() {
		c.Lock()
		close(reached)
	})
	c.locks--
	c.mu.Unlock()
	c.Poke()
	err := c.await(ctx, reached, "sleeping unlocked")
	if err != nil && t.Stop() {
		c.Lock()
	}
	return err
}

// await waits for reached, or until ctx ends or the controller stops.
func (c *Controller) await(ctx context.Context, reached <-chan struct{}, doing string) error {
	select {
	case <-reached:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", doing, ctx.Err())
	case <-c.stop:
		return fmt.Errorf("%s: %w", doing, ErrStopped)
	}
}

// run jumps the clock whenever the engine is idle and unlocked, until Stop.
func (c *Controller) run(outstanding func() int64) {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		default:
		}
		changed := c.clk.Changed()
		target, ok := c.skipTarget(outstanding)
		if !ok {
			select {
			case <-c.stop:
				return
			case <-c.wake:
			case <-changed:
			}
			continue
		}
		if c.settle > 0 {
			if !c.settled(changed) {
				continue
			}
			if target, ok = c.skipTarget(outstanding); !ok {
				continue
			}
		}
		c.clk.SkipTo(target)
	}
}

// settled waits one settle window of wall time and reports whether it passed
// with no poke and no change to the clock's pending callbacks.
func (c *Controller) settled(changed <-chan struct{}) bool {
	quiet := make(chan struct{})
	t := c.wall.AfterFunc(c.settle, func() { close(quiet) })
	defer t.Stop()
	select {
	case <-quiet:
		return true
	case <-c.stop:
	case <-c.wake:
	case <-changed:
	}
	return false
}

// skipTarget reports the deadline to jump to, if time may skip now: nothing
// locks it, no state-changing RPC is in progress, the engine has no outstanding
// work and some callback is pending.
func (c *Controller) skipTarget(outstanding func() int64) (time.Time, bool) {
	c.mu.Lock()
	free := c.locks == 0 && c.holds == 0
	c.mu.Unlock()
	if !free || outstanding() != 0 {
		return time.Time{}, false
	}
	return c.clk.NextDeadline()
}
