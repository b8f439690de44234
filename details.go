package sundial

import (
	"errors"
	"fmt"
	"reflect"
)

// ErrNoData is returned when decoding details from an error that carries none.
var ErrNoData = errors.New("no data available")

// ErrTooManyArgs is returned when more value pointers are given than there are values.
var ErrTooManyArgs = errors.New("too many arguments")

// EncodedValues is a list of values in their encoded (payload) form that decode into Go
// variables on request. The converter package implements it; errors decoded from a
// Failure carry their details this way.
type EncodedValues interface {
	// HasValues reports whether there is at least one value.
	HasValues() bool
	// Get decodes the values, in order, into the given pointers. Passing fewer pointers
	// than there are values is allowed; passing more returns an error.
	Get(valuePtrs ...any) error
}

// detailValues are the details an error carries: either plain Go values given to a
// constructor, or a single EncodedValues when the error was decoded from a Failure.
type detailValues []any

func (d detailValues) encoded() (EncodedValues, bool) {
	if len(d) != 1 {
		return nil, false
	}
	ev, ok := d[0].(EncodedValues)
	return ev, ok
}

func (d detailValues) hasValues() bool {
	if ev, ok := d.encoded(); ok {
		return ev.HasValues()
	}
	return len(d) > 0
}

// get fills valuePtrs from the details. Plain values are assigned directly, so the
// pointer's element type must accept the value's type.
func (d detailValues) get(valuePtrs ...any) error {
	if !d.hasValues() {
		return ErrNoData
	}
	if ev, ok := d.encoded(); ok {
		return ev.Get(valuePtrs...)
	}
	if len(valuePtrs) > len(d) {
		return fmt.Errorf("%d value pointers for %d details: %w", len(valuePtrs), len(d), ErrTooManyArgs)
	}
	for i, ptr := range valuePtrs {
		if err := assignValue(d[i], ptr); err != nil {
			return fmt.Errorf("detail %d: %w", i, err)
		}
	}
	return nil
}

func assignValue(value, ptr any) error {
	target := reflect.ValueOf(ptr)
	if target.Kind() != reflect.Pointer || target.IsNil() {
		return fmt.Errorf("value pointer %T is not a non-nil pointer", ptr)
	}
	elem := target.Elem()
	source := reflect.ValueOf(value)
	if !source.IsValid() {
		elem.Set(reflect.Zero(elem.Type()))
		return nil
	}
	if !source.Type().AssignableTo(elem.Type()) {
		return fmt.Errorf("cannot assign %T to %s", value, elem.Type())
	}
	elem.Set(source)
	return nil
}
