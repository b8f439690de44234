package funcname

import (
	"strings"
	"testing"
)

func Charge() {}

type acts struct{}

func (*acts) Refund() {}
func (acts) Ship()    {}

func TestOfNamesFunctionsAndMethods(t *testing.T) {
	var a *acts
	cases := []struct {
		fn   any
		want string
	}{
		{Charge, "Charge"},
		{a.Refund, "Refund"},
		{(*acts).Refund, "Refund"},
		{acts{}.Ship, "Ship"},
		{strings.ToUpper, "ToUpper"},
	}
	for _, tc := range cases {
		got, err := Of(tc.fn)
		if err != nil {
			t.Fatalf("Of(%T): %v", tc.fn, err)
		}
		if got != tc.want {
			t.Errorf("Of(%T) = %q, want %q", tc.fn, got, tc.want)
		}
	}
}

func TestOfRejectsNonFunctionsNilAndAnonymous(t *testing.T) {
	var nilFn func()
	cases := map[string]any{
		"not a function": 42,
		"nil function":   nilFn,
		"anonymous":      func() {},
		"nested":         func() any { return func() {} }(),
	}
	for name, fn := range cases {
		if got, err := Of(fn); err == nil {
			t.Errorf("%s: Of returned %q, want an error", name, got)
		}
	}
}
