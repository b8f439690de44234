package converter

import (
	"bytes"
	"fmt"
	"reflect"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// ProtoJSONPayloadConverter encodes protobuf messages with protojson as json/protobuf and
// records the message's full name under "messageType".
type ProtoJSONPayloadConverter struct{}

// ProtoPayloadConverter encodes protobuf messages in the binary wire format as
// binary/protobuf and records the message's full name under "messageType".
type ProtoPayloadConverter struct{}

// jsonNull is what a nil message becomes under json/protobuf.
var jsonNull = []byte("null")

// ToPayload handles protobuf messages (and values whose pointer is one).
func (ProtoJSONPayloadConverter) ToPayload(value any) (*commonpb.Payload, error) {
	if isNil(value) {
		return newPayload(jsonNull, EncodingProtoJSON), nil
	}
	msg, ok := asProtoMessage(value)
	if !ok {
		return nil, nil
	}
	data, err := protojson.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("encoding %T as protobuf JSON: %w", value, err)
	}
	return newProtoPayload(data, EncodingProtoJSON, msg), nil
}

// FromPayload decodes protobuf JSON into the message valuePtr points to.
func (ProtoJSONPayloadConverter) FromPayload(payload *commonpb.Payload, valuePtr any) error {
	if bytes.Equal(payload.GetData(), jsonNull) {
		target, err := settableTarget(valuePtr)
		if err != nil {
			return err
		}
		target.Set(reflect.Zero(target.Type()))
		return nil
	}
	return decodeIntoMessage(valuePtr, func(msg proto.Message) error {
		return protojson.Unmarshal(payload.GetData(), msg)
	})
}

// Encoding is json/protobuf.
func (ProtoJSONPayloadConverter) Encoding() string { return EncodingProtoJSON }

// ToPayload handles protobuf messages (and values whose pointer is one).
func (ProtoPayloadConverter) ToPayload(value any) (*commonpb.Payload, error) {
	msg, ok := asProtoMessage(value)
	if !ok {
		return nil, nil
	}
	data, err := proto.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("encoding %T as protobuf: %w", value, err)
	}
	return newProtoPayload(data, EncodingProto, msg), nil
}

// FromPayload decodes the protobuf wire format into the message valuePtr points to.
func (ProtoPayloadConverter) FromPayload(payload *commonpb.Payload, valuePtr any) error {
	return decodeIntoMessage(valuePtr, func(msg proto.Message) error {
		return proto.Unmarshal(payload.GetData(), msg)
	})
}

// Encoding is binary/protobuf.
func (ProtoPayloadConverter) Encoding() string { return EncodingProto }

func newProtoPayload(data []byte, encoding string, msg proto.Message) *commonpb.Payload {
	p := newPayload(data, encoding)
	p.Metadata[MetadataMessageType] = []byte(msg.ProtoReflect().Descriptor().FullName())
	return p
}

// asProtoMessage returns value as a message, also when only its pointer is one.
func asProtoMessage(value any) (proto.Message, bool) {
	if msg, ok := value.(proto.Message); ok {
		return msg, true
	}
	v := reflect.ValueOf(value)
	if !v.IsValid() || v.Kind() == reflect.Pointer {
		return nil, false
	}
	if !reflect.PointerTo(v.Type()).Implements(protoMessageType) {
		return nil, false
	}
	ptr := reflect.New(v.Type())
	ptr.Elem().Set(v)
	return ptr.Interface().(proto.Message), true
}

var protoMessageType = reflect.TypeFor[proto.Message]()

// decodeIntoMessage finds (allocating if needed) the message valuePtr designates, which
// is either a *Message or a **Message, and runs decode on it.
func decodeIntoMessage(valuePtr any, decode func(proto.Message) error) error {
	target, err := settableTarget(valuePtr)
	if err != nil {
		return err
	}
	if target.Kind() == reflect.Interface {
		return fmt.Errorf("%s: %w", target.Type(), ErrInterfaceTarget)
	}
	var msg proto.Message
	switch {
	case target.Kind() == reflect.Pointer && target.Type().Implements(protoMessageType):
		if target.IsNil() {
			target.Set(reflect.New(target.Type().Elem()))
		}
		msg = target.Interface().(proto.Message)
	case reflect.PointerTo(target.Type()).Implements(protoMessageType):
		msg = target.Addr().Interface().(proto.Message)
	default:
		return fmt.Errorf("%T: %w", valuePtr, ErrNotProtoMessage)
	}
	if err := decode(msg); err != nil {
		return fmt.Errorf("decoding protobuf into %T: %w", valuePtr, err)
	}
	return nil
}
