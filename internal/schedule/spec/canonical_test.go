package spec

import (
	"errors"
	"strings"
	"testing"
	"time"

	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/api/serviceerror"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

// full is a range written out as Canonical writes it.
func full(start, end, step int32) *schedulepb.Range {
	return &schedulepb.Range{Start: start, End: end, Step: step}
}

func ranges(rs ...*schedulepb.Range) []*schedulepb.Range { return rs }

func TestCanonicalCronStrings(t *testing.T) {
	everyWeekday := ranges(full(0, 6, 1))
	everyDay := ranges(full(1, 31, 1))
	everyMonth := ranges(full(1, 12, 1))
	cases := []struct {
		cron string
		want *schedulepb.ScheduleSpec
	}{
		{"30 9 * * MON-FRI", &schedulepb.ScheduleSpec{StructuredCalendar: []*schedulepb.StructuredCalendarSpec{{
			Second: ranges(full(0, 0, 1)), Minute: ranges(full(30, 30, 1)), Hour: ranges(full(9, 9, 1)),
			DayOfMonth: everyDay, Month: everyMonth, DayOfWeek: ranges(full(1, 5, 1)),
		}}}},
		{"CRON_TZ=America/New_York */15 1,3-5 * jan-mar * # quarterly check", &schedulepb.ScheduleSpec{
			TimezoneName: "America/New_York",
			StructuredCalendar: []*schedulepb.StructuredCalendarSpec{{
				Second: ranges(full(0, 0, 1)), Minute: ranges(full(0, 59, 15)), Hour: ranges(full(1, 1, 1), full(3, 5, 1)),
				DayOfMonth: everyDay, Month: ranges(full(1, 3, 1)), DayOfWeek: everyWeekday, Comment: "quarterly check",
			}}}},
		{"@daily", &schedulepb.ScheduleSpec{StructuredCalendar: []*schedulepb.StructuredCalendarSpec{{
			Second: ranges(full(0, 0, 1)), Minute: ranges(full(0, 0, 1)), Hour: ranges(full(0, 0, 1)),
			DayOfMonth: everyDay, Month: everyMonth, DayOfWeek: everyWeekday,
		}}}},
		{"@every 14h/3h", &schedulepb.ScheduleSpec{Interval: []*schedulepb.IntervalSpec{{
			Interval: durationpb.New(14 * time.Hour), Phase: durationpb.New(3 * time.Hour),
		}}}},
		{"@every 2d", &schedulepb.ScheduleSpec{Interval: []*schedulepb.IntervalSpec{{Interval: durationpb.New(48 * time.Hour)}}}},
		{"15 10 * * 5-7 2030", &schedulepb.ScheduleSpec{StructuredCalendar: []*schedulepb.StructuredCalendarSpec{{
			Second: ranges(full(0, 0, 1)), Minute: ranges(full(15, 15, 1)), Hour: ranges(full(10, 10, 1)),
			DayOfMonth: everyDay, Month: everyMonth, DayOfWeek: ranges(full(0, 0, 1), full(5, 6, 1)), Year: ranges(full(2030, 2030, 1)),
		}}}},
		{"5/20 0 12 1 */2 sun 2030-2040/5", &schedulepb.ScheduleSpec{StructuredCalendar: []*schedulepb.StructuredCalendarSpec{{
			Second: ranges(full(5, 59, 20)), Minute: ranges(full(0, 0, 1)), Hour: ranges(full(12, 12, 1)),
			DayOfMonth: ranges(full(1, 1, 1)), Month: ranges(full(1, 12, 2)), DayOfWeek: ranges(full(0, 0, 1)), Year: ranges(full(2030, 2040, 5)),
		}}}},
	}
	for _, c := range cases {
		got, err := Canonical(&schedulepb.ScheduleSpec{CronString: []string{c.cron}})
		if err != nil {
			t.Errorf("Canonical(%q): %v", c.cron, err)
			continue
		}
		if !proto.Equal(got, c.want) {
			t.Errorf("Canonical(%q) =\n%v\nwant\n%v", c.cron, prototext.Format(got), prototext.Format(c.want))
		}
	}
}

func TestCanonicalLegacyCalendar(t *testing.T) {
	got, err := Canonical(&schedulepb.ScheduleSpec{
		Calendar:        []*schedulepb.CalendarSpec{{Hour: "8-18/2", DayOfWeek: "Tue,thurs", Comment: "office"}},
		ExcludeCalendar: []*schedulepb.CalendarSpec{{Month: "Dec"}},
		TimezoneName:    "Europe/London",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &schedulepb.ScheduleSpec{
		StructuredCalendar: []*schedulepb.StructuredCalendarSpec{{
			Second: ranges(full(0, 0, 1)), Minute: ranges(full(0, 0, 1)), Hour: ranges(full(8, 18, 2)),
			DayOfMonth: ranges(full(1, 31, 1)), Month: ranges(full(1, 12, 1)), DayOfWeek: ranges(full(2, 2, 1), full(4, 4, 1)), Comment: "office",
		}},
		ExcludeStructuredCalendar: []*schedulepb.StructuredCalendarSpec{{
			Second: ranges(full(0, 0, 1)), Minute: ranges(full(0, 0, 1)), Hour: ranges(full(0, 0, 1)),
			DayOfMonth: ranges(full(1, 31, 1)), Month: ranges(full(12, 12, 1)), DayOfWeek: ranges(full(0, 6, 1)),
		}},
		TimezoneName: "Europe/London",
	}
	if !proto.Equal(got, want) {
		t.Errorf("Canonical =\n%v\nwant\n%v", prototext.Format(got), prototext.Format(want))
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name string
		spec *schedulepb.ScheduleSpec
		want string
	}{
		{"four fields", &schedulepb.ScheduleSpec{CronString: []string{"* * * *"}}, "CronString does not have 5-7 fields"},
		{"eight fields", &schedulepb.ScheduleSpec{CronString: []string{"* * * * * * * *"}}, "CronString does not have 5-7 fields"},
		{"minute 60", &schedulepb.ScheduleSpec{CronString: []string{"60 * * * *"}}, "Minute is not in range [0-59]"},
		{"reversed range", &schedulepb.ScheduleSpec{CronString: []string{"* 5-1 * * *"}}, "Hour End is before Start or not in range [0-23]"},
		{"zero step", &schedulepb.ScheduleSpec{CronString: []string{"*/0 * * * *"}}, "Minute has invalid Step"},
		{"two slashes", &schedulepb.ScheduleSpec{CronString: []string{"1/2/3 * * * *"}}, "Minute has too many slashes"},
		{"two dashes", &schedulepb.ScheduleSpec{CronString: []string{"1-2-3 * * * *"}}, "Minute has too many dashes"},
		{"missing step", &schedulepb.ScheduleSpec{CronString: []string{"1/ * * * *"}}, "Minute missing step value"},
		{"two bad fields", &schedulepb.ScheduleSpec{CronString: []string{"99 99 * * *"}}, "Minute is not in range [0-59], Hour is not in range [0-23]"},
		{"zone without fields", &schedulepb.ScheduleSpec{CronString: []string{"CRON_TZ=UTC"}}, "CronString has time zone but missing fields"},
		{"bad every", &schedulepb.ScheduleSpec{CronString: []string{"@every"}}, "CronString does not have interval after @every"},
		{"conflicting zones", &schedulepb.ScheduleSpec{CronString: []string{"TZ=UTC * * * * *", "* * * * *"}}, "conflicting timezone names"},
		{"conflicting with spec zone", &schedulepb.ScheduleSpec{CronString: []string{"TZ=Asia/Tokyo * * * * *"}, TimezoneName: "UTC"}, "conflicting timezone names"},
		{"unknown zone", &schedulepb.ScheduleSpec{TimezoneName: "Nowhere/City"}, "unknown time zone Nowhere/City"},
		{"unknown cron zone", &schedulepb.ScheduleSpec{CronString: []string{"CRON_TZ=Nowhere/City * * * * *"}}, "unknown time zone Nowhere/City"},
		{"interval too small", &schedulepb.ScheduleSpec{Interval: []*schedulepb.IntervalSpec{every(time.Millisecond, 0)}}, "interval is too small"},
		{"interval missing", &schedulepb.ScheduleSpec{Interval: []*schedulepb.IntervalSpec{{}}}, "interval is too small"},
		{"negative interval", &schedulepb.ScheduleSpec{Interval: []*schedulepb.IntervalSpec{every(-time.Hour, 0)}}, "interval is too small"},
		{"negative phase", &schedulepb.ScheduleSpec{Interval: []*schedulepb.IntervalSpec{every(time.Hour, -time.Minute)}}, "phase is negative"},
		{"phase equal to interval", &schedulepb.ScheduleSpec{Interval: []*schedulepb.IntervalSpec{every(time.Hour, time.Hour)}}, "phase cannot be greater than Interval"},
		{"non-finite interval", &schedulepb.ScheduleSpec{Interval: []*schedulepb.IntervalSpec{{Interval: &durationpb.Duration{Seconds: 1 << 62}}}}, "interval is not a valid duration"},
		{"mixed-sign duration", &schedulepb.ScheduleSpec{Interval: []*schedulepb.IntervalSpec{{Interval: &durationpb.Duration{Seconds: 5, Nanos: -1}}}}, "interval is not a valid duration"},
		{"year out of range", &schedulepb.ScheduleSpec{StructuredCalendar: []*schedulepb.StructuredCalendarSpec{{Year: ranges(full(1999, 0, 0))}}}, "invalid calendar spec: Year Start is not in range [2000-2100]"},
		{"cron year out of range", &schedulepb.ScheduleSpec{CronString: []string{"* * * * * 2101"}}, "Year is not in range [2000-2100]"},
		{"weekday 7 in a structured calendar", &schedulepb.ScheduleSpec{StructuredCalendar: []*schedulepb.StructuredCalendarSpec{{DayOfWeek: ranges(full(7, 0, 0))}}}, "DayOfWeek Start is not in range [0-6]"},
		{"negative step", &schedulepb.ScheduleSpec{StructuredCalendar: []*schedulepb.StructuredCalendarSpec{{Second: ranges(full(0, 10, -1))}}}, "Second has invalid Step"},
		{"exclusion out of range", &schedulepb.ScheduleSpec{ExcludeStructuredCalendar: []*schedulepb.StructuredCalendarSpec{{Second: ranges(full(-1, 0, 0))}}}, "Second Start is not in range [0-59]"},
		{"long comment", &schedulepb.ScheduleSpec{CronString: []string{"* * * * * # " + strings.Repeat("x", 201)}}, "comment is too long"},
		{"too many cron strings", &schedulepb.ScheduleSpec{CronString: make([]string, MaxEntries+1)}, "too many calendars"},
		{"too many exclusions", &schedulepb.ScheduleSpec{ExcludeCalendar: make([]*schedulepb.CalendarSpec, MaxExclusions+1)}, "too many exclusion calendars"},
		{"too many ranges", &schedulepb.ScheduleSpec{StructuredCalendar: []*schedulepb.StructuredCalendarSpec{{Second: make([]*schedulepb.Range, MaxRangesPerField+1)}}}, "Second has more than"},
	}
	for _, c := range cases {
		_, err := Compile(c.spec, "")
		var invalidErr *InvalidError
		if !errors.As(err, &invalidErr) {
			t.Errorf("%s: Compile error = %v, want an *InvalidError", c.name, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "Invalid schedule spec: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Compile error = %q, want it to contain %q", c.name, err, c.want)
		}
		if st := serviceerror.ToStatus(err); st.Code() != codes.InvalidArgument || st.Message() != err.Error() {
			t.Errorf("%s: status of the error = %v %q, want InvalidArgument with its text", c.name, st.Code(), st.Message())
		}
	}
}

func TestCronStringNextTimes(t *testing.T) {
	base := utc(2026, 11, 21, 10, 17, 30) // a Saturday
	cases := []struct {
		cron string
		want time.Time
	}{
		{"* * * * *", utc(2026, 11, 21, 10, 18, 0)},
		{"*/15 * * * *", utc(2026, 11, 21, 10, 30, 0)},
		{"@hourly", utc(2026, 11, 21, 11, 0, 0)},
		{"@weekly", utc(2026, 11, 22, 0, 0, 0)},
		{"@monthly", utc(2026, 12, 1, 0, 0, 0)},
		{"@yearly", utc(2027, 1, 1, 0, 0, 0)},
		{"30 9 * * MON-FRI", utc(2026, 11, 23, 9, 30, 0)},
		{"0 12 * * 7", utc(2026, 11, 22, 12, 0, 0)},
		{"0 0 13 * 5", utc(2027, 8, 13, 0, 0, 0)}, // Friday AND the 13th
		{"@every 1m", utc(2026, 11, 21, 10, 18, 0)},
		{"@every 1h/10m", utc(2026, 11, 21, 11, 10, 0)},
		{"CRON_TZ=America/New_York 0 9 * * *", utc(2026, 11, 21, 14, 0, 0)},
		{"TZ=Asia/Tokyo 0 9 * * * # morning in Tokyo", utc(2026, 11, 22, 0, 0, 0)},
		{"45 */10 * * * * *", utc(2026, 11, 21, 10, 20, 45)}, // seven fields: seconds first
		{"0 0 1 1 * 2030", utc(2030, 1, 1, 0, 0, 0)},
	}
	for _, c := range cases {
		s, err := Compile(&schedulepb.ScheduleSpec{CronString: []string{c.cron}}, "")
		if err != nil {
			t.Errorf("Compile(%q): %v", c.cron, err)
			continue
		}
		if got, _, ok := s.Next(base); !ok || !got.Equal(c.want) {
			t.Errorf("Next(%q) = %v, %v; want %v", c.cron, got, ok, c.want)
		}
	}
}
