package spec

import (
	"fmt"
	"testing"
	"time"

	schedulepb "go.temporal.io/api/schedule/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// BenchmarkNext measures one Next call of 10,000 schedules that fire every
// minute, in the forms people write: a cron string in UTC, a cron string in
// a zone with daylight saving, an interval, and a calendar with jitter and an
// exclusion.
func BenchmarkNext(b *testing.B) {
	forms := map[string]*schedulepb.ScheduleSpec{
		"cron-utc":     {CronString: []string{"* * * * *"}},
		"cron-zone":    {CronString: []string{"CRON_TZ=America/New_York * * * * *"}},
		"interval":     {Interval: []*schedulepb.IntervalSpec{{Interval: durationpb.New(time.Minute)}}},
		"jitter-exclu": {CronString: []string{"* * * * *"}, Jitter: durationpb.New(10 * time.Second), ExcludeCalendar: []*schedulepb.CalendarSpec{{Second: "*", Minute: "*", Hour: "*", DayOfWeek: "sun"}}},
	}
	for name, form := range forms {
		b.Run(name, func(b *testing.B) {
			specs := make([]*Spec, 10_000)
			for i := range specs {
				s, err := Compile(form, fmt.Sprint("ns-schedule-", i))
				if err != nil {
					b.Fatal(err)
				}
				specs[i] = s
			}
			after := time.Date(2026, 3, 4, 10, 17, 30, 0, time.UTC)
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				if _, _, ok := specs[i%len(specs)].Next(after); !ok {
					b.Fatal("no next time")
				}
				i++
			}
		})
	}
}

// BenchmarkNextHostile measures a spec whose exclusions hide every
// candidate, one second at a time, so Next runs to its skip limit.
func BenchmarkNextHostile(b *testing.B) {
	s, err := Compile(&schedulepb.ScheduleSpec{
		Interval:        []*schedulepb.IntervalSpec{{Interval: durationpb.New(2 * time.Second)}},
		ExcludeCalendar: []*schedulepb.CalendarSpec{{Second: "*/2", Minute: "*", Hour: "*"}},
	}, "")
	if err != nil {
		b.Fatal(err)
	}
	after := time.Date(2026, 3, 4, 10, 17, 30, 0, time.UTC)
	for b.Loop() {
		if _, _, ok := s.Next(after); ok {
			b.Fatal("found a time that should be excluded")
		}
	}
}
