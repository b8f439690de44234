package spec

import (
	"math/bits"

	schedulepb "go.temporal.io/api/schedule/v1"
)

const (
	// minCalendarYear and maxCalendarYear bound the years a calendar may
	// name; no calendar matches after maxCalendarYear, as in Temporal.
	minCalendarYear = 2000
	maxCalendarYear = 2100

	// noValue is what nextSet and nextUnset answer when no value is left.
	noValue = 64

	fullSixty  = 1<<60 - 1 // seconds or minutes 0..59
	fullHours  = 1<<24 - 1
	fullDays   = (1<<32 - 1) &^ 1 // days 1..31
	fullMonths = (1<<13 - 1) &^ 1 // months 1..12
	fullWeek   = 1<<7 - 1
)

// calendar is a compiled StructuredCalendarSpec: one bit set per value each
// field accepts. It is matched against wall-clock fields.
type calendar struct {
	seconds, minutes, hours, days, months, weekdays uint64
	// years holds bit y-minCalendarYear for each listed year; anyYear is
	// set when the spec lists none, which accepts every year.
	years   [2]uint64
	anyYear bool
	// never is set when some field accepts nothing, so nothing matches.
	never bool
}

// compileCalendar builds the bit sets of a validated calendar.
func compileCalendar(c *schedulepb.StructuredCalendarSpec) *calendar {
	cal := &calendar{
		seconds:  rangeBits(c.GetSecond()),
		minutes:  rangeBits(c.GetMinute()),
		hours:    rangeBits(c.GetHour()),
		days:     rangeBits(c.GetDayOfMonth()),
		months:   rangeBits(c.GetMonth()),
		weekdays: rangeBits(c.GetDayOfWeek()),
		anyYear:  len(c.GetYear()) == 0,
	}
	for _, r := range c.GetYear() {
		forEachInRange(r, func(y int) {
			i := y - minCalendarYear
			cal.years[i/64] |= 1 << (i % 64)
		})
	}
	cal.never = cal.seconds == 0 || cal.minutes == 0 || cal.hours == 0 ||
		cal.days == 0 || cal.months == 0 || cal.weekdays == 0 ||
		!cal.anyYear && cal.years == [2]uint64{}
	return cal
}

// rangeBits returns the set of values of validated ranges (all below 64).
func rangeBits(ranges []*schedulepb.Range) uint64 {
	var set uint64
	for _, r := range ranges {
		forEachInRange(r, func(v int) { set |= 1 << v })
	}
	return set
}

// forEachInRange calls f for each value of a validated range: a step of 0
// means 1, and an end before the start means the start alone.
func forEachInRange(r *schedulepb.Range, f func(int)) {
	start, end, step := int(r.GetStart()), int(r.GetEnd()), int(r.GetStep())
	if step <= 0 {
		step = 1
	}
	end = max(end, start)
	for v := start; v <= end; v += step {
		f(v)
	}
}

// nextSet returns the smallest member of set that is >= from, or noValue.
func nextSet(set uint64, from int) int {
	if from >= 64 {
		return noValue
	}
	return bits.TrailingZeros64(set >> from << from)
}

// nextUnset returns the smallest value in [from, limit) that set lacks, or
// noValue.
func nextUnset(set uint64, from, limit int) int {
	v := nextSet(^set, from)
	if v >= limit {
		return noValue
	}
	return v
}

func has(set uint64, v int) bool {
	return v >= 0 && v < 64 && set&(1<<v) != 0
}

func (c *calendar) yearMatches(year int) bool {
	if c.anyYear {
		return year <= maxCalendarYear
	}
	i := year - minCalendarYear
	return i >= 0 && i <= maxCalendarYear-minCalendarYear && c.years[i/64]&(1<<(i%64)) != 0
}

// nextYear returns the first year >= from that matches, or 0.
func (c *calendar) nextYear(from int) int {
	if c.anyYear {
		if from <= maxCalendarYear {
			return from
		}
		return 0
	}
	for y := max(from, minCalendarYear); y <= maxCalendarYear; y++ {
		if c.yearMatches(y) {
			return y
		}
	}
	return 0
}

// dateMatches reports whether the date fields of a day match.
func (c *calendar) dateMatches(days int64) bool {
	y, mo, d := dateFromDays(days)
	return c.yearMatches(y) && has(c.months, mo) && has(c.days, d) && has(c.weekdays, weekdayOfDays(days))
}

// matchesWall reports whether a wall-clock time matches every field.
func (c *calendar) matchesWall(wall int64) bool {
	if c.never {
		return false
	}
	f := splitCivil(wall)
	return has(c.seconds, f.second) && has(c.minutes, f.minute) && has(c.hours, f.hour) &&
		c.dateMatches(floorDiv(wall, secondsPerDay))
}

// searchResult tells how a bounded wall-clock search ended.
type searchResult int

const (
	found      searchResult = iota
	pastLimit               // no match before the limit; later ones may exist
	neverAgain              // no match at or after the start, ever
)

