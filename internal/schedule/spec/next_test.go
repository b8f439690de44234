package spec

import (
	"testing"
	"time"

	schedulepb "go.temporal.io/api/schedule/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func utc(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
}

func mustCompile(t *testing.T, s *schedulepb.ScheduleSpec) *Spec {
	t.Helper()
	compiled, err := Compile(s, "seed")
	if err != nil {
		t.Fatalf("Compile(%v): %v", s, err)
	}
	return compiled
}

// sequence returns the first n nominal times after `after`.
func sequence(s *Spec, after time.Time, n int) []time.Time {
	var out []time.Time
	for range n {
		nominal, _, ok := s.Next(after)
		if !ok {
			break
		}
		out = append(out, nominal)
		after = nominal
	}
	return out
}

func checkSequence(t *testing.T, name string, s *Spec, after time.Time, want ...time.Time) {
	t.Helper()
	got := sequence(s, after, len(want)+1)
	for i, w := range want {
		if i >= len(got) {
			t.Errorf("%s: only %d times %v, want %v", name, len(got), got, want)
			return
		}
		if !got[i].Equal(w) {
			t.Errorf("%s: time %d = %v, want %v (all: %v)", name, i, got[i], w, got)
			return
		}
	}
}

func rng(start, end, step int32) *schedulepb.Range {
	return &schedulepb.Range{Start: start, End: end, Step: step}
}

func every(d, phase time.Duration) *schedulepb.IntervalSpec {
	iv := &schedulepb.IntervalSpec{Interval: durationpb.New(d)}
	if phase != 0 {
		iv.Phase = durationpb.New(phase)
	}
	return iv
}

func TestNextIntervals(t *testing.T) {
	base := utc(2026, 3, 4, 10, 17, 30)
	cases := []struct {
		name string
		ivs  []*schedulepb.IntervalSpec
		want []time.Time
	}{
		{"every minute", []*schedulepb.IntervalSpec{every(time.Minute, 0)},
			[]time.Time{utc(2026, 3, 4, 10, 18, 0), utc(2026, 3, 4, 10, 19, 0)}},
		{"every hour at :15", []*schedulepb.IntervalSpec{every(time.Hour, 15*time.Minute)},
			[]time.Time{utc(2026, 3, 4, 11, 15, 0), utc(2026, 3, 4, 12, 15, 0)}},
		{"every 90 minutes from the epoch", []*schedulepb.IntervalSpec{every(90*time.Minute, 0)},
			[]time.Time{utc(2026, 3, 4, 10, 30, 0), utc(2026, 3, 4, 12, 0, 0)}},
		{"every day at 05:00", []*schedulepb.IntervalSpec{every(24*time.Hour, 5*time.Hour)},
			[]time.Time{utc(2026, 3, 5, 5, 0, 0), utc(2026, 3, 6, 5, 0, 0)}},
		{"sub-second parts are dropped", []*schedulepb.IntervalSpec{every(1500*time.Millisecond, 0)},
			[]time.Time{utc(2026, 3, 4, 10, 17, 31), utc(2026, 3, 4, 10, 17, 32)}},
		{"union of two", []*schedulepb.IntervalSpec{every(time.Hour, 0), every(time.Hour, 45*time.Minute)},
			[]time.Time{utc(2026, 3, 4, 10, 45, 0), utc(2026, 3, 4, 11, 0, 0), utc(2026, 3, 4, 11, 45, 0)}},
	}
	for _, c := range cases {
		s := mustCompile(t, &schedulepb.ScheduleSpec{Interval: c.ivs})
		checkSequence(t, c.name, s, base, c.want...)
	}
}

func TestNextIsStrictlyAfter(t *testing.T) {
	s := mustCompile(t, &schedulepb.ScheduleSpec{Interval: []*schedulepb.IntervalSpec{every(time.Minute, 0)}})
	at := utc(2026, 3, 4, 10, 17, 0)
	if got, _, _ := s.Next(at); !got.Equal(at.Add(time.Minute)) {
		t.Errorf("Next(%v) = %v, want a minute later", at, got)
	}
	if got, _, _ := s.Next(at.Add(-time.Nanosecond)); !got.Equal(at) {
		t.Errorf("Next(just before %v) = %v, want it", at, got)
	}
	if got, _, _ := s.Next(at.Add(999 * time.Millisecond)); !got.Equal(at.Add(time.Minute)) {
		t.Errorf("Next(within the matching second) = %v, want the next minute", got)
	}
}

