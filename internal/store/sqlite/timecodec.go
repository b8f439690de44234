package sqlite

import "time"

// timeToColumn encodes t as unix nanoseconds, with 0 for the zero time. Times
// outside the years 1678–2262 do not fit and are not used by the engine.
func timeToColumn(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// timeFromColumn decodes timeToColumn's encoding to a UTC time.
func timeFromColumn(nanos int64) time.Time {
	if nanos == 0 {
		return time.Time{}
	}
	return time.Unix(0, nanos).UTC()
}
