package converter_test

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sundialdev/sundial/converter"
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/proto"
)

var testKey = []byte("0123456789abcdef0123456789abcdef") // 32 bytes: AES-256

func TestZlibCompressesOnlyWhenSmaller(t *testing.T) {
	codec := converter.NewZlibCodec(converter.ZlibCodecOptions{})
	small := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`1`)}
	large := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"` + strings.Repeat("a", 1000) + `"`)}
	out, err := codec.Encode([]*commonpb.Payload{small, large})
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != small {
		t.Fatalf("incompressible payload must be kept as is, got %v", out[0])
	}
	if encodingOf(out[1]) != "binary/zlib" || len(out[1].GetData()) >= len(large.GetData()) {
		t.Fatalf("large payload must be compressed, got encoding %q size %d", encodingOf(out[1]), len(out[1].GetData()))
	}
	// The compressed data is the zlib stream of the original payload's wire form.
	r, err := zlib.NewReader(bytes.NewReader(out[1].GetData()))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(r)
	var inner commonpb.Payload
	if err := proto.Unmarshal(raw, &inner); err != nil || !proto.Equal(&inner, large) {
		t.Fatalf("compressed data is not zlib(proto(payload)): %v", err)
	}
	back, err := codec.Decode(out)
	if err != nil || !proto.Equal(back[0], small) || !proto.Equal(back[1], large) {
		t.Fatalf("Decode did not restore the payloads: %v", err)
	}
}

func TestZlibAlwaysEncode(t *testing.T) {
	codec := converter.NewZlibCodec(converter.ZlibCodecOptions{AlwaysEncode: true})
	p := &commonpb.Payload{Data: []byte("x")}
	out, err := codec.Encode([]*commonpb.Payload{p})
	if err != nil || encodingOf(out[0]) != "binary/zlib" {
		t.Fatalf("AlwaysEncode must compress, got %v %v", out, err)
	}
	corrupt := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("binary/zlib")}, Data: []byte("not zlib")}
	if _, err := codec.Decode([]*commonpb.Payload{corrupt}); err == nil {
		t.Fatal("corrupt zlib data must fail to decode")
	}
}

func TestAESGCMRoundTripAndMetadata(t *testing.T) {
	codec, err := converter.NewAESGCMCodec(testKey, "key-2024")
	if err != nil {
		t.Fatal(err)
	}
	p := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"secret card number"`)}
	out, err := codec.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatal(err)
	}
	enc := out[0]
	if encodingOf(enc) != "binary/encrypted" || string(enc.GetMetadata()["encryption-key-id"]) != "key-2024" {
		t.Fatalf("metadata = %v", enc.GetMetadata())
	}
	if bytes.Contains(enc.GetData(), []byte("secret")) {
		t.Fatal("plaintext leaked into the encrypted payload")
	}
	again, _ := codec.Encode([]*commonpb.Payload{p})
	if bytes.Equal(again[0].GetData(), enc.GetData()) {
		t.Fatal("two encryptions of one payload must differ (random nonce)")
	}
	back, err := codec.Decode([]*commonpb.Payload{enc, p})
	if err != nil || !proto.Equal(back[0], p) || back[1] != p {
		t.Fatalf("Decode: %v", err)
	}
}