func TestNextStructuredCalendars(t *testing.T) {
	base := utc(2026, 3, 4, 10, 17, 30) // a Wednesday
	cases := []struct {
		name string
		cal  *schedulepb.StructuredCalendarSpec
		want []time.Time
	}{
		{"every 15 minutes", &schedulepb.StructuredCalendarSpec{
			Second: []*schedulepb.Range{rng(0, 0, 0)}, Minute: []*schedulepb.Range{rng(0, 59, 15)}, Hour: []*schedulepb.Range{rng(0, 23, 0)},
			DayOfMonth: []*schedulepb.Range{rng(1, 31, 0)}, Month: []*schedulepb.Range{rng(1, 12, 0)}, DayOfWeek: []*schedulepb.Range{rng(0, 6, 0)},
		}, []time.Time{utc(2026, 3, 4, 10, 30, 0), utc(2026, 3, 4, 10, 45, 0), utc(2026, 3, 4, 11, 0, 0)}},
		{"weekdays at 09:30", &schedulepb.StructuredCalendarSpec{
			Second: []*schedulepb.Range{rng(0, 0, 0)}, Minute: []*schedulepb.Range{rng(30, 0, 0)}, Hour: []*schedulepb.Range{rng(9, 0, 0)},
			DayOfMonth: []*schedulepb.Range{rng(1, 31, 0)}, Month: []*schedulepb.Range{rng(1, 12, 0)}, DayOfWeek: []*schedulepb.Range{rng(1, 5, 0)},
		}, []time.Time{utc(2026, 3, 5, 9, 30, 0), utc(2026, 3, 6, 9, 30, 0), utc(2026, 3, 9, 9, 30, 0)}},
		{"Friday the 13th (both day fields must match)", &schedulepb.StructuredCalendarSpec{
			Second: []*schedulepb.Range{rng(0, 0, 0)}, Minute: []*schedulepb.Range{rng(0, 0, 0)}, Hour: []*schedulepb.Range{rng(0, 0, 0)},
			DayOfMonth: []*schedulepb.Range{rng(13, 0, 0)}, Month: []*schedulepb.Range{rng(1, 12, 0)}, DayOfWeek: []*schedulepb.Range{rng(5, 0, 0)},
		}, []time.Time{utc(2026, 3, 13, 0, 0, 0), utc(2026, 11, 13, 0, 0, 0), utc(2027, 8, 13, 0, 0, 0)}},
		{"29 February", &schedulepb.StructuredCalendarSpec{
			Second: []*schedulepb.Range{rng(0, 0, 0)}, Minute: []*schedulepb.Range{rng(0, 0, 0)}, Hour: []*schedulepb.Range{rng(12, 0, 0)},
			DayOfMonth: []*schedulepb.Range{rng(29, 0, 0)}, Month: []*schedulepb.Range{rng(2, 0, 0)}, DayOfWeek: []*schedulepb.Range{rng(0, 6, 0)},
		}, []time.Time{utc(2028, 2, 29, 12, 0, 0), utc(2032, 2, 29, 12, 0, 0)}},
		{"listed years only", &schedulepb.StructuredCalendarSpec{
			Second: []*schedulepb.Range{rng(0, 0, 0)}, Minute: []*schedulepb.Range{rng(0, 0, 0)}, Hour: []*schedulepb.Range{rng(0, 0, 0)},
			DayOfMonth: []*schedulepb.Range{rng(1, 0, 0)}, Month: []*schedulepb.Range{rng(1, 0, 0)}, DayOfWeek: []*schedulepb.Range{rng(0, 6, 0)},
			Year: []*schedulepb.Range{rng(2030, 2034, 4)},
		}, []time.Time{utc(2030, 1, 1, 0, 0, 0), utc(2034, 1, 1, 0, 0, 0)}},
		{"seconds with a step", &schedulepb.StructuredCalendarSpec{
			Second: []*schedulepb.Range{rng(10, 50, 20)}, Minute: []*schedulepb.Range{rng(0, 59, 0)}, Hour: []*schedulepb.Range{rng(0, 23, 0)},
			DayOfMonth: []*schedulepb.Range{rng(1, 31, 0)}, Month: []*schedulepb.Range{rng(1, 12, 0)}, DayOfWeek: []*schedulepb.Range{rng(0, 6, 0)},
		}, []time.Time{utc(2026, 3, 4, 10, 17, 50), utc(2026, 3, 4, 10, 18, 10), utc(2026, 3, 4, 10, 18, 30)}},
		{"last day of a 31-day month at year end", &schedulepb.StructuredCalendarSpec{
			Second: []*schedulepb.Range{rng(59, 0, 0)}, Minute: []*schedulepb.Range{rng(59, 0, 0)}, Hour: []*schedulepb.Range{rng(23, 0, 0)},
			DayOfMonth: []*schedulepb.Range{rng(31, 0, 0)}, Month: []*schedulepb.Range{rng(1, 12, 0)}, DayOfWeek: []*schedulepb.Range{rng(0, 6, 0)},
		}, []time.Time{utc(2026, 3, 31, 23, 59, 59), utc(2026, 5, 31, 23, 59, 59), utc(2026, 7, 31, 23, 59, 59)}},
	}
	for _, c := range cases {
		s := mustCompile(t, &schedulepb.ScheduleSpec{StructuredCalendar: []*schedulepb.StructuredCalendarSpec{c.cal}})
		checkSequence(t, c.name, s, base, c.want...)
	}
}

