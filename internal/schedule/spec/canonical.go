package spec

import (
	"errors"

	schedulepb "go.temporal.io/api/schedule/v1"
	"google.golang.org/protobuf/proto"
)

var errConflictingZones = errors.New("conflicting timezone names")

// Canonical returns the spec as DescribeSchedule shows it: legacy calendars
// and cron strings parsed into structured calendars ("@every" cron strings
// into intervals), a cron string's zone moved to timezone_name, and every
// range written out in full (an end before the start becomes the start, a
// step of 0 becomes 1). It validates the spec as Compile does.
func Canonical(s *schedulepb.ScheduleSpec) (*schedulepb.ScheduleSpec, error) {
	compiled, err := Compile(s, "")
	if err != nil {
		return nil, err
	}
	return compiled.Canonical(), nil
}

// Canonical returns the canonical form of the compiled spec; see the
// package-level Canonical. The result is a copy the caller may change.
func (s *Spec) Canonical() *schedulepb.ScheduleSpec {
	out := proto.Clone(s.canonical).(*schedulepb.ScheduleSpec)
	for _, c := range out.StructuredCalendar {
		fillRangeDefaults(c)
	}
	for _, c := range out.ExcludeStructuredCalendar {
		fillRangeDefaults(c)
	}
	return out
}

// fillRangeDefaults writes out the defaults of every range of a calendar.
func fillRangeDefaults(c *schedulepb.StructuredCalendarSpec) {
	for _, field := range [][]*schedulepb.Range{c.Second, c.Minute, c.Hour, c.DayOfMonth, c.Month, c.Year, c.DayOfWeek} {
		for _, r := range field {
			if r.End < r.Start {
				r.End = r.Start
			}
			if r.Step == 0 {
				r.Step = 1
			}
		}
	}
}

// canonicalize returns a copy of s with legacy calendars, legacy exclusions
// and cron strings turned into structured calendars and intervals, and the
// cron strings' zone moved into timezone_name. Ranges keep their short form.
func canonicalize(s *schedulepb.ScheduleSpec) (*schedulepb.ScheduleSpec, error) {
	out := proto.Clone(s).(*schedulepb.ScheduleSpec)
	for _, c := range out.Calendar {
		structured, err := legacyToStructured(c)
		if err != nil {
			return nil, err
		}
		out.StructuredCalendar = append(out.StructuredCalendar, structured)
	}
	out.Calendar = nil
	for _, c := range out.ExcludeCalendar {
		structured, err := legacyToStructured(c)
		if err != nil {
			return nil, err
		}
		out.ExcludeStructuredCalendar = append(out.ExcludeStructuredCalendar, structured)
	}
	out.ExcludeCalendar = nil

	cronZone, anyCron := "", false
	for _, text := range out.CronString {
		parsed, err := parseCron(text)
		if err != nil {
			return nil, err
		}
		// Every cron string must name the same zone, or none.
		if anyCron && parsed.zone != cronZone {
			return nil, errConflictingZones
		}
		cronZone, anyCron = parsed.zone, true
		if parsed.calendar != nil {
			out.StructuredCalendar = append(out.StructuredCalendar, parsed.calendar)
		}
		if parsed.interval != nil {
			out.Interval = append(out.Interval, parsed.interval)
		}
	}
	out.CronString = nil
	if cronZone != "" {
		if out.TimezoneData != nil || out.TimezoneName != "" && out.TimezoneName != cronZone {
			return nil, errConflictingZones
		}
		out.TimezoneName = cronZone
	}
	return out, nil
}
