package converter_test

import (
	"testing"

	"github.com/sundialdev/sundial/converter"
	commonpb "go.temporal.io/api/common/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"google.golang.org/protobuf/proto"
)

// FuzzFailureToError feeds arbitrary wire bytes, as they could arrive from a server or
// another SDK, through failure decoding and re-encoding: it must never panic, and
// re-encoding a decoded failure must give it back unchanged.
func FuzzFailureToError(f *testing.F) {
	fc := newFC()
	for _, err := range []error{
		errSeed("plain"),
		&cardError{last4: "1"},
	} {
		seed, _ := proto.Marshal(fc.ErrorToFailure(err))
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var failure failurepb.Failure
		if proto.Unmarshal(data, &failure) != nil {
			return
		}
		err := fc.FailureToError(&failure)
		if err == nil {
			t.Fatal("a non-nil failure must give a non-nil error")
		}
		_ = err.Error()
		if again := fc.ErrorToFailure(err); !proto.Equal(again, &failure) {
			t.Fatalf("re-encoding changed the failure:\n%v\nvs\n%v", again, &failure)
		}
	})
}

type errSeed string

func (e errSeed) Error() string { return string(e) }

// FuzzCodecDecode feeds arbitrary payload data to the codecs and the default converter.
func FuzzCodecDecode(f *testing.F) {
	aesCodec, err := converter.NewAESGCMCodec(testKey, "k")
	if err != nil {
		f.Fatal(err)
	}
	dc := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), aesCodec, converter.NewZlibCodec(converter.ZlibCodecOptions{}))
	seedPayload, _ := dc.ToPayload(map[string]int{"a": 1})
	f.Add("binary/encrypted", seedPayload.GetData())
	f.Add("binary/zlib", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	f.Add("json/plain", []byte(`{"a":1}`))
	f.Add("json/protobuf", []byte(`{"name":"x"}`))
	f.Fuzz(func(t *testing.T, encoding string, data []byte) {
		p := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte(encoding), "encryption-key-id": []byte("k")}, Data: data}
		var anything any
		_ = dc.FromPayload(p, &anything)
		var msg commonpb.WorkflowType
		_ = dc.FromPayload(p, &msg)
	})
}
