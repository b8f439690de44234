// Package cron parses the cron schedules Temporal accepts on workflows and
// computes their next firing time.
//
// A schedule is five space-separated fields — minute (0-59), hour (0-23), day
// of month (1-31), month (1-12 or JAN-DEC) and day of week (0-6 or SUN-SAT, 7
// is also Sunday) — each a list of values, ranges (a-b) and steps (*/n, a-b/n),
// or one of the descriptors @yearly, @annually, @monthly, @weekly, @daily,
// @midnight, @hourly, or "@every <duration>". A leading "CRON_TZ=<zone> " or
// "TZ=<zone> " evaluates the schedule in that time zone (UTC otherwise). As in
// classic cron, when both day fields are restricted a day matches if either
// does.
package cron

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule is a parsed cron schedule.
type Schedule struct {
	every                         time.Duration // @every; the fields are unused
	minute, hour, dom, month, dow uint64        // bit sets
	domStar, dowStar              bool
	loc                           *time.Location
}

type field struct {
	min, max int
	names    map[string]int
}

var (
	minuteField = field{0, 59, nil}
	hourField   = field{0, 23, nil}
	domField    = field{1, 31, nil}
	monthField  = field{1, 12, map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}}
	dowField    = field{0, 7, map[string]int{"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}}
)

var descriptors = map[string]string{
	"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
	"@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}

// Parse parses a schedule.
func Parse(spec string) (*Schedule, error) {
	s := &Schedule{loc: time.UTC}
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=") {
		zone, rest, _ := strings.Cut(spec, " ")
		_, name, _ := strings.Cut(zone, "=")
		loc, err := time.LoadLocation(name)
		if err != nil {
			return nil, fmt.Errorf("cron schedule %q: unknown time zone %q", spec, name)
		}
		s.loc = loc
		spec = strings.TrimSpace(rest)
	}
	if rest, ok := strings.CutPrefix(spec, "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil || d < time.Second {
			return nil, fmt.Errorf("cron schedule %q: @every needs a duration of at least 1s", spec)
		}
		s.every = d
		return s, nil
	}
	if d, ok := descriptors[spec]; ok {
		spec = d
	}
	parts := strings.Fields(spec)
	if len(parts) != 5 {
		return nil, fmt.Errorf("cron schedule %q: want 5 fields (minute hour day-of-month month day-of-week), got %d", spec, len(parts))
	}
	var err error
	if s.minute, err = minuteField.parse(parts[0]); err != nil {
		return nil, fmt.Errorf("cron schedule %q: minute: %w", spec, err)
	}
	if s.hour, err = hourField.parse(parts[1]); err != nil {
		return nil, fmt.Errorf("cron schedule %q: hour: %w", spec, err)
	}
	if s.dom, err = domField.parse(parts[2]); err != nil {
		return nil, fmt.Errorf("cron schedule %q: day of month: %w", spec, err)
	}
	if s.month, err = monthField.parse(parts[3]); err != nil {
		return nil, fmt.Errorf("cron schedule %q: month: %w", spec, err)
	}
	if s.dow, err = dowField.parse(parts[4]); err != nil {
		return nil, fmt.Errorf("cron schedule %q: day of week: %w", spec, err)
	}
	if s.dow&(1<<7) != 0 {
		s.dow |= 1 // 7 is Sunday too
	}
	s.domStar = parts[2] == "*" || parts[2] == "?"
	s.dowStar = parts[4] == "*" || parts[4] == "?"
	return s, nil
}

// parse turns one field into a bit set of allowed values.
func (f field) parse(text string) (uint64, error) {
	var bits uint64
	for _, item := range strings.Split(text, ",") {
		rangeText, stepText, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n <= 0 {
				return 0, fmt.Errorf("bad step %q", stepText)
			}
			step = n
		}
		lo, hi := f.min, f.max
		switch {
		case rangeText == "*" || rangeText == "?":
		default:
			a, b, isRange := strings.Cut(rangeText, "-")
			var err error
			if lo, err = f.value(a); err != nil {
				return 0, err
			}
			hi = lo
			if isRange {
				if hi, err = f.value(b); err != nil {
					return 0, err
				}
			} else if hasStep {
				hi = f.max
			}
			if hi < lo {
				return 0, fmt.Errorf("range %q runs backwards", rangeText)
			}
		}
		for v := lo; v <= hi; v += step {
			bits |= 1 << uint(v)
		}
	}
	return bits, nil
}

func (f field) value(text string) (int, error) {
	if v, ok := f.names[strings.ToUpper(text)]; ok {
		return v, nil
	}
	v, err := strconv.Atoi(text)
	if err != nil {
		return 0, fmt.Errorf("bad value %q", text)
	}
	if v < f.min || v > f.max {
		return 0, fmt.Errorf("value %d out of range %d-%d", v, f.min, f.max)
	}
	return v, nil
}

// Next returns the first firing time strictly after t, or the zero time if the
// schedule never fires again within five years.
func (s *Schedule) Next(t time.Time) time.Time {
	if s.every > 0 {
		return t.Truncate(time.Second).Add(s.every - time.Duration(t.Unix()%int64(s.every/time.Second))*time.Second)
	}
	local := t.In(s.loc)
	cur := time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), 0, 0, s.loc).Add(time.Minute)
	limit := cur.AddDate(5, 0, 0)
	for cur.Before(limit) {
		if s.month&(1<<uint(cur.Month())) == 0 {
			cur = time.Date(cur.Year(), cur.Month()+1, 1, 0, 0, 0, 0, s.loc)
			continue
		}
		if !s.dayMatches(cur) {
			cur = time.Date(cur.Year(), cur.Month(), cur.Day()+1, 0, 0, 0, 0, s.loc)
			continue
		}
		if s.hour&(1<<uint(cur.Hour())) == 0 {
			cur = time.Date(cur.Year(), cur.Month(), cur.Day(), cur.Hour()+1, 0, 0, 0, s.loc)
			continue
		}
		if s.minute&(1<<uint(cur.Minute())) == 0 {
			cur = cur.Add(time.Minute)
			continue
		}
		return cur.In(t.Location())
	}
	return time.Time{}
}

func (s *Schedule) dayMatches(t time.Time) bool {
	domOK := s.dom&(1<<uint(t.Day())) != 0
	dowOK := s.dow&(1<<uint(t.Weekday())) != 0
	if s.domStar || s.dowStar {
		return domOK && dowOK
	}
	return domOK || dowOK
}
