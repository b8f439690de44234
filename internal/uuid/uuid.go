// Package uuid makes the UUIDs (RFC 9562) the engine hands out, in their
// canonical text form: random version 4 ones for request and namespace ids,
// and version 7 ones, whose first 48 bits are the creation time in Unix
// milliseconds, for run ids.
//
// Time-ordered run ids keep the runs that are alive now next to each other in
// every index keyed by run id (a run's history above all): a commit touches a
// few hot pages at the end of the index instead of one random page per run.
package uuid

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// NewRandom returns a random (version 4) UUID.
func NewRandom() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return format(b)
}

// NewTimeOrdered returns a fresh version 7 UUID for something created at now;
// its 74 bits after the timestamp are random.
func NewTimeOrdered(now time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[6:])
	return format(stamp(b, now))
}

// DerivedTimeOrdered returns the version 7 UUID for something created at now
// that is fully determined by seed: the same inputs give the same id,
// different seeds collide no more often than random ids do.
func DerivedTimeOrdered(now time.Time, seed []byte) string {
	sum := sha256.Sum256(seed)
	var b [16]byte
	copy(b[6:], sum[:10])
	return format(stamp(b, now))
}

// stamp writes the millisecond timestamp and the version and variant bits.
func stamp(b [16]byte, now time.Time) [16]byte {
	ms := uint64(now.UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	b[6] = (b[6] & 0x0f) | 0x70
	b[8] = (b[8] & 0x3f) | 0x80
	return b
}

// format renders b in the canonical 8-4-4-4-12 hex form.
func format(b [16]byte) string {
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}