func TestNextNeverMatches(t *testing.T) {
	base := utc(2026, 3, 4, 10, 17, 30)
	cases := map[string]*schedulepb.ScheduleSpec{
		"empty spec":      {},
		"30 February":     {CronString: []string{"0 0 30 2 *"}},
		"31 April":        {CronString: []string{"0 0 0 31 4 * *"}},
		"a past year":     {CronString: []string{"0 0 1 1 * 2020"}},
		"no second given": {StructuredCalendar: []*schedulepb.StructuredCalendarSpec{{Minute: []*schedulepb.Range{rng(0, 59, 0)}, Hour: []*schedulepb.Range{rng(0, 23, 0)}, DayOfMonth: []*schedulepb.Range{rng(1, 31, 0)}, Month: []*schedulepb.Range{rng(1, 12, 0)}, DayOfWeek: []*schedulepb.Range{rng(0, 6, 0)}}}},
		"end time passed": {Interval: []*schedulepb.IntervalSpec{every(time.Minute, 0)}, EndTime: timestamppb.New(base)},
		"all excluded":    {CronString: []string{"* * * * *"}, ExcludeCalendar: []*schedulepb.CalendarSpec{{Second: "*", Minute: "*", Hour: "*"}}},
		"zone and 30 Feb": {CronString: []string{"CRON_TZ=Europe/London 30 2 30 2 *"}},
	}
	for name, spec := range cases {
		s := mustCompile(t, spec)
		start := time.Now()
		if n, _, ok := s.Next(base); ok {
			t.Errorf("%s: Next = %v, want none", name, n)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: Next took %v", name, d)
		}
	}
}

func TestNextStartAndEnd(t *testing.T) {
	start := utc(2026, 3, 4, 12, 0, 0)
	end := utc(2026, 3, 4, 12, 3, 0)
	s := mustCompile(t, &schedulepb.ScheduleSpec{
		Interval:  []*schedulepb.IntervalSpec{every(time.Minute, 0)},
		StartTime: timestamppb.New(start),
		EndTime:   timestamppb.New(end),
	})
	got := sequence(s, utc(2026, 1, 1, 0, 0, 0), 10)
	want := []time.Time{start, start.Add(time.Minute), start.Add(2 * time.Minute), end}
	if len(got) != len(want) {
		t.Fatalf("times = %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Fatalf("times = %v, want %v", got, want)
		}
	}
}

