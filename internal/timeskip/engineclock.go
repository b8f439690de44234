package timeskip

import (
	"runtime"
	"strings"
	"time"

	"github.com/sundialdev/sundial/internal/clock"
)

// DefaultWallCallers are the packages whose clock callbacks run on wall time.
//
// The engine's task matching arms a callback on the engine clock for every
// parked long poll, to end it when its window closes. That window is network
// time, bounded by the caller's gRPC deadline; were it a deadline on the
// skipping clock, every idle moment would jump to the next poll's expiry instead
// of the next timer, and a month-long sleep would take tens of thousands of
// jumps. Until matching takes a separate wall clock (see the package's report),
// EngineClock recognises its calls by the caller's package.
var DefaultWallCallers = []string{"github.com/sundialdev/sundial/internal/matching."}

// EngineClock is the clock to give the engine: it tells the skipping clock's
// time, and schedules callbacks on it, except those scheduled from the packages
// in Options.WallCallers, which wait on the wall clock and are never jumped to.
func (c *Controller) EngineClock() clock.Clock {
	return engineClock{skip: c.clk, wall: c.wall, wallCallers: c.wallCallers}
}

type engineClock struct {
	skip        *clock.Skipping
	wall        clock.Clock
	wallCallers []string
}

func (e engineClock) Now() time.Time { return e.skip.Now() }

func (e engineClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	if e.calledFromWallCaller() {
		return e.wall.AfterFunc(d, f)
	}
	return e.skip.AfterFunc(d, f)
}

// calledFromWallCaller reports whether AfterFunc's caller belongs to one of the
// wall-time packages.
func (e engineClock) calledFromWallCaller() bool {
	if len(e.wallCallers) == 0 {
		return false
	}
	var pcs [1]uintptr
	// Skip runtime.Callers, this function and AfterFunc.
	if runtime.Callers(3, pcs[:]) == 0 {
		return false
	}
	frame, _ := runtime.CallersFrames(pcs[:]).Next()
	for _, prefix := range e.wallCallers {
		if strings.HasPrefix(frame.Function, prefix) {
			return true
		}
	}
	return false
}
