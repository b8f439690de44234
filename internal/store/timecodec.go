package store

import "time"

// TimeToColumn is how the SQL drivers store a time: Unix nanoseconds, with 0
// for the zero time. Times outside the years 1678–2262 do not fit and are
// not used by the engine. The shared visibility SQL expects this encoding.
func TimeToColumn(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// TimeFromColumn decodes TimeToColumn's encoding to a UTC time.
func TimeFromColumn(nanos int64) time.Time {
	if nanos == 0 {
		return time.Time{}
	}
	return time.Unix(0, nanos).UTC()
}