func TestNextExclusions(t *testing.T) {
	base := utc(2026, 3, 6, 23, 58, 30) // Friday
	// Every minute, except on weekends and except 12:00-12:59.
	s := mustCompile(t, &schedulepb.ScheduleSpec{
		CronString: []string{"* * * * *"},
		ExcludeCalendar: []*schedulepb.CalendarSpec{
			{Second: "*", Minute: "*", Hour: "*", DayOfWeek: "sat,sun"},
			{Second: "*", Minute: "*", Hour: "12"},
		},
	})
	checkSequence(t, "weekend", s, base, utc(2026, 3, 6, 23, 59, 0), utc(2026, 3, 9, 0, 0, 0), utc(2026, 3, 9, 0, 1, 0))
	checkSequence(t, "noon", s, utc(2026, 3, 9, 11, 58, 0), utc(2026, 3, 9, 11, 59, 0), utc(2026, 3, 9, 13, 0, 0))

	// Every second, except even seconds: each candidate skip is short.
	odd := mustCompile(t, &schedulepb.ScheduleSpec{
		Interval:                  []*schedulepb.IntervalSpec{every(time.Second, 0)},
		ExcludeStructuredCalendar: []*schedulepb.StructuredCalendarSpec{{Second: []*schedulepb.Range{rng(0, 58, 2)}, Minute: []*schedulepb.Range{rng(0, 59, 0)}, Hour: []*schedulepb.Range{rng(0, 23, 0)}, DayOfMonth: []*schedulepb.Range{rng(1, 31, 0)}, Month: []*schedulepb.Range{rng(1, 12, 0)}, DayOfWeek: []*schedulepb.Range{rng(0, 6, 0)}}},
	})
	checkSequence(t, "odd seconds", odd, base, utc(2026, 3, 6, 23, 58, 31), utc(2026, 3, 6, 23, 58, 33), utc(2026, 3, 6, 23, 58, 35))
}

func TestJitter(t *testing.T) {
	spec := &schedulepb.ScheduleSpec{
		Interval: []*schedulepb.IntervalSpec{every(time.Hour, 0)},
		Jitter:   durationpb.New(10 * time.Minute),
	}
	a, _ := Compile(spec, "ns-a")
	a2, _ := Compile(spec, "ns-a")
	b, _ := Compile(spec, "ns-b")
	after := utc(2026, 3, 4, 0, 0, 0)
	differs := false
	for range 50 {
		nominal, actual, ok := a.Next(after)
		if !ok {
			t.Fatal("no next time")
		}
		if d := actual.Sub(nominal); d < 0 || d >= 10*time.Minute {
			t.Fatalf("jitter %v outside [0, 10m)", d)
		}
		if d := actual.Sub(nominal); d%time.Millisecond != 0 {
			t.Fatalf("jitter %v is not whole milliseconds", d)
		}
		_, again, _ := a2.Next(after)
		if !again.Equal(actual) {
			t.Fatalf("same seed gave %v and %v", actual, again)
		}
		_, other, _ := b.Next(after)
		differs = differs || !other.Equal(actual)
		after = nominal
	}
	if !differs {
		t.Error("different seeds gave the same jitter 50 times")
	}

	// A jitter longer than the gap is capped by the following nominal time.
	long, _ := Compile(&schedulepb.ScheduleSpec{
		Interval: []*schedulepb.IntervalSpec{every(time.Minute, 0)},
		Jitter:   durationpb.New(time.Hour),
	}, "seed")
	after = utc(2026, 3, 4, 0, 0, 0)
	for range 200 {
		nominal, actual, _ := long.Next(after)
		if d := actual.Sub(nominal); d < 0 || d >= time.Minute {
			t.Fatalf("jitter %v not capped below the one-minute gap", d)
		}
		after = actual // continue from the actual time, as MatchingTimes does
	}
}

func TestMatchingTimes(t *testing.T) {
	s := mustCompile(t, &schedulepb.ScheduleSpec{CronString: []string{"*/10 * * * *"}})
	got := s.MatchingTimes(utc(2026, 3, 4, 10, 0, 0), utc(2026, 3, 4, 10, 40, 0), 100)
	want := []time.Time{utc(2026, 3, 4, 10, 10, 0), utc(2026, 3, 4, 10, 20, 0), utc(2026, 3, 4, 10, 30, 0), utc(2026, 3, 4, 10, 40, 0)}
	if len(got) != len(want) {
		t.Fatalf("MatchingTimes = %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Fatalf("MatchingTimes = %v, want %v", got, want)
		}
	}
	if n := len(s.MatchingTimes(utc(2026, 1, 1, 0, 0, 0), utc(2027, 1, 1, 0, 0, 0), 2)); n != 2 {
		t.Errorf("limit 2 gave %d times", n)
	}
	if n := len(s.MatchingTimes(utc(2026, 1, 1, 0, 0, 0), utc(2027, 1, 1, 0, 0, 0), 1_000_000)); n != MaxMatchingTimes {
		t.Errorf("a huge limit gave %d times, want the cap %d", n, MaxMatchingTimes)
	}
}
