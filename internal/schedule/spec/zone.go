package spec

import (
	"fmt"
	"math"
	"sync"
	"time"

	schedulepb "go.temporal.io/api/schedule/v1"
)

// maxCachedZones bounds a Compiler's zone cache. Only names that load are
// kept, and the zone database has fewer than this.
const maxCachedZones = 1000

// Compiler compiles specs like Compile, and shares the time zones it loads
// among the specs it compiles: a schedules engine holding thousands of specs
// keeps one copy of each zone instead of one per spec. It is safe for
// concurrent use; the zero value is ready.
type Compiler struct {
	mu    sync.Mutex
	zones map[string]*time.Location
}

// Compile is the package-level Compile, with the compiler's zone cache.
func (c *Compiler) Compile(s *schedulepb.ScheduleSpec, jitterSeed string) (*Spec, error) {
	return compile(s, jitterSeed, c)
}

// loadZone loads the spec's zone: from timezone_data when given, else by
// timezone_name ("" is UTC), through the cache when there is one.
func (c *Compiler) loadZone(s *schedulepb.ScheduleSpec) (*time.Location, error) {
	if s.TimezoneData != nil {
		zone, err := time.LoadLocationFromTZData(s.TimezoneName, s.TimezoneData)
		if err != nil {
			return nil, fmt.Errorf("reading timezone data: %w", err)
		}
		return zone, nil
	}
	if c == nil {
		return time.LoadLocation(s.TimezoneName)
	}
	c.mu.Lock()
	zone, ok := c.zones[s.TimezoneName]
	c.mu.Unlock()
	if ok {
		return zone, nil
	}
	zone, err := time.LoadLocation(s.TimezoneName)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.zones == nil {
		c.zones = make(map[string]*time.Location)
	}
	if len(c.zones) < maxCachedZones {
		c.zones[s.TimezoneName] = zone
	}
	return zone, nil
}

// span is a stretch of time with one UTC offset, in which wall clock and
// instant move together.
type span struct {
	offset int64 // seconds east of UTC
	end    int64 // first second of the next span; math.MaxInt64 if none
}

// isFixed reports whether a zone has one offset for all time.
func isFixed(zone *time.Location) bool {
	start, end := time.Unix(0, 0).In(zone).ZoneBounds()
	return start.IsZero() && end.IsZero()
}

// spanAt returns the span of the spec's zone that contains second t.
func (s *Spec) spanAt(t int64) span {
	if s.fixedZone {
		return span{offset: s.fixedOffset, end: math.MaxInt64}
	}
	local := time.Unix(t, 0).In(s.zone)
	_, offset := local.Zone()
	_, end := local.ZoneBounds()
	if end.IsZero() {
		return span{offset: int64(offset), end: math.MaxInt64}
	}
	return span{offset: int64(offset), end: end.Unix()}
}
