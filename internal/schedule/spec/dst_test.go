package spec

import (
	"testing"
	"time"

	schedulepb "go.temporal.io/api/schedule/v1"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// In New York clocks jump from 02:00 EST to 03:00 EDT on 2026-03-08 and
// back from 02:00 EDT to 01:00 EST on 2026-11-01.
func TestDaylightSavingNewYork(t *testing.T) {
	ny := zone(t, "America/New_York")
	local := func(mo time.Month, d, h, mi int) time.Time { return time.Date(2026, mo, d, h, mi, 0, 0, ny) }

	daily0230 := mustCompile(t, &schedulepb.ScheduleSpec{CronString: []string{"30 2 * * *"}, TimezoneName: "America/New_York"})
	// 02:30 does not exist on 8 March: that day has no action.
	checkSequence(t, "spring forward daily 02:30", daily0230, local(3, 6, 12, 0),
		local(3, 7, 2, 30), local(3, 9, 2, 30), local(3, 10, 2, 30))
	// 01:30 happens twice on 1 November: both instants fire, an hour apart.
	daily0130 := mustCompile(t, &schedulepb.ScheduleSpec{CronString: []string{"CRON_TZ=America/New_York 30 1 * * *"}})
	first := time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC) // 01:30 EDT
	checkSequence(t, "fall back daily 01:30", daily0130, local(10, 31, 12, 0),
		first, first.Add(time.Hour), time.Date(2026, 11, 2, 6, 30, 0, 0, time.UTC))
	// On fall-back day the 02:30 action happens once, in EST.
	checkSequence(t, "fall back daily 02:30", daily0230, local(10, 31, 12, 0),
		time.Date(2026, 11, 1, 7, 30, 0, 0, time.UTC))

	// An hourly calendar fires at every instant whose local minute is 0:
	// 23 actions on the short day, 25 on the long one.
	hourly := mustCompile(t, &schedulepb.ScheduleSpec{CronString: []string{"0 * * * *"}, TimezoneName: "America/New_York"})
	for _, c := range []struct {
		day  time.Time
		want int
	}{{local(3, 8, 0, 0), 23}, {local(11, 1, 0, 0), 25}, {local(6, 1, 0, 0), 24}} {
		times := hourly.MatchingTimes(c.day.Add(-time.Second), c.day.AddDate(0, 0, 1).Add(-time.Second), 100)
		if len(times) != c.want {
			t.Errorf("hourly on %v: %d actions, want %d: %v", c.day, len(times), c.want, times)
		}
		for i := 1; i < len(times); i++ {
			if d := times[i].Sub(times[i-1]); d != time.Hour {
				t.Errorf("hourly on %v: gap %v between %v and %v", c.day, d, times[i-1], times[i])
			}
		}
	}

	// Starting inside the repeated hour, from either copy.
	minute40 := mustCompile(t, &schedulepb.ScheduleSpec{CronString: []string{"40 * * * *"}, TimezoneName: "America/New_York"})
	firstCopy := time.Date(2026, 11, 1, 5, 50, 0, 0, time.UTC)  // 01:50 EDT
	secondCopy := time.Date(2026, 11, 1, 6, 50, 0, 0, time.UTC) // 01:50 EST
	checkSequence(t, "from the first copy", minute40, firstCopy, time.Date(2026, 11, 1, 6, 40, 0, 0, time.UTC))
	checkSequence(t, "from the second copy", minute40, secondCopy, time.Date(2026, 11, 1, 7, 40, 0, 0, time.UTC))
}

// In London clocks jump from 01:00 GMT to 02:00 BST on 2026-03-29 and back
// from 02:00 BST to 01:00 GMT on 2026-10-25.
func TestDaylightSavingLondon(t *testing.T) {
	s := mustCompile(t, &schedulepb.ScheduleSpec{CronString: []string{"CRON_TZ=Europe/London 30 1 * * *"}})
	checkSequence(t, "spring forward", s, utc(2026, 3, 27, 12, 0, 0),
		utc(2026, 3, 28, 1, 30, 0), // GMT
		utc(2026, 3, 30, 0, 30, 0), // BST; 29 March has no 01:30
	)
	checkSequence(t, "fall back", s, utc(2026, 10, 24, 12, 0, 0),
		utc(2026, 10, 24, 0, 30, 0).Add(24*time.Hour), // 01:30 BST
		utc(2026, 10, 25, 1, 30, 0),                   // 01:30 GMT
		utc(2026, 10, 26, 1, 30, 0),
	)
	// A fifteen-minute calendar keeps a steady 15-minute beat across both changes.
	quarter := mustCompile(t, &schedulepb.ScheduleSpec{CronString: []string{"*/15 * * * *"}, TimezoneName: "Europe/London"})
	for _, day := range []time.Time{utc(2026, 3, 29, 0, 0, 0), utc(2026, 10, 25, 0, 0, 0)} {
		times := quarter.MatchingTimes(day, day.Add(4*time.Hour), 100)
		if len(times) != 16 {
			t.Errorf("quarter hours on %v: %d, want 16: %v", day, len(times), times)
		}
		for i := 1; i < len(times); i++ {
			if d := times[i].Sub(times[i-1]); d != 15*time.Minute {
				t.Errorf("quarter hours on %v: gap %v at %v", day, d, times[i])
			}
		}
	}
}

// Exclusions are matched on the local wall clock too.
func TestExclusionAcrossDaylightSaving(t *testing.T) {
	s := mustCompile(t, &schedulepb.ScheduleSpec{
		CronString:      []string{"0 * * * *"},
		TimezoneName:    "America/New_York",
		ExcludeCalendar: []*schedulepb.CalendarSpec{{Second: "*", Minute: "*", Hour: "1"}},
	})
	// 1 November: 00:00 EDT, then both 01:00s are excluded, then 02:00 EST.
	checkSequence(t, "exclude the repeated hour", s, utc(2026, 11, 1, 3, 30, 0),
		utc(2026, 11, 1, 4, 0, 0), utc(2026, 11, 1, 7, 0, 0))
}
