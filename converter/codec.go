package converter

import (
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
)

// PayloadCodec transforms encoded payloads, for example to compress or encrypt them.
// Decode must undo Encode; both must return as many payloads as they are given.
type PayloadCodec interface {
	Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error)
	Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error)
}

// codecDataConverter encodes with its parent, then runs the codecs.
type codecDataConverter struct {
	parent DataConverter
	codecs []PayloadCodec
}

// NewCodecDataConverter returns a DataConverter that encodes values with parent and
// then applies the codecs, the last one first, so the first codec is the outermost layer;
// decoding applies them in the given order, then decodes with parent. This is the order
// Temporal's SDKs and codec servers use: with (encrypt, compress) a payload is
// compressed, then encrypted.
func NewCodecDataConverter(parent DataConverter, codecs ...PayloadCodec) DataConverter {
	return &codecDataConverter{parent: parent, codecs: append([]PayloadCodec(nil), codecs...)}
}

func (c *codecDataConverter) encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	for i := len(c.codecs) - 1; i >= 0; i-- {
		out, err := c.codecs[i].Encode(payloads)
		if err != nil {
			return nil, fmt.Errorf("codec %d encoding: %w", i, err)
		}
		if len(out) != len(payloads) {
			return nil, fmt.Errorf("codec %d encoded %d payloads into %d", i, len(payloads), len(out))
		}
		payloads = out
	}
	return payloads, nil
}

func (c *codecDataConverter) decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	for i, codec := range c.codecs {
		out, err := codec.Decode(payloads)
		if err != nil {
			return nil, fmt.Errorf("codec %d decoding: %w", i, err)
		}
		if len(out) != len(payloads) {
			return nil, fmt.Errorf("codec %d decoded %d payloads into %d", i, len(payloads), len(out))
		}
		payloads = out
	}
	return payloads, nil
}

func (c *codecDataConverter) ToPayload(value any) (*commonpb.Payload, error) {
	p, err := c.parent.ToPayload(value)
	if err != nil || p == nil {
		return p, err
	}
	out, err := c.encode([]*commonpb.Payload{p})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

func (c *codecDataConverter) FromPayload(payload *commonpb.Payload, valuePtr any) error {
	if payload == nil {
		return nil
	}
	out, err := c.decode([]*commonpb.Payload{payload})
	if err != nil {
		return err
	}
	return c.parent.FromPayload(out[0], valuePtr)
}

func (c *codecDataConverter) ToPayloads(values ...any) (*commonpb.Payloads, error) {
	ps, err := c.parent.ToPayloads(values...)
	if err != nil || ps == nil {
		return ps, err
	}
	out, err := c.encode(ps.GetPayloads())
	if err != nil {
		return nil, err
	}
	return &commonpb.Payloads{Payloads: out}, nil
}

func (c *codecDataConverter) FromPayloads(payloads *commonpb.Payloads, valuePtrs ...any) error {
	if payloads == nil {
		return nil
	}
	out, err := c.decode(payloads.GetPayloads())
	if err != nil {
		return err
	}
	return c.parent.FromPayloads(&commonpb.Payloads{Payloads: out}, valuePtrs...)
}
