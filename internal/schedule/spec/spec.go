package spec

import (
	"time"

	schedulepb "go.temporal.io/api/schedule/v1"
)

// Spec is a validated, compiled ScheduleSpec. It is immutable and safe for
// concurrent use.
type Spec struct {
	canonical  *schedulepb.ScheduleSpec
	zone       *time.Location
	calendars  []*calendar
	intervals  []interval
	exclusions []*calendar
	jitterSeed string
	jitter     time.Duration
	// notBefore is the earliest instant searches start from: a second
	// before start_time, or before the Unix epoch when there is none.
	notBefore time.Time
	end       time.Time
	hasEnd    bool
	// fixedZone is set when the zone has a single offset, fixedOffset.
	fixedZone   bool
	fixedOffset int64
}

// interval fires at every multiple of every (in seconds) after the Unix
// epoch, moved by phase.
type interval struct {
	every, phase int64
}

// Compile validates s and prepares it for Next. jitterSeed makes the jitter
// of this schedule differ from other schedules' (Temporal uses the
// namespace id and schedule id). Errors are *InvalidError, whose text is the
// one Temporal answers with InvalidArgument.
//
// Compile loads the spec's zone afresh each call; a Compiler shares zones
// among the specs it compiles.
func Compile(s *schedulepb.ScheduleSpec, jitterSeed string) (*Spec, error) {
	return compile(s, jitterSeed, nil)
}

// compile is Compile, loading zones through zones (which may be nil).
func compile(s *schedulepb.ScheduleSpec, jitterSeed string, zones *Compiler) (*Spec, error) {
	if s == nil {
		s = &schedulepb.ScheduleSpec{}
	}
	if err := checkSizes(s); err != nil {
		return nil, invalid(err)
	}
	if err := checkTimes(s); err != nil {
		return nil, invalid(err)
	}
	canonical, err := canonicalize(s)
	if err != nil {
		return nil, invalid(err)
	}
	for _, c := range canonical.StructuredCalendar {
		if err := checkCalendar(c); err != nil {
			return nil, invalid(err)
		}
	}
	for _, c := range canonical.ExcludeStructuredCalendar {
		if err := checkCalendar(c); err != nil {
			return nil, invalid(err)
		}
	}
	for _, iv := range canonical.Interval {
		if err := checkInterval(iv); err != nil {
			return nil, invalid(err)
		}
	}
	zone, err := zones.loadZone(canonical)
	if err != nil {
		return nil, invalid(err)
	}

	out := &Spec{
		canonical:  canonical,
		zone:       zone,
		jitterSeed: jitterSeed,
		jitter:     max(canonical.GetJitter().AsDuration(), 0),
		notBefore:  canonical.GetStartTime().AsTime().Add(-time.Second),
		fixedZone:  isFixed(zone),
	}
	if out.fixedZone {
		_, offset := time.Unix(0, 0).In(zone).Zone()
		out.fixedOffset = int64(offset)
	}
	if end := canonical.GetEndTime(); end != nil {
		out.end, out.hasEnd = end.AsTime(), true
	}
	for _, c := range canonical.StructuredCalendar {
		out.calendars = append(out.calendars, compileCalendar(c))
	}
	for _, c := range canonical.ExcludeStructuredCalendar {
		out.exclusions = append(out.exclusions, compileCalendar(c))
	}
	for _, iv := range canonical.Interval {
		out.intervals = append(out.intervals, interval{
			every: int64(iv.GetInterval().AsDuration() / time.Second),
			phase: int64(iv.GetPhase().AsDuration() / time.Second),
		})
	}
	return out, nil
}

// Zone returns the time zone the spec's calendars are read in.
func (s *Spec) Zone() *time.Location { return s.zone }
