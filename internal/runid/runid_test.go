package runid

import (
	"regexp"
	"sort"
	"testing"
	"time"
)

var canonicalV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewIsVersion7WithTheTimestamp(t *testing.T) {
	now := time.Date(2026, 11, 22, 1, 2, 3, 456_000_000, time.UTC)
	id := New(now)
	if !canonicalV7.MatchString(id) {
		t.Fatalf("New = %q, not a canonical version 7 UUID", id)
	}
	want := now.UnixMilli()
	var got int64
	for _, c := range id[0:8] + id[9:13] {
		got = got<<4 | int64(hexValue(c))
	}
	if got != want {
		t.Fatalf("timestamp bits = %d, want %d", got, want)
	}
	if New(now) == id {
		t.Fatal("two New ids at the same millisecond are equal")
	}
}

func TestIdsSortByCreationTime(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 100 {
		ids = append(ids, New(base.Add(time.Duration(i)*time.Millisecond)))
	}
	if !sort.StringsAreSorted(ids) {
		t.Fatalf("ids created a millisecond apart do not sort by time: %v", ids[:5])
	}
}

func TestDerivedIsDeterministic(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := Derived(now, []byte("run-1/12"))
	if !canonicalV7.MatchString(a) {
		t.Fatalf("Derived = %q, not a canonical version 7 UUID", a)
	}
	if b := Derived(now, []byte("run-1/12")); b != a {
		t.Fatalf("Derived gave %q then %q for the same input", a, b)
	}
	if c := Derived(now, []byte("run-1/13")); c == a {
		t.Fatal("Derived gave the same id for different seeds")
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
