package converter

import (
	"fmt"
	"reflect"

	commonpb "go.temporal.io/api/common/v1"
)

// ByteSlicePayloadConverter passes []byte through unchanged as binary/plain.
type ByteSlicePayloadConverter struct{}

// ToPayload handles []byte only.
func (ByteSlicePayloadConverter) ToPayload(value any) (*commonpb.Payload, error) {
	if b, ok := value.([]byte); ok {
		return newPayload(b, EncodingBinary), nil
	}
	return nil, nil
}

// FromPayload sets a *[]byte (or a byte-slice type, or an interface) to the payload data.
func (ByteSlicePayloadConverter) FromPayload(payload *commonpb.Payload, valuePtr any) error {
	target, err := settableTarget(valuePtr)
	if err != nil {
		return err
	}
	data := payload.GetData()
	switch {
	case target.Kind() == reflect.Interface && reflect.TypeOf(data).AssignableTo(target.Type()):
		target.Set(reflect.ValueOf(data))
	case target.Kind() == reflect.Slice && target.Type().Elem().Kind() == reflect.Uint8:
		target.SetBytes(data)
	default:
		return fmt.Errorf("%T: %w", valuePtr, ErrNotByteSlice)
	}
	return nil
}

// Encoding is binary/plain.
func (ByteSlicePayloadConverter) Encoding() string { return EncodingBinary }
