package spec

import (
	"errors"
	"fmt"
	"strings"
	"time"

	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/api/serviceerror"
)

// Limits on the size of a spec. Temporal has none of its own besides the
// size of a request; these keep the work of one Next call bounded.
const (
	// MaxEntries bounds calendars, structured calendars, cron strings and
	// intervals together.
	MaxEntries = 200
	// MaxExclusions bounds exclusion calendars of both forms together.
	MaxExclusions = 200
	// MaxRangesPerField bounds the ranges of one field of one calendar.
	MaxRangesPerField = 1000
	// maxCommentLength is Temporal's limit on a calendar's comment.
	maxCommentLength = 200
)

// InvalidError says why a spec was refused. Its text is the one Temporal's
// frontend answers with InvalidArgument: "Invalid schedule spec: <reason>".
// It wraps a *serviceerror.InvalidArgument with that text, so an RPC handler
// that returns it answers InvalidArgument.
type InvalidError struct {
	Reason string
	status error // a *serviceerror.InvalidArgument
}

func (e *InvalidError) Error() string { return "Invalid schedule spec: " + e.Reason }

// Unwrap returns the InvalidArgument service error with the same text.
func (e *InvalidError) Unwrap() error { return e.status }

func invalid(err error) error {
	e := &InvalidError{Reason: err.Error()}
	e.status = serviceerror.NewInvalidArgument(e.Error())
	return e
}

// checkSizes refuses specs with more entries than the limits allow.
func checkSizes(s *schedulepb.ScheduleSpec) error {
	entries := len(s.GetCalendar()) + len(s.GetStructuredCalendar()) + len(s.GetCronString()) + len(s.GetInterval())
	if entries > MaxEntries {
		return fmt.Errorf("too many calendars, cron strings and intervals: %d, at most %d are allowed", entries, MaxEntries)
	}
	if n := len(s.GetExcludeCalendar()) + len(s.GetExcludeStructuredCalendar()); n > MaxExclusions {
		return fmt.Errorf("too many exclusion calendars: %d, at most %d are allowed", n, MaxExclusions)
	}
	return nil
}

// checkTimes refuses durations and timestamps that are not finite protobuf
// values. Intervals are checked as given, before cron strings add theirs.
func checkTimes(s *schedulepb.ScheduleSpec) error {
	for _, iv := range s.GetInterval() {
		if d := iv.GetInterval(); d != nil {
			if err := d.CheckValid(); err != nil {
				return fmt.Errorf("interval is not a valid duration: %w", err)
			}
		}
		if d := iv.GetPhase(); d != nil {
			if err := d.CheckValid(); err != nil {
				return fmt.Errorf("phase is not a valid duration: %w", err)
			}
		}
	}
	if d := s.GetJitter(); d != nil {
		if err := d.CheckValid(); err != nil {
			return fmt.Errorf("jitter is not a valid duration: %w", err)
		}
	}
	if t := s.GetStartTime(); t != nil {
		if err := t.CheckValid(); err != nil {
			return fmt.Errorf("start time is not a valid timestamp: %w", err)
		}
	}
	if t := s.GetEndTime(); t != nil {
		if err := t.CheckValid(); err != nil {
			return fmt.Errorf("end time is not a valid timestamp: %w", err)
		}
	}
	return nil
}

// checkInterval refuses intervals under a second and phases outside
// [0, interval), with Temporal's texts.
func checkInterval(iv *schedulepb.IntervalSpec) error {
	if iv == nil {
		return errors.New("interval is nil")
	}
	every, phase := iv.GetInterval().AsDuration(), iv.GetPhase().AsDuration()
	switch {
	case every < time.Second:
		return errors.New("interval is too small")
	case phase < 0:
		return errors.New("phase is negative")
	case phase >= every:
		return errors.New("phase cannot be greater than Interval")
	}
	return nil
}

// checkCalendar refuses values outside each field's range, negative steps
// and long comments, listing every problem as Temporal does.
func checkCalendar(c *schedulepb.StructuredCalendarSpec) error {
	if c == nil {
		return errors.New("invalid calendar spec: calendar is nil")
	}
	var problems []string
	check := func(ranges []*schedulepb.Range, field string, lo, hi int32) {
		if len(ranges) > MaxRangesPerField {
			problems = append(problems, fmt.Sprintf("%s has more than %d ranges", field, MaxRangesPerField))
			return
		}
		for _, r := range ranges {
			if r == nil {
				problems = append(problems, "range is nil")
				continue
			}
			if r.Start < lo || r.Start > hi {
				problems = append(problems, fmt.Sprintf("%s Start is not in range [%d-%d]", field, lo, hi))
			}
			if r.End != 0 && (r.End < r.Start || r.End > hi) {
				problems = append(problems, fmt.Sprintf("%s End is before Start or not in range [%d-%d]", field, lo, hi))
			}
			if r.Step < 0 {
				problems = append(problems, fmt.Sprintf("%s has invalid Step", field))
			}
		}
	}
	check(c.Second, "Second", 0, 59)
	check(c.Minute, "Minute", 0, 59)
	check(c.Hour, "Hour", 0, 23)
	check(c.DayOfMonth, "DayOfMonth", 1, 31)
	check(c.Month, "Month", 1, 12)
	check(c.Year, "Year", minCalendarYear, maxCalendarYear)
	check(c.DayOfWeek, "DayOfWeek", 0, 6)
	if len(c.Comment) > maxCommentLength {
		problems = append(problems, "comment is too long")
	}
	if len(problems) > 0 {
		return errors.New("invalid calendar spec: " + strings.Join(problems, ", "))
	}
	return nil
}
