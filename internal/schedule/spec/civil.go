package spec

// Wall-clock ("civil") times are counted as seconds since 1970-01-01T00:00:00
// of the local calendar, without any zone offset. They let the calendar
// search do integer arithmetic instead of building time.Time values.

const (
	secondsPerMinute = 60
	secondsPerHour   = 60 * secondsPerMinute
	secondsPerDay    = 24 * secondsPerHour
)

// civilFields is a broken-down wall-clock time.
type civilFields struct {
	year, month, day, hour, minute, second int
}

// daysSinceEpoch returns the number of days from 1970-01-01 to the given date
// of the proleptic Gregorian calendar. month and day must be in range.
func daysSinceEpoch(year, month, day int) int64 {
	// Count years from March so that February's leap day ends a year.
	y := int64(year)
	if month <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yearOfEra := y - era*400                           // [0, 399]
	shiftedMonth := int64((month + 9) % 12)            // March is 0
	dayOfYear := (153*shiftedMonth+2)/5 + int64(day-1) // [0, 365]
	dayOfEra := yearOfEra*365 + yearOfEra/4 - yearOfEra/100 + dayOfYear
	return era*146097 + dayOfEra - 719468
}

// dateFromDays is the inverse of daysSinceEpoch.
func dateFromDays(days int64) (year, month, day int) {
	days += 719468
	era := floorDiv(days, 146097)
	dayOfEra := days - era*146097
	yearOfEra := (dayOfEra - dayOfEra/1460 + dayOfEra/36524 - dayOfEra/146096) / 365
	dayOfYear := dayOfEra - (365*yearOfEra + yearOfEra/4 - yearOfEra/100)
	shiftedMonth := (5*dayOfYear + 2) / 153
	day = int(dayOfYear - (153*shiftedMonth+2)/5 + 1)
	month = int(shiftedMonth+2)%12 + 1
	y := yearOfEra + era*400
	if month <= 2 {
		y++
	}
	return int(y), month, day
}

// weekdayOfDays returns the day of the week (0 is Sunday) of a day number.
func weekdayOfDays(days int64) int {
	// 1970-01-01 was a Thursday.
	return int(floorMod(days+4, 7))
}

// splitCivil breaks a wall-clock second count into its fields.
func splitCivil(wall int64) civilFields {
	days := floorDiv(wall, secondsPerDay)
	rest := int(wall - days*secondsPerDay)
	y, mo, d := dateFromDays(days)
	return civilFields{
		year: y, month: mo, day: d,
		hour: rest / secondsPerHour, minute: rest % secondsPerHour / secondsPerMinute, second: rest % secondsPerMinute,
	}
}

func isLeapYear(year int) bool {
	return year%4 == 0 && (year%100 != 0 || year%400 == 0)
}

// daysInMonth returns the length of a month (1 is January).
func daysInMonth(year, month int) int {
	switch month {
	case 2:
		if isLeapYear(year) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	default:
		return 31
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 {
	return a - floorDiv(a, b)*b
}
