package compat

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/schedule/spec"
	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/service/worker/scheduler"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

var agreementZones = []string{"", "UTC", "America/New_York", "Asia/Kolkata", "America/Sao_Paulo", "America/Santiago", "Asia/Tehran", "US/Pacific", "America/Chicago", "America/Havana", "Asia/Tokyo"}

func pickOne[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

func randomCronField(r *rand.Rand, lo, hi int, names []string) string {
	n := 1 + r.IntN(3)
	var parts []string
	for range n {
		a := lo + r.IntN(hi-lo+1)
		b := a + r.IntN(hi-a+1)
		v := func(x int) string {
			if names != nil && r.IntN(3) == 0 && x-lo < len(names) && x >= lo {
				return names[x-lo]
			}
			return fmt.Sprint(x)
		}
		switch r.IntN(7) {
		case 0:
			parts = append(parts, "*")
		case 1:
			parts = append(parts, fmt.Sprintf("*/%d", 1+r.IntN(hi-lo+1)))
		case 2:
			parts = append(parts, v(a))
		case 3:
			parts = append(parts, v(a)+"-"+v(b))
		case 4:
			parts = append(parts, fmt.Sprintf("%s-%s/%d", v(a), v(b), 1+r.IntN(5)))
		case 5:
			parts = append(parts, fmt.Sprintf("%d/%d", a, 1+r.IntN(10)))
		default:
			parts = append(parts, "*")
		}
	}
	return strings.Join(parts, ",")
}

var cronMonthNames = []string{"jan", "feb", "mar", "apr", "May", "june", "jul", "aug", "sep", "oct", "nov", "dec"}
var cronWeekdayNames = []string{"su", "mon", "tue", "wed", "thu", "fri", "sat", "sun"}

func randomCron(r *rand.Rand, zone string) string {
	var b strings.Builder
	if zone != "" && r.IntN(2) == 0 {
		b.WriteString(pickOne(r, "CRON_TZ=", "TZ=") + zone + " ")
	}
	switch r.IntN(10) {
	case 0:
		b.WriteString(pickOne(r, "@daily", "@hourly", "@weekly", "@monthly", "@yearly"))
	case 1:
		b.WriteString(fmt.Sprintf("@every %dm", 1+r.IntN(300)))
	default:
		n := pickOne(r, 5, 6, 7)
		var f []string
		if n == 7 {
			f = append(f, randomCronField(r, 0, 59, nil))
		}
		f = append(f, randomCronField(r, 0, 59, nil), randomCronField(r, 0, 23, nil), randomCronField(r, 1, 31, nil), randomCronField(r, 1, 12, cronMonthNames), randomCronField(r, 0, 7, cronWeekdayNames))
		if n >= 6 {
			f = append(f, pickOne(r, "*", "2026-2030", fmt.Sprint(2026+r.IntN(4)), "2026/2"))
		}
		b.WriteString(strings.Join(f, " "))
	}
	if r.IntN(4) == 0 {
		b.WriteString(" # note")
	}
	return b.String()
}

func randomScheduleSpec(r *rand.Rand) *schedulepb.ScheduleSpec {
	zone := pickOne(r, agreementZones...)
	s := &schedulepb.ScheduleSpec{}
	for range r.IntN(3) {
		s.CronString = append(s.CronString, randomCron(r, zone))
	}
	if len(s.CronString) == 0 || r.IntN(3) == 0 {
		s.TimezoneName = zone
		s.CronString = nil
		for range r.IntN(3) {
			s.Calendar = append(s.Calendar, &schedulepb.CalendarSpec{
				Second: pickOne(r, "", "0", randomCronField(r, 0, 59, nil)), Minute: pickOne(r, "", randomCronField(r, 0, 59, nil)), Hour: pickOne(r, "", randomCronField(r, 0, 23, nil)),
				DayOfMonth: pickOne(r, "", randomCronField(r, 1, 31, nil)), Month: pickOne(r, "", randomCronField(r, 1, 12, cronMonthNames)), DayOfWeek: pickOne(r, "", randomCronField(r, 0, 7, cronWeekdayNames)),
			})
		}
	}
	for range r.IntN(2) {
		iv := time.Duration(1+r.IntN(7200)) * time.Second
		s.Interval = append(s.Interval, &schedulepb.IntervalSpec{Interval: durationpb.New(iv), Phase: durationpb.New(time.Duration(r.Int64N(int64(iv/time.Second))) * time.Second)})
	}
	for range r.IntN(2) {
		s.ExcludeCalendar = append(s.ExcludeCalendar, &schedulepb.CalendarSpec{
			Second: pickOne(r, "*", "0", randomCronField(r, 0, 59, nil)), Minute: pickOne(r, "*", randomCronField(r, 0, 59, nil)), Hour: pickOne(r, "*", randomCronField(r, 0, 23, nil)),
			DayOfMonth: pickOne(r, "", randomCronField(r, 1, 31, nil)), Month: pickOne(r, "", randomCronField(r, 1, 12, cronMonthNames)), DayOfWeek: pickOne(r, "", randomCronField(r, 0, 7, cronWeekdayNames)),
		})
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if r.IntN(4) == 0 {
		s.StartTime = timestamppb.New(base.Add(time.Duration(r.Int64N(int64(300 * 24 * time.Hour)))))
	}
	if r.IntN(4) == 0 {
		s.EndTime = timestamppb.New(base.Add(time.Duration(r.Int64N(int64(400 * 24 * time.Hour)))))
	}
	return s
}

// TestScheduleSpecAgreesWithTemporal compiles random specs (cron strings,
// legacy calendars, intervals with phase, exclusions, start and end times,
// time zones) with Sundial's schedule/spec package and with Temporal's own
// scheduler code, and checks that both accept or refuse each with the same
// text, give the same canonical form (as DescribeSchedule shows it), and the
// same sequence of nominal action times.
//
// The zones are ones where Temporal's search follows the wall-clock rule; in
// zones where Go resolves a repeated local time to its later instant (most
// of Europe) Temporal's search departs from it on fall-back days, and
// Sundial keeps the rule (see the schedule/spec package documentation).
func TestScheduleSpecAgreesWithTemporal(t *testing.T) {
	b := scheduler.NewSpecBuilder(dynamicconfig.GetIntPropertyFn(0), dynamicconfig.GetIntPropertyFn(2*7*24*60*60))
	r := rand.New(rand.NewPCG(3, 4))
	checked, mism := 0, 0
	// Temporal's own compute limit (scheduler.specMaxIterations) is 2*7*24*60*60.
	for i := 0; i < 250 && mism < 10; i++ {
		s := randomScheduleSpec(r)
		theirs, terr := b.NewCompiledSpec(s)
		ours, oerr := spec.Compile(s, "seed")
		if (terr == nil) != (oerr == nil) || terr != nil && "Invalid schedule spec: "+terr.Error() != oerr.Error() {
			t.Errorf("spec %v: errors differ: temporal %v / ours %v", prototext.Format(s), terr, oerr)
			mism++
			continue
		}
		if terr != nil {
			continue
		}
		tc := proto.Clone(theirs.CanonicalForm()).(*schedulepb.ScheduleSpec)
		scheduler.CleanSpec(tc)
		if oc := ours.Canonical(); !proto.Equal(tc, oc) {
			t.Errorf("canonical differs for %v:\ntemporal %v\nours %v", prototext.Format(s), prototext.Format(tc), prototext.Format(oc))
			mism++
			continue
		}
		after := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		for k := 0; k < 40; k++ {
			res, err := theirs.GetNextTime("seed", after)
			if err != nil {
				break // Temporal's compute limit; Sundial's is the same
			}
			nominal, actual, ok := ours.Next(after)
			checked++
			if ok != !res.Nominal.IsZero() || ok && !nominal.Equal(res.Nominal) {
				t.Errorf("spec %v after %v: temporal %v, ours %v %v", prototext.Format(s), after, res.Nominal, nominal, ok)
				mism++
				break
			}
			if !ok {
				break
			}
			if d := actual.Sub(nominal); d != 0 {
				t.Errorf("actual %v differs from nominal %v without jitter", actual, nominal)
			}
			after = nominal
			if k%7 == 3 {
				after = after.Add(time.Duration(r.Int64N(int64(40 * 24 * time.Hour))))
			}
		}
	}
	t.Logf("%d next times agree", checked)
}