func TestAESGCMWrongKey(t *testing.T) {
	codec, _ := converter.NewAESGCMCodec(testKey, "k1")
	out, err := codec.Encode([]*commonpb.Payload{{Data: []byte("data")}})
	if err != nil {
		t.Fatal(err)
	}

	otherID, _ := converter.NewAESGCMCodec(testKey, "k2")
	_, err = otherID.Decode(out)
	if !errors.Is(err, converter.ErrWrongKey) || !strings.Contains(err.Error(), `key id "k1"`) {
		t.Fatalf("other key id: got %v", err)
	}

	otherKey, _ := converter.NewAESGCMCodec([]byte("fedcba9876543210fedcba9876543210"), "k1")
	if _, err := otherKey.Decode(out); !errors.Is(err, converter.ErrWrongKey) {
		t.Fatalf("same id, other key: got %v", err)
	}

	tampered := proto.CloneOf(out[0])
	tampered.Data[len(tampered.Data)-1] ^= 1
	if _, err := codec.Decode([]*commonpb.Payload{tampered}); !errors.Is(err, converter.ErrWrongKey) {
		t.Fatalf("tampered data: got %v", err)
	}

	relabeled := proto.CloneOf(out[0])
	relabeled.Metadata["encryption-key-id"] = []byte("k2")
	if _, err := otherID.Decode([]*commonpb.Payload{relabeled}); !errors.Is(err, converter.ErrWrongKey) {
		t.Fatalf("key id is authenticated, relabeling must fail: got %v", err)
	}

	truncated := proto.CloneOf(out[0])
	truncated.Data = truncated.Data[:5]
	if _, err := codec.Decode([]*commonpb.Payload{truncated}); !errors.Is(err, converter.ErrWrongKey) {
		t.Fatalf("truncated data: got %v", err)
	}
}

func TestAESGCMRejectsBadKeys(t *testing.T) {
	if _, err := converter.NewAESGCMCodec([]byte("short"), "k"); err == nil {
		t.Fatal("a 5-byte key must be rejected")
	}
	if _, err := converter.NewAESGCMCodec(testKey, ""); err == nil {
		t.Fatal("an empty key id must be rejected")
	}
}

func TestCodecDataConverterOrder(t *testing.T) {
	aesCodec, _ := converter.NewAESGCMCodec(testKey, "k")
	dc := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), aesCodec, converter.NewZlibCodec(converter.ZlibCodecOptions{AlwaysEncode: true}))
	value := strings.Repeat("compress me ", 100)
	p, err := dc.ToPayload(value)
	if err != nil {
		t.Fatal(err)
	}
	// The first codec is the outermost layer: encrypted(compressed(json)).
	if encodingOf(p) != "binary/encrypted" {
		t.Fatalf("outer encoding = %q", encodingOf(p))
	}
	inner, err := aesCodec.Decode([]*commonpb.Payload{p})
	if err != nil || encodingOf(inner[0]) != "binary/zlib" {
		t.Fatalf("inner encoding = %q (%v)", encodingOf(inner[0]), err)
	}
	var back string
	if err := dc.FromPayload(p, &back); err != nil || back != value {
		t.Fatalf("FromPayload: %v", err)
	}

	payloads, err := dc.ToPayloads("a", 1)
	if err != nil {
		t.Fatal(err)
	}
	var s string
	var n int
	if err := dc.FromPayloads(payloads, &s, &n); err != nil || s != "a" || n != 1 {
		t.Fatalf("FromPayloads: %v %q %d", err, s, n)
	}

	plainDC := converter.GetDefaultDataConverter()
	if err := plainDC.FromPayload(p, &s); !errors.Is(err, converter.ErrEncodingNotSupported) {
		t.Fatalf("reading an encrypted payload without the codec must fail: %v", err)
	}
	wrongKey, _ := converter.NewAESGCMCodec([]byte("fedcba9876543210fedcba9876543210"), "k")
	if err := converter.NewCodecDataConverter(plainDC, wrongKey).FromPayload(p, &s); !errors.Is(err, converter.ErrWrongKey) {
		t.Fatalf("wrong key through the data converter: %v", err)
	}
}

type countChangingCodec struct{}

func (countChangingCodec) Encode(p []*commonpb.Payload) ([]*commonpb.Payload, error) { return nil, nil }
func (countChangingCodec) Decode(p []*commonpb.Payload) ([]*commonpb.Payload, error) { return nil, nil }

func TestCodecMustKeepPayloadCount(t *testing.T) {
	dc := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), countChangingCodec{})
	if _, err := dc.ToPayload("x"); err == nil {
		t.Fatal("a codec that drops payloads must be reported")
	}
	var s string
	if err := dc.FromPayload(&commonpb.Payload{}, &s); err == nil {
		t.Fatal("a codec that drops payloads must be reported on decode")
	}
}
