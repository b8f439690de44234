package spec

import (
	"testing"
	"time"

	schedulepb "go.temporal.io/api/schedule/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// FuzzCompileNext feeds arbitrary cron strings, legacy calendar fields,
// intervals and zones to Compile, and checks that whatever compiles answers
// Next quickly, strictly after its argument, in increasing order, inside
// [start_time, end_time], outside the exclusions, and with bounded jitter.
func FuzzCompileNext(f *testing.F) {
	f.Add("*/5 * * * *", "", "*", "0", "", int64(60), int64(0), int64(0), int64(1_780_000_000), uint8(2))
	f.Add("CRON_TZ=America/New_York 30 2 * * *", "1-5", "*", "*", "America/New_York", int64(0), int64(0), int64(3600), int64(1_772_900_000), uint8(0))
	f.Add("0 0 30 2 *", "sat,sun", "12", "*/2", "Europe/London", int64(1), int64(0), int64(0), int64(0), uint8(1))
	f.Add("@every 14h/3h # comment", "", "", "", "Australia/Lord_Howe", int64(7200), int64(3599), int64(59), int64(1_800_000_000), uint8(3))
	f.Add("5/20 0 12 1 */2 sun 2030-2040/5", "7", "0-23/5", "59", "", int64(-5), int64(0), int64(1<<40), int64(4_000_000_000), uint8(7))
	f.Fuzz(func(t *testing.T, cron, excludeWeekday, excludeHour, excludeSecond, zone string, everySeconds, phaseSeconds, jitterSeconds, afterUnix int64, flags uint8) {
		s := &schedulepb.ScheduleSpec{TimezoneName: zone}
		if cron != "" {
			s.CronString = []string{cron}
		}
		if everySeconds != 0 {
			s.Interval = []*schedulepb.IntervalSpec{{Interval: &durationpb.Duration{Seconds: everySeconds}, Phase: &durationpb.Duration{Seconds: phaseSeconds}}}
		}
		if flags&1 != 0 {
			s.ExcludeCalendar = []*schedulepb.CalendarSpec{{Second: excludeSecond, Minute: "*", Hour: excludeHour, DayOfWeek: excludeWeekday}}
		}
		s.Jitter = &durationpb.Duration{Seconds: jitterSeconds}
		after := time.Unix(afterUnix%5_000_000_000, 0)
		if flags&2 != 0 {
			s.StartTime = timestamppb.New(after.Add(time.Duration(flags) * time.Hour))
		}
		if flags&4 != 0 {
			s.EndTime = timestamppb.New(after.Add(time.Duration(flags) * 24 * time.Hour))
		}
		compiled, err := Compile(s, "fuzz")
		if err != nil {
			return
		}
		if _, err := Canonical(s); err != nil {
			t.Fatalf("Compile accepted what Canonical refused: %v", err)
		}
		var excluders []*calendar
		excluders = append(excluders, compiled.exclusions...)
		prev := after
		for range 20 {
			began := time.Now()
			nominal, actual, ok := compiled.Next(prev)
			if d := time.Since(began); d > 2*time.Second {
				t.Fatalf("Next(%v) took %v", prev, d)
			}
			if !ok {
				return
			}
			if !nominal.After(prev) {
				t.Fatalf("Next(%v) = %v, not after it", prev, nominal)
			}
			if start := s.GetStartTime(); start != nil && nominal.Before(start.AsTime().Add(-time.Second).Truncate(time.Second)) {
				t.Fatalf("nominal %v before start %v", nominal, start.AsTime())
			}
			if end := s.GetEndTime(); end != nil && nominal.After(end.AsTime()) {
				t.Fatalf("nominal %v after end %v", nominal, end.AsTime())
			}
			if nominal.Year() > maxCalendarYear {
				t.Fatalf("nominal %v after %d", nominal, maxCalendarYear)
			}
			if d := actual.Sub(nominal); d < 0 || d > compiled.jitter {
				t.Fatalf("jitter %v outside [0, %v]", d, compiled.jitter)
			}
			wall := nominal.Unix() + int64(offsetAt(compiled.zone, nominal))
			for _, e := range excluders {
				if e.matchesWall(wall) {
					t.Fatalf("nominal %v is excluded", nominal)
				}
			}
			prev = nominal
		}
	})
}

func offsetAt(zone *time.Location, t time.Time) int {
	_, offset := t.In(zone).Zone()
	return offset
}
