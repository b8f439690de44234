package spec

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	schedulepb "go.temporal.io/api/schedule/v1"
)

// valueKind says which names a field accepts besides decimal numbers.
type valueKind int

const (
	plainNumbers valueKind = iota
	yearNumbers            // like plainNumbers, but "*" is the empty list
	monthNames             // also "jan", "February", ... (three letters or more)
	weekdayNames           // also "mo", "Tue", ... (two letters or more)
)

var (
	errOutOfRange = errors.New("out of range")

	monthNameList   = []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
	weekdayNameList = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
)

// maxRangeText bounds the text of one legacy calendar field, so a hostile
// field cannot produce an unbounded list of ranges.
const maxRangeText = 1000

// parseRanges reads one legacy calendar field: a comma-separated list of
// "*", "x", "x-y", "x/step", "x-y/step" or "*/step", with Temporal's error
// texts. Empty text means def. lo and hi bound the values.
func parseRanges(text, field, def string, lo, hi int, kind valueKind) ([]*schedulepb.Range, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		text = def
	}
	if len(text) > maxRangeText {
		return nil, fmt.Errorf("%s is too long", field)
	}
	if text == "*" && kind == yearNumbers {
		return nil, nil // every year is the empty list
	}
	var ranges []*schedulepb.Range
	for part := range strings.SplitSeq(text, ",") {
		step, stepGiven := 1, false
		switch strings.Count(part, "/") {
		case 0:
		case 1:
			var stepText string
			part, stepText, _ = strings.Cut(part, "/")
			if stepText == "" {
				return nil, fmt.Errorf("%s missing step value", field)
			}
			var err error
			if step, err = strconv.Atoi(stepText); err != nil {
				return nil, err
			}
			if step < 1 {
				return nil, fmt.Errorf("%s has invalid Step", field)
			}
			stepGiven = true
		default:
			return nil, fmt.Errorf("%s has too many slashes", field)
		}

		start, end := lo, hi
		if part != "*" {
			if first, last, isRange := strings.Cut(part, "-"); isRange {
				if strings.Contains(last, "-") {
					return nil, fmt.Errorf("%s has too many dashes", field)
				}
				var err error
				if start, err = parseValue(first, lo, hi, kind); err != nil {
					return nil, fmt.Errorf("%s Start is not in range [%d-%d]", field, lo, hi)
				}
				if end, err = parseValue(last, start, hi, kind); err != nil {
					return nil, fmt.Errorf("%s End is before Start or not in range [%d-%d]", field, lo, hi)
				}
			} else {
				var err error
				if start, err = parseValue(part, lo, hi, kind); err != nil {
					return nil, fmt.Errorf("%s is not in range [%d-%d]", field, lo, hi)
				}
				if !stepGiven {
					end = start // "x/step" runs to the maximum, "x" is x alone
				}
			}
		}
		if kind == weekdayNames && end == 7 {
			// 7 is another name for Sunday (0). Keep one range when 7 is not
			// reached by the step or 0 is already inside it; otherwise add 0.
			if (7-start)%step == 0 && (step > 1 || start > 1) {
				ranges = append(ranges, &schedulepb.Range{Start: 0})
				if start == 7 {
					continue
				}
			}
			end = 6
		}
		r := &schedulepb.Range{Start: int32(start), End: int32(end), Step: int32(step)}
		if start == end {
			r.End = 0 // the default: the start alone
		}
		if step == 1 {
			r.Step = 0 // the default
		}
		ranges = append(ranges, r)
	}
	return ranges, nil
}

// parseValue reads one number, or month or weekday name, in [lo, hi].
func parseValue(text string, lo, hi int, kind valueKind) (int, error) {
	if v, ok := nameValue(text, kind); ok {
		if v < lo || v > hi {
			return v, errOutOfRange
		}
		return v, nil
	}
	v, err := strconv.Atoi(text)
	if err != nil {
		return v, err
	}
	if v < lo || v > hi {
		return v, errOutOfRange
	}
	return v, nil
}

// nameValue reads a month name prefix (months count from 1) or a weekday name
// prefix (Sunday is 0), when kind allows names.
func nameValue(text string, kind valueKind) (int, bool) {
	var names []string
	minLen, base := 0, 0
	switch kind {
	case monthNames:
		names, minLen, base = monthNameList, 3, 1
	case weekdayNames:
		names, minLen, base = weekdayNameList, 2, 0
	default:
		return 0, false
	}
	if len(text) < minLen {
		return 0, false
	}
	lower := strings.ToLower(text)
	for i, name := range names {
		if strings.HasPrefix(name, lower) {
			return i + base, true
		}
	}
	return 0, false
}

// legacyToStructured converts a CalendarSpec of strings. Absent second,
// minute and hour mean 0; absent day, month, year and weekday mean every one.
func legacyToStructured(c *schedulepb.CalendarSpec) (*schedulepb.StructuredCalendarSpec, error) {
	var problems []string
	field := func(text, name, def string, lo, hi int, kind valueKind) []*schedulepb.Range {
		r, err := parseRanges(text, name, def, lo, hi, kind)
		if err != nil {
			problems = append(problems, err.Error())
		}
		return r
	}
	out := &schedulepb.StructuredCalendarSpec{
		Second:     field(c.GetSecond(), "Second", "0", 0, 59, plainNumbers),
		Minute:     field(c.GetMinute(), "Minute", "0", 0, 59, plainNumbers),
		Hour:       field(c.GetHour(), "Hour", "0", 0, 23, plainNumbers),
		DayOfWeek:  field(c.GetDayOfWeek(), "DayOfWeek", "*", 0, 7, weekdayNames),
		DayOfMonth: field(c.GetDayOfMonth(), "DayOfMonth", "*", 1, 31, plainNumbers),
		Month:      field(c.GetMonth(), "Month", "*", 1, 12, monthNames),
		Year:       field(c.GetYear(), "Year", "*", minCalendarYear, maxCalendarYear, yearNumbers),
		Comment:    c.GetComment(),
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, ", "))
	}
	return out, nil
}
