// Package clock is the engine's only source of time. Every component that needs the
// current time or needs to wait reads it from a Clock, so that tests and the
// time-skipping test server can substitute a virtual clock.
package clock

import "time"

// Clock tells the time and schedules callbacks.
type Clock interface {
	// Now returns the current time on this clock.
	Now() time.Time
	// AfterFunc arranges for f to run in its own goroutine once d has elapsed on this
	// clock. The returned Timer can stop it.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc callback.
type Timer interface {
	// Stop prevents the callback from running. It reports whether the call stopped it,
	// false if it already ran or was stopped.
	Stop() bool
}

// Real returns the wall clock.
func Real() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// AfterFuncHousekeeping is AfterFunc: the wall clock never skips.
func (realClock) AfterFuncHousekeeping(d time.Duration, f func()) Timer {
	return time.AfterFunc(d, f)
}
