package timeskip

import "github.com/sundialdev/sundial/internal/clock"

// EngineClock is the clock to give the engine as its workflow clock: the
// skipping clock. The engine keeps network timing (long polls, rate limits) on
// its separate wall clock, so idle pollers never become deadlines to jump to.
func (c *Controller) EngineClock() clock.Clock {
	return c.clk
}
