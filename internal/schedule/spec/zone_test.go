package spec

import (
	"encoding/binary"
	"testing"
	"time"

	schedulepb "go.temporal.io/api/schedule/v1"
	"google.golang.org/protobuf/proto"
)

func TestCompilerSharesZones(t *testing.T) {
	var c Compiler
	spec := &schedulepb.ScheduleSpec{CronString: []string{"0 9 * * *"}, TimezoneName: "Europe/Paris"}
	a, err := c.Compile(spec, "a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Compile(spec, "b")
	if err != nil {
		t.Fatal(err)
	}
	if a.Zone() != b.Zone() {
		t.Error("a Compiler loaded the same zone twice")
	}
	if _, err := c.Compile(&schedulepb.ScheduleSpec{TimezoneName: "Nowhere/City"}, ""); err == nil {
		t.Error("an unknown zone compiled")
	}
	if len(c.zones) != 1 {
		t.Errorf("cache holds %d zones, want 1 (failures are not kept)", len(c.zones))
	}
	if got, _, _ := a.Next(utc(2026, 7, 1, 0, 0, 0)); !got.Equal(utc(2026, 7, 1, 7, 0, 0)) {
		t.Errorf("09:00 in Paris in summer = %v, want 07:00 UTC", got)
	}
}

// A zone given as TZif data (timezone_data) is used instead of the database.
func TestTimezoneData(t *testing.T) {
	tzif := fixedTZif(9*60*60, "JST")
	s := mustCompile(t, &schedulepb.ScheduleSpec{CronString: []string{"0 9 * * *"}, TimezoneName: "MyTokyo", TimezoneData: tzif})
	if got, _, _ := s.Next(utc(2026, 7, 1, 0, 0, 0)); !got.Equal(utc(2026, 7, 2, 0, 0, 0)) {
		t.Errorf("09:00 in Tokyo = %v, want 00:00 UTC", got)
	}
	if _, err := Compile(&schedulepb.ScheduleSpec{TimezoneName: "Bad", TimezoneData: []byte("not tzif")}, ""); err == nil {
		t.Error("bad timezone data compiled")
	}
	// A cron zone conflicts with timezone data.
	if _, err := Compile(&schedulepb.ScheduleSpec{CronString: []string{"CRON_TZ=Asia/Tokyo 0 9 * * *"}, TimezoneData: tzif}, ""); err == nil {
		t.Error("a cron zone with timezone data compiled")
	}
}

func TestCanonicalLeavesItsArgumentAlone(t *testing.T) {
	in := &schedulepb.ScheduleSpec{CronString: []string{"CRON_TZ=Asia/Tokyo 0 9 * * *"}, Calendar: []*schedulepb.CalendarSpec{{Hour: "5"}}}
	before := proto.Clone(in)
	if _, err := Canonical(in); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(in, before) {
		t.Error("Canonical changed its argument")
	}
	// The canonical form compiles to the same times.
	canon, _ := Canonical(in)
	a, b := mustCompile(t, in), mustCompile(t, canon)
	after := utc(2026, 1, 1, 0, 0, 0)
	for range 50 {
		x, _, _ := a.Next(after)
		y, _, _ := b.Next(after)
		if !x.Equal(y) {
			t.Fatalf("spec gives %v, its canonical form %v", x, y)
		}
		after = x
	}
}

// Zones with a single offset take the fast path; zones with daylight saving
// do not.
func TestFixedZones(t *testing.T) {
	for name, want := range map[string]bool{"": true, "UTC": true, "Etc/GMT+5": true, "America/New_York": false, "Asia/Kolkata": false} {
		zone, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := isFixed(zone); got != want {
			t.Errorf("isFixed(%q) = %v, want %v", name, got, want)
		}
	}
}

// fixedTZif returns version-1 TZif data for a zone with one offset.
func fixedTZif(offsetSeconds int32, abbreviation string) []byte {
	out := []byte("TZif")
	out = append(out, make([]byte, 16)...) // version 1, reserved
	// isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
	for _, n := range []uint32{0, 0, 0, 0, 1, uint32(len(abbreviation) + 1)} {
		out = binary.BigEndian.AppendUint32(out, n)
	}
	out = binary.BigEndian.AppendUint32(out, uint32(offsetSeconds))
	out = append(out, 0, 0) // not daylight saving; abbreviation at index 0
	return append(append(out, abbreviation...), 0)
}
