package converter

import (
	"fmt"
	"reflect"

	commonpb "go.temporal.io/api/common/v1"
)

// NilPayloadConverter encodes nil (and nil pointers) as an empty binary/null payload and
// decodes such a payload as the zero value.
type NilPayloadConverter struct{}

// ToPayload handles nil and nil pointers only.
func (NilPayloadConverter) ToPayload(value any) (*commonpb.Payload, error) {
	if isNil(value) {
		return newPayload(nil, EncodingNil), nil
	}
	return nil, nil
}

// FromPayload sets the target to its zero value.
func (NilPayloadConverter) FromPayload(_ *commonpb.Payload, valuePtr any) error {
	target, err := settableTarget(valuePtr)
	if err != nil {
		return err
	}
	target.Set(reflect.Zero(target.Type()))
	return nil
}

// Encoding is binary/null.
func (NilPayloadConverter) Encoding() string { return EncodingNil }

func isNil(value any) bool {
	if value == nil {
		return true
	}
	v := reflect.ValueOf(value)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// settableTarget returns the variable valuePtr points to.
func settableTarget(valuePtr any) (reflect.Value, error) {
	v := reflect.ValueOf(valuePtr)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return reflect.Value{}, fmt.Errorf("%T: %w", valuePtr, ErrNotPointer)
	}
	return v.Elem(), nil
}
