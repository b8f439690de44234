package spec

import (
	"math"
	"time"
)

const (
	// maxExclusionSkips bounds how many excluded candidates one Next call
	// steps over before it gives up, as Temporal's scheduler.specMaxIterations
	// does by default (two weeks of seconds). Each step skips a whole run of
	// times one exclusion hides, so ordinary specs need a handful.
	maxExclusionSkips = 2 * 7 * 24 * 60 * 60
	// matchingTimesSkips bounds the excluded candidates one MatchingTimes
	// call steps over in all.
	matchingTimesSkips = 2 * maxExclusionSkips
	// maxZoneSegments bounds how many spans of constant UTC offset one
	// calendar search crosses (two a year in most zones).
	maxZoneSegments = 2_000
	// MaxMatchingTimes caps MatchingTimes, as Temporal caps
	// ListScheduleMatchingTimes.
	MaxMatchingTimes = 1000
)

// lastInstant is the end of maxCalendarYear in UTC: nothing is nominal after it.
var lastInstant = daysSinceEpoch(maxCalendarYear+1, 1, 1)*secondsPerDay - 1

// Next returns the first nominal action time strictly after `after` (at
// one-second resolution) and its actual time: nominal plus a jitter derived
// from the jitter seed and the nominal time, below the spec's jitter and
// below the gap to the following nominal time. ok is false when no time
// follows: the end time has passed, nothing matches any more, or the
// exclusions hide every candidate for longer than the search allows.
func (s *Spec) Next(after time.Time) (nominal, actual time.Time, ok bool) {
	budget := maxExclusionSkips
	return s.next(after, &budget)
}

// next is Next with a budget of excluded candidates, which it decreases.
func (s *Spec) next(after time.Time, budget *int) (nominal, actual time.Time, ok bool) {
	if after.Before(s.notBefore) {
		after = s.notBefore
	}
	from := after.Unix() // the second containing after
	for ; *budget > 0; *budget-- {
		candidate, found := s.rawNext(from)
		if !found || s.pastEnd(candidate) {
			return time.Time{}, time.Time{}, false
		}
		skipTo, excluded, forever := s.exclusion(candidate)
		if !excluded {
			nominal = time.Unix(candidate, 0).UTC()
			return nominal, nominal.Add(s.jitterFor(candidate)), true
		}
		if forever {
			return time.Time{}, time.Time{}, false
		}
		from = skipTo - 1
	}
	return time.Time{}, time.Time{}, false
}

// MatchingTimes returns the actual action times after start and up to end,
// at most limit of them (and never more than MaxMatchingTimes), as Temporal
// answers ListScheduleMatchingTimes: each search continues from the previous
// actual time.
func (s *Spec) MatchingTimes(start, end time.Time, limit int) []time.Time {
	limit = min(limit, MaxMatchingTimes)
	budget := matchingTimesSkips
	var out []time.Time
	for t := start; len(out) < limit; {
		_, actual, ok := s.next(t, &budget)
		if !ok || actual.After(end) {
			break
		}
		out = append(out, actual)
		t = actual
	}
	return out
}

func (s *Spec) pastEnd(t int64) bool {
	return t > lastInstant || s.hasEnd && time.Unix(t, 0).After(s.end)
}

// rawNext returns the first second after `after` that a calendar or an
// interval matches, ignoring exclusions, start and end.
func (s *Spec) rawNext(after int64) (int64, bool) {
	best, found := int64(math.MaxInt64), false
	for _, c := range s.calendars {
		if t, ok := s.calendarNext(c, after); ok && t < best {
			best, found = t, true
		}
	}
	for _, iv := range s.intervals {
		if t := (floorDiv(after-iv.phase, iv.every)+1)*iv.every + iv.phase; t < best {
			best, found = t, true
		}
	}
	return best, found
}

// calendarNext returns the first second after `after` whose wall clock in
// the spec's zone matches c. It walks the spans of constant UTC offset, in
// each of which wall clock and instant move together.
func (s *Spec) calendarNext(c *calendar, after int64) (int64, bool) {
	t := after + 1
	for range maxZoneSegments {
		sp := s.spanAt(t)
		limit := int64(math.MaxInt64)
		if sp.end != math.MaxInt64 {
			limit = sp.end + sp.offset
		}
		wall, result := c.nextWall(t+sp.offset, limit)
		switch {
		case result == neverAgain:
			return 0, false
		case result == found && wall-sp.offset < sp.end:
			return wall - sp.offset, true
		case sp.end == math.MaxInt64:
			return 0, false
		}
		t = sp.end
	}
	return 0, false
}

// exclusion reports whether an exclusion calendar matches t and, if so, the
// first second after t that the matching exclusions may no longer hide.
// forever is set when they hide every later time.
func (s *Spec) exclusion(t int64) (skipTo int64, excluded, forever bool) {
	if len(s.exclusions) == 0 {
		return 0, false, false
	}
	sp := s.spanAt(t)
	wall := t + sp.offset
	for _, e := range s.exclusions {
		if !e.matchesWall(wall) {
			continue
		}
		excluded = true
		next := int64(math.MaxInt64)
		if miss, ok := e.firstMiss(wall); ok {
			next = miss - sp.offset
		}
		// Past the span's end the wall clock jumps; look again from there.
		next = min(next, sp.end)
		skipTo = max(skipTo, next)
	}
	return skipTo, excluded, excluded && skipTo == math.MaxInt64
}

// jitterFor returns the jitter of a nominal time: a hash of the seed and
// the time scaled into [0, max), where max is the spec's jitter capped by
// the gap to the following nominal time, in whole milliseconds.
func (s *Spec) jitterFor(nominal int64) time.Duration {
	if s.jitter <= 0 {
		return 0
	}
	limit := s.jitter
	if following, ok := s.rawNext(nominal); ok {
		limit = min(limit, time.Duration(following-nominal)*time.Second)
	}
	ms := uint64(min(limit.Milliseconds(), math.MaxUint32))
	if ms == 0 {
		return 0
	}
	sum := fnv1a(fnvOffset, s.jitterSeed)
	for shift := 56; shift >= 0; shift -= 8 {
		sum = (sum ^ uint64(nominal)>>shift&0xff) * fnvPrime
	}
	fraction := uint64(uint32(sum ^ sum>>32))
	return time.Duration(fraction*ms>>32) * time.Millisecond
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fnv1a continues a 64-bit FNV-1a hash over text.
func fnv1a(sum uint64, text string) uint64 {
	for i := 0; i < len(text); i++ {
		sum ^= uint64(text[i])
		sum *= fnvPrime
	}
	return sum
}
