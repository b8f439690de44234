package clock

import "time"

// Housekeeper is a Clock that keeps housekeeping callbacks apart from the
// deadlines workflows wait on. Use AfterHousekeeping rather than calling it
// directly.
type Housekeeper interface {
	// AfterFuncHousekeeping schedules f as housekeeping, d from now.
	AfterFuncHousekeeping(d time.Duration, f func()) Timer
}

// AfterHousekeeping arranges for f to run once d has elapsed on c, as
// housekeeping: work that no workflow waits on and that no workflow caused,
// such as a retention sweep. On a clock that skips time, a housekeeping
// callback fires when the clock reaches its deadline (by wall time, or because
// a skip made for a workflow passed it) but is never a deadline the clock
// jumps to, so an idle test server does not leap ahead just to run it. A clock
// that does not implement Housekeeper schedules it as an ordinary callback.
func AfterHousekeeping(c Clock, d time.Duration, f func()) Timer {
	if h, ok := c.(Housekeeper); ok {
		return h.AfterFuncHousekeeping(d, f)
	}
	return c.AfterFunc(d, f)
}