// nextWall returns the first wall-clock time >= from that matches. It stops
// with pastLimit once the day it examines starts at or after limit.
func (c *calendar) nextWall(from, limit int64) (int64, searchResult) {
	if c.never {
		return 0, neverAgain
	}
	f := splitCivil(from)
	y, mo, d, h, mi, s := f.year, f.month, f.day, f.hour, f.minute, f.second
	dayStart := int64(0)
	for {
		if y > maxCalendarYear {
			return 0, neverAgain
		}
		if !c.yearMatches(y) {
			ny := c.nextYear(y + 1)
			if ny == 0 {
				return 0, neverAgain
			}
			y, mo, d, h, mi, s = ny, 1, 1, 0, 0, 0
			continue
		}
		if m := nextSet(c.months, mo); m != mo {
			if m > 12 {
				y, mo, d, h, mi, s = y+1, 1, 1, 0, 0, 0
				continue
			}
			mo, d, h, mi, s = m, 1, 0, 0, 0
		}
		if dd := nextSet(c.days, d); dd != d {
			if dd > daysInMonth(y, mo) {
				mo, d, h, mi, s = mo+1, 1, 0, 0, 0
				continue
			}
			d, h, mi, s = dd, 0, 0, 0
		}
		if d > daysInMonth(y, mo) {
			mo, d, h, mi, s = mo+1, 1, 0, 0, 0
			continue
		}
		days := daysSinceEpoch(y, mo, d)
		dayStart = days * secondsPerDay
		if dayStart >= limit {
			return 0, pastLimit
		}
		if !has(c.weekdays, weekdayOfDays(days)) {
			d, h, mi, s = d+1, 0, 0, 0
			continue
		}
		if hh := nextSet(c.hours, h); hh != h {
			if hh > 23 {
				d, h, mi, s = d+1, 0, 0, 0
				continue
			}
			h, mi, s = hh, 0, 0
		}
		if mm := nextSet(c.minutes, mi); mm != mi {
			if mm > 59 {
				h, mi, s = h+1, 0, 0
				continue
			}
			mi, s = mm, 0
		}
		if ss := nextSet(c.seconds, s); ss != s {
			if ss > 59 {
				mi, s = mi+1, 0
				continue
			}
			s = ss
		}
		return dayStart + int64(h*secondsPerHour+mi*secondsPerMinute+s), found
	}
}

// firstMiss returns the first wall-clock time after wall that this calendar
// does not match; ok is false when every later time up to the end of
// maxCalendarYear matches. The calendar is assumed to match wall itself.
func (c *calendar) firstMiss(wall int64) (miss int64, ok bool) {
	if c.never {
		return wall + 1, true
	}
	f := splitCivil(wall)
	best := int64(-1)
	consider := func(t int64) {
		if best < 0 || t < best {
			best = t
		}
	}
	minuteStart := wall - int64(f.second)
	hourStart := minuteStart - int64(f.minute*secondsPerMinute)
	dayStart := hourStart - int64(f.hour*secondsPerHour)
	if c.seconds != fullSixty {
		if v := nextUnset(c.seconds, f.second+1, 60); v != noValue {
			consider(minuteStart + int64(v))
		} else {
			consider(minuteStart + secondsPerMinute + int64(nextUnset(c.seconds, 0, 60)))
		}
	}
	if c.minutes != fullSixty {
		if v := nextUnset(c.minutes, f.minute+1, 60); v != noValue {
			consider(hourStart + int64(v*secondsPerMinute))
		} else {
			consider(hourStart + secondsPerHour + int64(nextUnset(c.minutes, 0, 60)*secondsPerMinute))
		}
	}
	if c.hours != fullHours {
		if v := nextUnset(c.hours, f.hour+1, 24); v != noValue {
			consider(dayStart + int64(v*secondsPerHour))
		} else {
			consider(dayStart + secondsPerDay + int64(nextUnset(c.hours, 0, 24)*secondsPerHour))
		}
	}
	if best >= 0 && best < dayStart+secondsPerDay {
		return best, true // no date field changes before then
	}
	if day, ok := c.firstMissingDay(floorDiv(wall, secondsPerDay) + 1); ok {
		consider(day * secondsPerDay)
	}
	return best, best >= 0
}

// firstMissingDay returns the first day >= from whose date the calendar does
// not match, searching no further than the end of maxCalendarYear.
func (c *calendar) firstMissingDay(from int64) (int64, bool) {
	lastDay := daysSinceEpoch(maxCalendarYear, 12, 31)
	if c.months == fullMonths && c.days == fullDays && c.weekdays == fullWeek {
		// Only the year can stop matching: jump from year to year.
		y, _, _ := dateFromDays(from)
		if !c.yearMatches(y) {
			return from, true
		}
		for y++; y <= maxCalendarYear; y++ {
			if !c.yearMatches(y) {
				return daysSinceEpoch(y, 1, 1), true
			}
		}
		return 0, false
	}
	// Some month, day or weekday is missing, so a miss comes within a year.
	for day := from; day <= lastDay; day++ {
		if !c.dateMatches(day) {
			return day, true
		}
	}
	return 0, false
}
