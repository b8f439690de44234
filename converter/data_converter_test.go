package converter_test

import (
	"errors"
	"testing"

	"github.com/sundialdev/sundial/converter"
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

type order struct {
	ID     string  `json:"id"`
	Amount float64 `json:"amount"`
}

func encodingOf(p *commonpb.Payload) string {
	return string(p.GetMetadata()[converter.MetadataEncoding])
}

// TestDefaultEncodingsMatchTemporal pins the exact payloads other Temporal SDKs expect.
func TestDefaultEncodingsMatchTemporal(t *testing.T) {
	dc := converter.GetDefaultDataConverter()
	var nilOrder *order
	tests := []struct {
		name     string
		value    any
		encoding string
		data     string
	}{
		{"nil", nil, "binary/null", ""},
		{"nil pointer", nilOrder, "binary/null", ""},
		{"bytes", []byte{0x01, 0xff}, "binary/plain", "\x01\xff"},
		{"string", "hello", "json/plain", `"hello"`},
		{"int", 42, "json/plain", `42`},
		{"struct", order{ID: "o-1", Amount: 9.5}, "json/plain", `{"id":"o-1","amount":9.5}`},
		{"map", map[string]int{"a": 1}, "json/plain", `{"a":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := dc.ToPayload(tt.value)
			if err != nil {
				t.Fatal(err)
			}
			if encodingOf(p) != tt.encoding || string(p.GetData()) != tt.data || len(p.GetMetadata()) != 1 {
				t.Fatalf("payload = %v, want encoding %q data %q and no other metadata", p, tt.encoding, tt.data)
			}
		})
	}
}

func TestProtoMessagesUseProtoJSONWithMessageType(t *testing.T) {
	dc := converter.GetDefaultDataConverter()
	msg := &commonpb.WorkflowExecution{WorkflowId: "wf", RunId: "run"}
	p, err := dc.ToPayload(msg)
	if err != nil {
		t.Fatal(err)
	}
	if encodingOf(p) != "json/protobuf" || string(p.GetMetadata()["messageType"]) != "temporal.api.common.v1.WorkflowExecution" {
		t.Fatalf("metadata = %v", p.GetMetadata())
	}
	var parsed commonpb.WorkflowExecution
	if err := protojson.Unmarshal(p.GetData(), &parsed); err != nil || !proto.Equal(&parsed, msg) {
		t.Fatalf("data is not the message's protojson: %s (%v)", p.GetData(), err)
	}

	var into *commonpb.WorkflowExecution // nil pointer: allocated by the converter
	if err := dc.FromPayload(p, &into); err != nil || !proto.Equal(into, msg) {
		t.Fatalf("decode into **T: %v, %v", into, err)
	}
	var direct commonpb.WorkflowExecution
	if err := dc.FromPayload(p, &direct); err != nil || !proto.Equal(&direct, msg) {
		t.Fatalf("decode into *T: %v, %v", &direct, err)
	}
	var iface any
	if err := dc.FromPayload(p, &iface); !errors.Is(err, converter.ErrInterfaceTarget) {
		t.Fatalf("decode into interface: got %v, want ErrInterfaceTarget", err)
	}
}

func TestBinaryProtobufConverter(t *testing.T) {
	dc := converter.NewCompositeDataConverter(converter.NilPayloadConverter{}, converter.ProtoPayloadConverter{}, converter.JSONPayloadConverter{})
	msg := &commonpb.ActivityType{Name: "Charge"}
	p, err := dc.ToPayload(msg)
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := proto.Marshal(msg)
	if encodingOf(p) != "binary/protobuf" || string(p.GetData()) != string(wire) ||
		string(p.GetMetadata()["messageType"]) != "temporal.api.common.v1.ActivityType" {
		t.Fatalf("payload = %v", p)
	}
	var back *commonpb.ActivityType
	if err := dc.FromPayload(p, &back); err != nil || back.GetName() != "Charge" {
		t.Fatalf("decode: %v, %v", back, err)
	}
	var notProto order
	if err := dc.FromPayload(p, &notProto); !errors.Is(err, converter.ErrNotProtoMessage) {
		t.Fatalf("decoding protobuf into a plain struct: got %v", err)
	}
}

func TestRoundTripValues(t *testing.T) {
	dc := converter.GetDefaultDataConverter()
	payloads, err := dc.ToPayloads(order{ID: "o", Amount: 1.25}, []byte("raw"), nil, "text")
	if err != nil {
		t.Fatal(err)
	}
	var (
		o    order
		raw  []byte
		none = &order{ID: "must be cleared"}
		s    string
	)
	if err := dc.FromPayloads(payloads, &o, &raw, &none, &s); err != nil {
		t.Fatal(err)
	}
	if o.ID != "o" || o.Amount != 1.25 || string(raw) != "raw" || none != nil || s != "text" {
		t.Fatalf("round trip gave %+v %q %v %q", o, raw, none, s)
	}
	// Extra payloads are ignored, extra pointers untouched.
	var only order
	if err := dc.FromPayloads(payloads, &only); err != nil || only.ID != "o" {
		t.Fatalf("fewer pointers: %v %+v", err, only)
	}
	if p, err := dc.ToPayloads(); p != nil || err != nil {
		t.Fatalf("no values must give nil payloads, got %v %v", p, err)
	}
}

func TestFromPayloadErrors(t *testing.T) {
	dc := converter.GetDefaultDataConverter()
	var s string
	if err := dc.FromPayload(&commonpb.Payload{Data: []byte(`"x"`)}, &s); !errors.Is(err, converter.ErrEncodingNotSet) {
		t.Fatalf("missing encoding: got %v", err)
	}
	unknown := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("binary/zlib")}}
	if err := dc.FromPayload(unknown, &s); !errors.Is(err, converter.ErrEncodingNotSupported) {
		t.Fatalf("unknown encoding: got %v", err)
	}
	jsonP, _ := dc.ToPayload("x")
	var n int
	if err := dc.FromPayload(jsonP, &n); err == nil {
		t.Fatal("decoding a string into an int must fail")
	}
	bytesP, _ := dc.ToPayload([]byte("x"))
	if err := dc.FromPayload(bytesP, &n); !errors.Is(err, converter.ErrNotByteSlice) {
		t.Fatalf("bytes into int: got %v", err)
	}
	if err := dc.FromPayload(nil, &s); err != nil {
		t.Fatalf("nil payload must be a no-op, got %v", err)
	}
	if _, err := converter.NewCompositeDataConverter(converter.NilPayloadConverter{}).ToPayload(1); !errors.Is(err, converter.ErrNoConverter) {
		t.Fatalf("no converter: got %v", err)
	}
	if _, err := dc.ToPayload(func() {}); err == nil {
		t.Fatal("a func cannot be JSON-encoded")
	}
}

func TestRawValuePassesThrough(t *testing.T) {
	dc := converter.GetDefaultDataConverter()
	original := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("custom/x")}, Data: []byte("opaque")}
	p, err := dc.ToPayload(converter.NewRawValue(original))
	if err != nil || p != original {
		t.Fatalf("RawValue must be sent untouched, got %v %v", p, err)
	}
	var raw converter.RawValue
	if err := dc.FromPayload(original, &raw); err != nil || raw.Payload() != original {
		t.Fatalf("decoding into RawValue must keep the payload, got %v %v", raw.Payload(), err)
	}
}
