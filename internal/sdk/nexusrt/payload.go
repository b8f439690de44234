package nexusrt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/nexus-rpc/sdk-go/nexus"
	"github.com/sundialdev/sundial/converter"
	commonpb "go.temporal.io/api/common/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
)

// payloadSerializer hands a nexus.LazyValue the operation's input: the server has
// already turned the caller's Nexus content into a Temporal payload, which the data
// converter decodes whatever content the LazyValue's reader holds.
type payloadSerializer struct {
	dc      converter.DataConverter
	payload *commonpb.Payload
}

func (s payloadSerializer) Deserialize(_ *nexus.Content, v any) error {
	if err := s.dc.FromPayload(s.payload, v); err != nil {
		return fmt.Errorf("decoding the operation input: %w", err)
	}
	return nil
}

// Serialize is not used: results are encoded with the data converter directly.
func (payloadSerializer) Serialize(any) (*nexus.Content, error) {
	return nil, errors.New("nexusrt: the payload serializer only decodes")
}

// inputValue wraps an operation's input payload for the nexus.Handler.
func inputValue(dc converter.DataConverter, payload *commonpb.Payload) *nexus.LazyValue {
	return nexus.NewLazyValue(payloadSerializer{dc: dc, payload: payload},
		&nexus.Reader{ReadCloser: io.NopCloser(bytes.NewReader(nil)), Header: nexus.Header{}})
}

// requestLinks converts the links of a start request for the handler.
func requestLinks(links []*nexuspb.Link) ([]nexus.Link, error) {
	out := make([]nexus.Link, 0, len(links))
	for _, l := range links {
		if l == nil {
			continue
		}
		u, err := url.Parse(l.GetUrl())
		if err != nil {
			return nil, fmt.Errorf("link %q: %w", l.GetUrl(), err)
		}
		out = append(out, nexus.Link{URL: u, Type: l.GetType()})
	}
	return out, nil
}

// responseLinks converts the links a handler attached to its answer.
func responseLinks(links []nexus.Link) []*nexuspb.Link {
	if len(links) == 0 {
		return nil
	}
	out := make([]*nexuspb.Link, 0, len(links))
	for _, l := range links {
		if l.URL == nil {
			continue
		}
		out = append(out, &nexuspb.Link{Url: l.URL.String(), Type: l.Type})
	}
	return out
}

// header copies a request header with its keys in lower case, as nexus.Header.Get
// looks them up.
func header(h map[string]string) nexus.Header {
	out := make(nexus.Header, len(h))
	for k, v := range h {
		out.Set(k, v)
	}
	return out
}
