package converter

import commonpb "go.temporal.io/api/common/v1"

// RawValue is a payload kept as it is. Data converters pass a RawValue through without
// encoding it, and decode into a *RawValue by storing the payload untouched; dynamic
// activities use it to receive arguments whose types they do not know in advance.
type RawValue struct {
	payload *commonpb.Payload
}

// NewRawValue wraps a payload.
func NewRawValue(payload *commonpb.Payload) RawValue { return RawValue{payload: payload} }

// Payload returns the wrapped payload.
func (r RawValue) Payload() *commonpb.Payload { return r.payload }
