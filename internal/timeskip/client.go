package timeskip

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// Client calls a TestService over gRPC with dynamic messages, as any SDK would.
type Client struct {
	conn    grpc.ClientConnInterface
	methods protoreflect.MethodDescriptors
}

// NewClient returns a TestService client on conn.
func NewClient(conn grpc.ClientConnInterface) (*Client, error) {
	sd, err := testServiceDescriptor()
	if err != nil {
		return nil, fmt.Errorf("describing the TestService: %w", err)
	}
	return &Client{conn: conn, methods: sd.Methods()}, nil
}

// LockTimeSkipping raises the server's lock counter.
func (c *Client) LockTimeSkipping(ctx context.Context) error {
	_, err := c.invoke(ctx, MethodLockTimeSkipping, nil)
	return err
}

// UnlockTimeSkipping lowers the server's lock counter.
func (c *Client) UnlockTimeSkipping(ctx context.Context) error {
	_, err := c.invoke(ctx, MethodUnlockTimeSkipping, nil)
	return err
}

// Sleep returns once the server's clock has advanced by d.
func (c *Client) Sleep(ctx context.Context, d time.Duration) error {
	_, err := c.invoke(ctx, MethodSleep, func(req protoreflect.Message) { setDuration(req, "duration", d) })
	return err
}

// SleepUntil returns once the server's clock has reached t.
func (c *Client) SleepUntil(ctx context.Context, t time.Time) error {
	_, err := c.invoke(ctx, MethodSleepUntil, func(req protoreflect.Message) { setTimestamp(req, "timestamp", t) })
	return err
}

// UnlockTimeSkippingWithSleep unlocks, waits until the server's clock has
// advanced by d, and locks again.
func (c *Client) UnlockTimeSkippingWithSleep(ctx context.Context, d time.Duration) error {
	_, err := c.invoke(ctx, MethodUnlockTimeSkippingWithSleep, func(req protoreflect.Message) { setDuration(req, "duration", d) })
	return err
}

// CurrentTime returns the server's clock time.
func (c *Client) CurrentTime(ctx context.Context) (time.Time, error) {
	resp, err := c.invoke(ctx, MethodGetCurrentTime, nil)
	if err != nil {
		return time.Time{}, err
	}
	t, ok, err := readTimestamp(resp, "time")
	if err != nil {
		return time.Time{}, fmt.Errorf("reading GetCurrentTime's response: %w", err)
	}
	if !ok {
		return time.Time{}, fmt.Errorf("GetCurrentTime's response has no time")
	}
	return t, nil
}

// invoke calls method with a request that fill (if any) completes.
func (c *Client) invoke(ctx context.Context, method string, fill func(protoreflect.Message)) (protoreflect.Message, error) {
	md := c.methods.ByName(protoreflect.Name(method))
	if md == nil {
		return nil, fmt.Errorf("the TestService has no method %s", method)
	}
	req := dynamicpb.NewMessage(md.Input())
	if fill != nil {
		fill(req)
	}
	resp := dynamicpb.NewMessage(md.Output())
	if err := c.conn.Invoke(ctx, "/"+ServiceName+"/"+method, req, resp); err != nil {
		return nil, fmt.Errorf("TestService %s: %w", method, err)
	}
	return resp, nil
}
