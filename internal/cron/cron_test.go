package cron

import (
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	base := time.Date(2026, 11, 21, 10, 17, 30, 0, time.UTC) // a Saturday
	cases := []struct {
		spec string
		want time.Time
	}{
		{"* * * * *", time.Date(2026, 11, 21, 10, 18, 0, 0, time.UTC)},
		{"*/15 * * * *", time.Date(2026, 11, 21, 10, 30, 0, 0, time.UTC)},
		{"0 * * * *", time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)},
		{"@hourly", time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)},
		{"@daily", time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)},
		{"30 9 * * MON-FRI", time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)},
		{"0 0 1 JAN *", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"0 12 * * 7", time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)},
		{"0 0 31 * *", time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"0 0 13 * 5", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}, // Friday or the 13th
		{"@every 1m", time.Date(2026, 11, 21, 10, 18, 0, 0, time.UTC)},
		{"CRON_TZ=America/New_York 0 9 * * *", time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		s, err := Parse(c.spec)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.spec, err)
			continue
		}
		if got := s.Next(base); !got.Equal(c.want) {
			t.Errorf("Next(%q) = %v, want %v", c.spec, got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, spec := range []string{"", "* * * *", "61 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "5-1 * * * *", "*/0 * * * *", "@every 10ms", "CRON_TZ=Nowhere/City * * * * *", "x * * * *"} {
		if _, err := Parse(spec); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", spec)
		}
	}
}

func TestNeverFires(t *testing.T) {
	s, err := Parse("0 0 30 2 *")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); !got.IsZero() {
		t.Errorf("Next = %v, want zero (February 30th never comes)", got)
	}
}
