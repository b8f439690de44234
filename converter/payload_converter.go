package converter

import (
	"errors"

	commonpb "go.temporal.io/api/common/v1"
)

// Metadata keys and encodings, as used by every Temporal SDK.
const (
	// MetadataEncoding is the payload metadata key naming the encoding.
	MetadataEncoding = "encoding"
	// MetadataMessageType is the payload metadata key naming a protobuf message's full name.
	MetadataMessageType = "messageType"

	EncodingNil       = "binary/null"
	EncodingBinary    = "binary/plain"
	EncodingProtoJSON = "json/protobuf"
	EncodingProto     = "binary/protobuf"
	EncodingJSON      = "json/plain"
)

// Errors wrapped by the converters, for errors.Is.
var (
	ErrEncodingNotSet       = errors.New("payload has no encoding metadata")
	ErrEncodingNotSupported = errors.New("payload encoding is not supported")
	ErrNoConverter          = errors.New("no payload converter handles the value")
	ErrNotPointer           = errors.New("value pointer is not a non-nil pointer")
	ErrNotProtoMessage      = errors.New("type does not implement proto.Message")
	ErrNotByteSlice         = errors.New("type is not a byte slice")
	ErrInterfaceTarget      = errors.New("target must be a concrete type, not an interface")
)

// PayloadConverter converts values of one encoding.
type PayloadConverter interface {
	// ToPayload encodes value, or returns (nil, nil) when this converter does not handle it.
	ToPayload(value any) (*commonpb.Payload, error)
	// FromPayload decodes payload into the variable valuePtr points to.
	FromPayload(payload *commonpb.Payload, valuePtr any) error
	// Encoding is the value of the "encoding" metadata this converter writes and reads.
	Encoding() string
}

// newPayload builds a payload with only the encoding in its metadata.
func newPayload(data []byte, encoding string) *commonpb.Payload {
	return &commonpb.Payload{
		Metadata: map[string][]byte{MetadataEncoding: []byte(encoding)},
		Data:     data,
	}
}

// payloadEncoding reads the encoding metadata of a payload.
func payloadEncoding(payload *commonpb.Payload) (string, error) {
	enc, ok := payload.GetMetadata()[MetadataEncoding]
	if !ok {
		return "", ErrEncodingNotSet
	}
	return string(enc), nil
}
