package client

import (
	"context"

	"github.com/sundialdev/sundial/interceptor"
	commonpb "go.temporal.io/api/common/v1"
)

// Tracer is Options.Tracer, nil when none was set; workers use it for their spans.
func (c *Client) Tracer() interceptor.Tracer { return c.opts.Tracer }

// startSpan starts the span of a client call whose context travels in the returned
// header. Without a tracer it returns ctx, a nil header and a no-op end.
func (c *Client) startSpan(ctx context.Context, operation, name string, tags map[string]string) (context.Context, *commonpb.Header, func(error)) {
	if c.opts.Tracer == nil {
		return ctx, nil, func(error) {}
	}
	fields := map[string]*commonpb.Payload{}
	ctx, end := c.opts.Tracer.StartSpan(ctx, interceptor.StartSpanOptions{
		Operation: operation, Name: name, Tags: tags, Header: fields,
	})
	if len(fields) == 0 {
		return ctx, nil, end
	}
	return ctx, &commonpb.Header{Fields: fields}, end
}
