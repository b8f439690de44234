package converter_test

import (
	"errors"
	"testing"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
)

func TestEncodedValues(t *testing.T) {
	dc := converter.GetDefaultDataConverter()
	payloads, err := dc.ToPayloads("a", 2)
	if err != nil {
		t.Fatal(err)
	}
	values := converter.NewEncodedValues(payloads, dc)
	var s string
	var n int
	if !values.HasValues() || values.Get(&s, &n) != nil || s != "a" || n != 2 {
		t.Fatalf("Get gave %q %d", s, n)
	}
	var extra int
	if err := values.Get(&s, &n, &extra); !errors.Is(err, sundial.ErrTooManyArgs) {
		t.Fatalf("too many pointers: got %v", err)
	}
	if err := converter.NewEncodedValues(nil, dc).Get(&s); !errors.Is(err, sundial.ErrNoData) {
		t.Fatalf("empty values: got %v", err)
	}
	var _ sundial.EncodedValues = values // converter.EncodedValues must satisfy sundial's interface

	single := converter.NewEncodedValue(payloads.GetPayloads()[1], dc)
	if !single.HasValue() || single.Get(&n) != nil || n != 2 {
		t.Fatalf("EncodedValue.Get gave %d", n)
	}
	if err := converter.NewEncodedValue(nil, dc).Get(&n); !errors.Is(err, sundial.ErrNoData) {
		t.Fatalf("empty value: got %v", err)
	}
}
