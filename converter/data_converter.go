package converter

import (
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
)

// DataConverter converts values of any supported encoding.
type DataConverter interface {
	// ToPayload encodes one value.
	ToPayload(value any) (*commonpb.Payload, error)
	// FromPayload decodes one payload into the variable valuePtr points to. A nil payload
	// leaves the variable untouched.
	FromPayload(payload *commonpb.Payload, valuePtr any) error
	// ToPayloads encodes a list of values; no values give nil.
	ToPayloads(values ...any) (*commonpb.Payloads, error)
	// FromPayloads decodes payloads in order into valuePtrs. Extra payloads are ignored;
	// extra pointers are left untouched.
	FromPayloads(payloads *commonpb.Payloads, valuePtrs ...any) error
}

// compositeDataConverter tries its payload converters in order when encoding and picks
// one by the payload's encoding when decoding.
type compositeDataConverter struct {
	ordered    []PayloadConverter
	byEncoding map[string]PayloadConverter
}

// NewCompositeDataConverter returns a DataConverter that encodes a value with the first
// converter that accepts it, and decodes a payload with the converter of its encoding.
func NewCompositeDataConverter(converters ...PayloadConverter) DataConverter {
	c := &compositeDataConverter{
		ordered:    append([]PayloadConverter(nil), converters...),
		byEncoding: make(map[string]PayloadConverter, len(converters)),
	}
	for _, pc := range converters {
		c.byEncoding[pc.Encoding()] = pc
	}
	return c
}

// GetDefaultDataConverter returns the converter Temporal's SDKs use by default:
// binary/null, binary/plain, json/protobuf, binary/protobuf, json/plain, in that order.
// It is safe for concurrent use.
func GetDefaultDataConverter() DataConverter {
	return NewCompositeDataConverter(
		NilPayloadConverter{},
		ByteSlicePayloadConverter{},
		ProtoJSONPayloadConverter{},
		ProtoPayloadConverter{},
		JSONPayloadConverter{},
	)
}

func (c *compositeDataConverter) ToPayload(value any) (*commonpb.Payload, error) {
	if raw, ok := value.(RawValue); ok {
		return raw.Payload(), nil
	}
	for _, pc := range c.ordered {
		payload, err := pc.ToPayload(value)
		if err != nil {
			return nil, fmt.Errorf("%s converter: %w", pc.Encoding(), err)
		}
		if payload != nil {
			return payload, nil
		}
	}
	return nil, fmt.Errorf("value of type %T: %w", value, ErrNoConverter)
}

func (c *compositeDataConverter) FromPayload(payload *commonpb.Payload, valuePtr any) error {
	if payload == nil {
		return nil
	}
	if raw, ok := valuePtr.(*RawValue); ok {
		*raw = NewRawValue(payload)
		return nil
	}
	enc, err := payloadEncoding(payload)
	if err != nil {
		return err
	}
	pc, ok := c.byEncoding[enc]
	if !ok {
		return fmt.Errorf("encoding %q: %w", enc, ErrEncodingNotSupported)
	}
	return pc.FromPayload(payload, valuePtr)
}

func (c *compositeDataConverter) ToPayloads(values ...any) (*commonpb.Payloads, error) {
	return toPayloads(c, values)
}

func (c *compositeDataConverter) FromPayloads(payloads *commonpb.Payloads, valuePtrs ...any) error {
	return fromPayloads(c, payloads, valuePtrs)
}

// toPayloads encodes each value with dc.ToPayload.
func toPayloads(dc DataConverter, values []any) (*commonpb.Payloads, error) {
	if len(values) == 0 {
		return nil, nil
	}
	result := &commonpb.Payloads{Payloads: make([]*commonpb.Payload, len(values))}
	for i, v := range values {
		p, err := dc.ToPayload(v)
		if err != nil {
			return nil, fmt.Errorf("value %d: %w", i, err)
		}
		result.Payloads[i] = p
	}
	return result, nil
}

// fromPayloads decodes payloads one by one with dc.FromPayload.
func fromPayloads(dc DataConverter, payloads *commonpb.Payloads, valuePtrs []any) error {
	for i, p := range payloads.GetPayloads() {
		if i >= len(valuePtrs) {
			break
		}
		if err := dc.FromPayload(p, valuePtrs[i]); err != nil {
			return fmt.Errorf("payload %d: %w", i, err)
		}
	}
	return nil
}
