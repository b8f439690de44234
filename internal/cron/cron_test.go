package cron

import (
	"errors"
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
		{"0 12 * * 0", time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)},
		{"0 0 31 * *", time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"0 0 13 * 5", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}, // Friday or the 13th
		{"@every 1m", time.Date(2026, 11, 21, 10, 18, 30, 0, time.UTC)},
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
	for _, spec := range []string{"", "* * * *", "61 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "5-1 * * * *", "*/0 * * * *", "@every nonsense", "CRON_TZ=Nowhere/City * * * * *", "x * * * *"} {
		if _, err := Parse(spec); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) = %v, want %v", spec, err, ErrInvalid)
		}
	}
}

func TestNeverFires(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := Validate("0 0 30 2 *", now); !errors.Is(err, ErrNeverFires) {
		t.Errorf("Validate(February 30th) = %v, want %v", err, ErrNeverFires)
	}
	if _, err := Backoff("0 0 30 2 *", now, now); !errors.Is(err, ErrNeverFires) {
		t.Errorf("Backoff(February 30th) = %v, want %v", err, ErrNeverFires)
	}
}

// TestHardening12CronEveryAnchoredAndSubSecondAccepted: as in Temporal,
// "@every" counts from when the previous run was scheduled, not from the Unix
// epoch, and a period under a second is taken (as one second), not refused.
func TestHardening12CronEveryAnchoredAndSubSecondAccepted(t *testing.T) {
	first := time.Date(2026, 11, 21, 10, 17, 30, 0, time.UTC)

	// The first run of a workflow started at 10:17:30 is due a minute later.
	if got, err := Backoff("@every 1m", first, first); err != nil || got != time.Minute {
		t.Fatalf("first backoff = %v, %v; want 1m", got, err)
	}
	// The run after the one due at 10:18:30, closing at 10:18:42.2, starts at
	// 10:19:30: a minute after its predecessor was due.
	scheduled := first.Add(time.Minute)
	closed := scheduled.Add(12200 * time.Millisecond)
	if got, err := Backoff("@every 1m", scheduled, closed); err != nil || got != 48*time.Second {
		t.Fatalf("backoff after a 12.2s run = %v, %v; want 48s (next run at 10:19:30)", got, err)
	}
	// A run that overran several periods starts at the next period boundary.
	overran := scheduled.Add(3*time.Minute + 10*time.Second)
	if got, err := Backoff("@every 1m", scheduled, overran); err != nil || got != 50*time.Second {
		t.Fatalf("backoff after an overrun = %v, %v; want 50s", got, err)
	}

	s, err := Parse("@every 10ms")
	if err != nil {
		t.Fatalf("Parse(@every 10ms): %v", err)
	}
	if got := s.Next(first); !got.Equal(first.Add(time.Second)) {
		t.Fatalf("@every 10ms Next = %v, want a second later", got)
	}
	if got, err := Backoff("@every 10ms", first, first); err != nil || got != time.Second {
		t.Fatalf("@every 10ms backoff = %v, %v; want 1s", got, err)
	}
}

func TestBackoffCalendarSchedule(t *testing.T) {
	scheduled := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		now  time.Time
		want time.Duration
	}{
		{"run ended within its hour", scheduled.Add(20 * time.Minute), 40 * time.Minute},
		{"run overran several hours", scheduled.Add(5*time.Hour + 10*time.Minute), 50 * time.Minute},
		{"ended exactly on the hour", scheduled.Add(2 * time.Hour), 0},
		{"not yet due", scheduled.Add(-10 * time.Second), 10 * time.Second},
	}
	for _, c := range cases {
		got, err := Backoff("@hourly", scheduled, c.now)
		if err != nil || got != c.want {
			t.Errorf("%s: Backoff = %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	// A first run started on a firing time waits for the next one.
	if got, err := Backoff("@hourly", scheduled, scheduled); err != nil || got != time.Hour {
		t.Errorf("first run on the hour: Backoff = %v, %v; want 1h", got, err)
	}
}

func TestBackoffRoundsUpToWholeSeconds(t *testing.T) {
	scheduled := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	now := scheduled.Add(20*time.Minute + 250*time.Millisecond)
	// 39m59.75s until 11:00 rounds up to 40m.
	if got, err := Backoff("0 * * * *", scheduled, now); err != nil || got != 40*time.Minute {
		t.Fatalf("Backoff = %v, %v; want 40m", got, err)
	}
}

// TestBackoffMatchesStepping: finding the first firing not before now directly
// gives what stepping from the scheduled time firing by firing gives.
func TestBackoffMatchesStepping(t *testing.T) {
	scheduled := time.Date(2026, 3, 7, 23, 59, 59, 0, time.UTC)
	for _, spec := range []string{"*/7 * * * *", "@every 13s", "@every 1h30m", "CRON_TZ=Europe/Paris 30 2 * * *", "0 0 29 2 *"} {
		s, err := Parse(spec)
		if err != nil {
			t.Fatalf("Parse(%q): %v", spec, err)
		}
		for _, after := range []time.Duration{0, time.Second, 90 * time.Second, 7*time.Hour + 3*time.Second, 400 * 24 * time.Hour} {
			now := scheduled.Add(after)
			want := s.Next(scheduled)
			for !want.IsZero() && want.Before(now) {
				want = s.Next(want)
			}
			if got := s.NextRun(scheduled, now); !got.Equal(want) {
				t.Errorf("%q at +%v: NextRun = %v, stepping gives %v", spec, after, got, want)
			}
		}
	}
}

func TestBackoffWithoutScheduledTimeCountsFromNow(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 17, 30, 0, time.UTC)
	if got, err := Backoff("@every 1m", time.Time{}, now); err != nil || got != time.Minute {
		t.Fatalf("Backoff from a zero scheduled time = %v, %v; want 1m", got, err)
	}
}
