package converter

import (
	"fmt"

	"github.com/sundialdev/sundial"
	commonpb "go.temporal.io/api/common/v1"
)

// EncodedValue is one payload that decodes on request with a DataConverter, such as a
// query result.
type EncodedValue struct {
	payload       *commonpb.Payload
	dataConverter DataConverter
}

// NewEncodedValue wraps a payload and the converter that decodes it.
func NewEncodedValue(payload *commonpb.Payload, dc DataConverter) *EncodedValue {
	return &EncodedValue{payload: payload, dataConverter: dc}
}

// HasValue reports whether there is a payload.
func (v *EncodedValue) HasValue() bool { return v != nil && v.payload != nil }

// Get decodes the payload into valuePtr; sundial.ErrNoData if there is none.
func (v *EncodedValue) Get(valuePtr any) error {
	if !v.HasValue() {
		return sundial.ErrNoData
	}
	return v.dataConverter.FromPayload(v.payload, valuePtr)
}

// Payload returns the payload as received.
func (v *EncodedValue) Payload() *commonpb.Payload {
	if v == nil {
		return nil
	}
	return v.payload
}

// EncodedValues is a list of payloads that decode on request with a DataConverter, such
// as the details of a decoded error or heartbeat. It implements sundial.EncodedValues.
type EncodedValues struct {
	payloads      *commonpb.Payloads
	dataConverter DataConverter
}

// NewEncodedValues wraps payloads and the converter that decodes them.
func NewEncodedValues(payloads *commonpb.Payloads, dc DataConverter) *EncodedValues {
	return &EncodedValues{payloads: payloads, dataConverter: dc}
}

// HasValues reports whether there is at least one payload.
func (v *EncodedValues) HasValues() bool { return v != nil && len(v.payloads.GetPayloads()) > 0 }

// Get decodes the payloads, in order, into valuePtrs. More pointers than payloads is an error.
func (v *EncodedValues) Get(valuePtrs ...any) error {
	if !v.HasValues() {
		return sundial.ErrNoData
	}
	if n := len(v.payloads.GetPayloads()); len(valuePtrs) > n {
		return fmt.Errorf("%d value pointers for %d payloads: %w", len(valuePtrs), n, sundial.ErrTooManyArgs)
	}
	return v.dataConverter.FromPayloads(v.payloads, valuePtrs...)
}

// Payloads returns the payloads as received.
func (v *EncodedValues) Payloads() *commonpb.Payloads {
	if v == nil {
		return nil
	}
	return v.payloads
}
