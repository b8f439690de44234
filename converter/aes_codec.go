package converter

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/proto"
)

// EncodingEncrypted marks a payload encrypted by the AES-GCM codec; MetadataKeyID names
// the key it was encrypted with.
const (
	EncodingEncrypted = "binary/encrypted"
	MetadataKeyID     = "encryption-key-id"
)

// ErrWrongKey is returned when decrypting a payload fails: it was encrypted with another
// key (or key id) than the codec's, or it was altered.
var ErrWrongKey = errors.New("payload was encrypted with a different key or was altered")

type aesGCMCodec struct {
	aead  cipher.AEAD
	keyID string
}

// NewAESGCMCodec returns a codec that encrypts each payload with AES-GCM under key (16,
// 24 or 32 bytes, for AES-128/192/256). The data of an encrypted payload is a random
// nonce followed by the sealed original payload in protobuf wire format; its metadata
// records the encoding and keyID, and keyID is also authenticated, so a payload cannot be
// passed off as encrypted under another key id. Payloads that are not encrypted pass
// through Decode unchanged.
func NewAESGCMCodec(key []byte, keyID string) (PayloadCodec, error) {
	if keyID == "" {
		return nil, errors.New("creating AES-GCM codec: key id must not be empty")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("creating AES-GCM codec: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("creating AES-GCM codec: %w", err)
	}
	return &aesGCMCodec{aead: aead, keyID: keyID}, nil
}

func (c *aesGCMCodec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("marshaling payload %d: %w", i, err)
		}
		nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("generating nonce for payload %d: %w", i, err)
		}
		sealed := c.aead.Seal(nonce, nonce, plain, []byte(c.keyID))
		enc := newPayload(sealed, EncodingEncrypted)
		enc.Metadata[MetadataKeyID] = []byte(c.keyID)
		out[i] = enc
	}
	return out, nil
}

func (c *aesGCMCodec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[MetadataEncoding]) != EncodingEncrypted {
			out[i] = p
			continue
		}
		keyID := string(p.GetMetadata()[MetadataKeyID])
		if keyID != c.keyID {
			return nil, fmt.Errorf("payload %d is encrypted with key id %q, codec has key id %q: %w", i, keyID, c.keyID, ErrWrongKey)
		}
		data := p.GetData()
		if len(data) < c.aead.NonceSize()+c.aead.Overhead() {
			return nil, fmt.Errorf("payload %d: encrypted data is %d bytes, too short: %w", i, len(data), ErrWrongKey)
		}
		nonce, sealed := data[:c.aead.NonceSize()], data[c.aead.NonceSize():]
		plain, err := c.aead.Open(nil, nonce, sealed, []byte(keyID))
		if err != nil {
			return nil, fmt.Errorf("decrypting payload %d with key id %q: %w", i, keyID, ErrWrongKey)
		}
		decoded := &commonpb.Payload{}
		if err := proto.Unmarshal(plain, decoded); err != nil {
			return nil, fmt.Errorf("unmarshaling decrypted payload %d: %w", i, err)
		}
		out[i] = decoded
	}
	return out, nil
}
