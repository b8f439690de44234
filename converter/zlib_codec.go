package converter

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/proto"
)

// EncodingZlib marks a payload compressed by the zlib codec: its data is the zlib stream
// of the original payload in protobuf wire format.
const EncodingZlib = "binary/zlib"

// ZlibCodecOptions configure NewZlibCodec.
type ZlibCodecOptions struct {
	// AlwaysEncode compresses even when the result is not smaller than the original.
	AlwaysEncode bool
}

type zlibCodec struct{ opts ZlibCodecOptions }

// NewZlibCodec returns a codec that compresses each payload with zlib, keeping the
// original when compression would not make it smaller (unless AlwaysEncode). The format
// is that of Temporal's SDKs, so their codecs read it.
func NewZlibCodec(opts ZlibCodecOptions) PayloadCodec { return &zlibCodec{opts: opts} }

func (z *zlibCodec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		raw, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("marshaling payload %d: %w", i, err)
		}
		var buf bytes.Buffer
		w := zlib.NewWriter(&buf)
		if _, err := w.Write(raw); err != nil {
			return nil, fmt.Errorf("compressing payload %d: %w", i, err)
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("compressing payload %d: %w", i, err)
		}
		if buf.Len() < len(raw) || z.opts.AlwaysEncode {
			out[i] = newPayload(buf.Bytes(), EncodingZlib)
		} else {
			out[i] = p
		}
	}
	return out, nil
}

func (z *zlibCodec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[MetadataEncoding]) != EncodingZlib {
			out[i] = p
			continue
		}
		r, err := zlib.NewReader(bytes.NewReader(p.GetData()))
		if err != nil {
			return nil, fmt.Errorf("decompressing payload %d: %w", i, err)
		}
		raw, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("decompressing payload %d: %w", i, err)
		}
		if err := r.Close(); err != nil {
			return nil, fmt.Errorf("decompressing payload %d: %w", i, err)
		}
		decoded := &commonpb.Payload{}
		if err := proto.Unmarshal(raw, decoded); err != nil {
			return nil, fmt.Errorf("unmarshaling decompressed payload %d: %w", i, err)
		}
		out[i] = decoded
	}
	return out, nil
}
