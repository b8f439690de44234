package spec

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	schedulepb "go.temporal.io/api/schedule/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// maxCronText bounds one cron string.
const maxCronText = 2000

// cronResult is what one cron string becomes: a calendar or an interval,
// and the zone its "CRON_TZ=" or "TZ=" prefix names ("" when it has none).
type cronResult struct {
	calendar *schedulepb.StructuredCalendarSpec
	interval *schedulepb.IntervalSpec
	zone     string
}

// cronDescriptors are the "@name" shorthands and the five fields each means.
var cronDescriptors = map[string]string{
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@monthly":  "0 0 1 * *",
	"@weekly":   "0 0 * * 0",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@hourly":   "0 * * * *",
}

// parseCron reads a cron string as Temporal does. It takes an optional
// "CRON_TZ=zone " or "TZ=zone " prefix, an optional "# comment" suffix, and
// then "@every <duration>[/<phase>]", a descriptor such as "@daily", or 5, 6
// or 7 fields: minute hour day-of-month month day-of-week, then optionally
// year, or second minute hour day-of-month month day-of-week year. Unlike
// classic cron, day of month and day of week must both match.
func parseCron(text string) (cronResult, error) {
	if len(text) > maxCronText {
		return cronResult{}, errors.New("CronString is too long")
	}
	text = strings.TrimSpace(text)
	var zone string
	if strings.HasPrefix(text, "TZ=") || strings.HasPrefix(text, "CRON_TZ=") {
		prefix, rest, ok := strings.Cut(text, " ")
		if !ok {
			return cronResult{}, errors.New("CronString has time zone but missing fields")
		}
		_, zone, _ = strings.Cut(prefix, "=")
		text = rest
	}
	text, comment, _ := strings.Cut(text, "#")
	text = strings.TrimSpace(text)
	comment = strings.TrimSpace(comment)

	if strings.HasPrefix(text, "@every") {
		// Temporal drops the zone of an "@every" string: intervals have none.
		iv, err := parseEvery(text)
		return cronResult{interval: iv}, err
	}
	if fields, ok := cronDescriptors[text]; ok {
		text = fields
	}

	var tokens [7]string
	n := 0
	for token := range strings.FieldsSeq(text) {
		if n == len(tokens) {
			return cronResult{}, errors.New("CronString does not have 5-7 fields")
		}
		tokens[n] = token
		n++
	}
	cal := &schedulepb.CalendarSpec{Comment: comment}
	switch n {
	case 5:
		cal.Minute, cal.Hour, cal.DayOfMonth, cal.Month, cal.DayOfWeek = tokens[0], tokens[1], tokens[2], tokens[3], tokens[4]
	case 6:
		cal.Minute, cal.Hour, cal.DayOfMonth, cal.Month, cal.DayOfWeek, cal.Year = tokens[0], tokens[1], tokens[2], tokens[3], tokens[4], tokens[5]
	case 7:
		cal.Second, cal.Minute, cal.Hour, cal.DayOfMonth, cal.Month, cal.DayOfWeek, cal.Year = tokens[0], tokens[1], tokens[2], tokens[3], tokens[4], tokens[5], tokens[6]
	default:
		return cronResult{}, errors.New("CronString does not have 5-7 fields")
	}
	structured, err := legacyToStructured(cal)
	if err != nil {
		return cronResult{}, err
	}
	return cronResult{calendar: structured, zone: zone}, nil
}

// parseEvery reads "@every 90m" or "@every 14h/3h" (interval/phase).
func parseEvery(text string) (*schedulepb.IntervalSpec, error) {
	_, rest, ok := strings.Cut(text, " ")
	if !ok {
		return nil, errors.New("CronString does not have interval after @every")
	}
	intervalText, phaseText, _ := strings.Cut(rest, "/")
	interval, err := parseDurationWithDays(intervalText)
	if err != nil {
		return nil, err
	}
	iv := &schedulepb.IntervalSpec{Interval: durationpb.New(interval)}
	if phaseText == "" {
		return iv, nil
	}
	phase, err := parseDurationWithDays(phaseText)
	if err != nil {
		return nil, err
	}
	iv.Phase = durationpb.New(phase)
	return iv, nil
}

// daysUnit finds numbers with the unit "d" in a duration.
var daysUnit = regexp.MustCompile(`(\d+(\.\d*)?|(\.\d+))d`)

// parseDurationWithDays is time.ParseDuration that also takes "d" for 24
// hours, as Temporal's cron strings do.
func parseDurationWithDays(text string) (time.Duration, error) {
	text = daysUnit.ReplaceAllStringFunc(text, func(days string) string {
		n, err := strconv.ParseFloat(strings.TrimSuffix(days, "d"), 64)
		if err != nil {
			return days // left for time.ParseDuration to refuse
		}
		return fmt.Sprintf("%fh", 24*n)
	})
	return time.ParseDuration(text)
}
