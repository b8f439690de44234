// Package cron reads the cron schedules of workflows and tells when the next
// run of one starts, as Temporal's server does: schedules are parsed by
// github.com/robfig/cron/v3's standard parser, so they take five fields
// (minute, hour, day of month, month, day of week), the descriptors @yearly,
// @annually, @monthly, @weekly, @daily, @midnight and @hourly, "@every
// <duration>" (under a second counts as a second), and a leading
// "CRON_TZ=<zone>" or "TZ=<zone>"; without one a schedule is read in UTC.
package cron

import (
	"errors"
	"time"

	robfig "github.com/robfig/cron/v3"
)

// ErrInvalid is returned for a schedule the parser refuses. Its text is
// Temporal's, period included, because clients match on it.
//
//lint:ignore ST1005 Temporal's exact error text
var ErrInvalid = errors.New("invalid CronSchedule.")

// ErrNeverFires is returned for a schedule no time satisfies, such as
// February 30th.
var ErrNeverFires = errors.New("invalid CronSchedule, no time can be found to satisfy the schedule")

// Schedule is a parsed cron schedule.
type Schedule struct {
	sched robfig.Schedule
}

// Parse parses spec with the standard parser.
func Parse(spec string) (Schedule, error) {
	sched, err := robfig.ParseStandard(spec)
	if err != nil {
		return Schedule{}, ErrInvalid
	}
	return Schedule{sched: sched}, nil
}

// Validate reports whether spec parses and fires at least once after now.
func Validate(spec string, now time.Time) error {
	s, err := Parse(spec)
	if err != nil {
		return err
	}
	if s.Next(now).IsZero() {
		return ErrNeverFires
	}
	return nil
}

// Next returns the first firing time after t (at whole-second resolution), or
// the zero time if none comes within five years. t is read in UTC unless the
// schedule names a zone.
func (s Schedule) Next(t time.Time) time.Time {
	return s.sched.Next(t.UTC())
}

// NextRun returns when the run that follows one scheduled for scheduled starts,
// at now: the schedule's first firing time after scheduled that is not before
// now, or scheduled itself while now has not reached it. Anchoring on the
// scheduled time is what makes "@every 1h" fire an hour after the previous run
// was due, not on the hour. A zero scheduled counts as now. The zero time
// means the schedule never fires again.
func (s Schedule) NextRun(scheduled, now time.Time) time.Time {
	if scheduled.IsZero() {
		scheduled = now
	}
	scheduled, now = scheduled.UTC(), now.UTC()
	if now.Before(scheduled) {
		return scheduled
	}
	if every, ok := s.sched.(robfig.ConstantDelaySchedule); ok {
		return skipMissed(every.Next(scheduled), now, every.Delay)
	}
	// A calendar schedule's firing times do not depend on where the count
	// starts, so the first one not before now is found directly rather than
	// by stepping over every firing missed since scheduled.
	from := scheduled
	if justBefore := now.Add(-time.Nanosecond); justBefore.After(scheduled) {
		from = justBefore
	}
	next := s.Next(from)
	for !next.IsZero() && next.Before(now) {
		next = s.Next(next)
	}
	return next
}

// skipMissed moves next, a firing time of a schedule that fires every delay,
// forward by whole periods to the first one not before now.
func skipMissed(next, now time.Time, delay time.Duration) time.Time {
	if !next.Before(now) || delay <= 0 {
		return next
	}
	missed := (now.Sub(next) + delay - 1) / delay
	return next.Add(missed * delay)
}

// Backoff is how long after now the run following one scheduled for scheduled
// starts, rounded up to a whole second as Temporal rounds it. It returns
// ErrInvalid or ErrNeverFires if there is no such run.
func Backoff(spec string, scheduled, now time.Time) (time.Duration, error) {
	s, err := Parse(spec)
	if err != nil {
		return 0, err
	}
	next := s.NextRun(scheduled, now)
	if next.IsZero() {
		return 0, ErrNeverFires
	}
	wait := next.Sub(now)
	if rem := wait % time.Second; rem > 0 {
		wait += time.Second - rem
	}
	return max(wait, 0), nil
}
