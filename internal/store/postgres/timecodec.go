package postgres

import "time"

// timeToColumn encodes t as Unix nanoseconds, with 0 for the zero time (the
// SQLite store's encoding, which the shared visibility SQL expects).
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
