package uuid

import (
	"regexp"
	"sort"
	"testing"
	"time"
)

var canonicalV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewTimeOrderedIsVersion7WithTheTimestamp(t *testing.T) {
	now := time.Date(2026, 11, 22, 1, 2, 3, 456_000_000, time.UTC)
	id := NewTimeOrdered(now)
	if !canonicalV7.MatchString(id) {
		t.Fatalf("NewTimeOrdered = %q, not a canonical version 7 UUID", id)
	}
	want := now.UnixMilli()
	var got int64
	for _, c := range id[0:8] + id[9:13] {
		got = got<<4 | int64(hexValue(c))
	}
	if got != want {
		t.Fatalf("timestamp bits = %d, want %d", got, want)
	}
	if NewTimeOrdered(now) == id {
		t.Fatal("two NewTimeOrdered ids at the same millisecond are equal")
	}
}

func TestIdsSortByCreationTime(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 100 {
		ids = append(ids, NewTimeOrdered(base.Add(time.Duration(i)*time.Millisecond)))
	}
	if !sort.StringsAreSorted(ids) {
		t.Fatalf("ids created a millisecond apart do not sort by time: %v", ids[:5])
	}
}

func TestDerivedTimeOrderedIsDeterministic(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := DerivedTimeOrdered(now, []byte("run-1/12"))
	if !canonicalV7.MatchString(a) {
		t.Fatalf("DerivedTimeOrdered = %q, not a canonical version 7 UUID", a)
	}
	if b := DerivedTimeOrdered(now, []byte("run-1/12")); b != a {
		t.Fatalf("DerivedTimeOrdered gave %q then %q for the same input", a, b)
	}
	if c := DerivedTimeOrdered(now, []byte("run-1/13")); c == a {
		t.Fatal("DerivedTimeOrdered gave the same id for different seeds")
	}
}

func hexValue(c rune) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	default:
		return int(c-'a') + 10
	}
}

var canonicalV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewRandomIsVersion4(t *testing.T) {
	a, b := NewRandom(), NewRandom()
	if !canonicalV4.MatchString(a) || a == b {
		t.Fatalf("NewRandom gave %q then %q", a, b)
	}
}
