package client

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/metrics"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
)

// systemInfoTimeout bounds the GetSystemInfo call Dial makes, as Temporal's SDKs do.
const systemInfoTimeout = 5 * time.Second

// Client is a connection to a WorkflowService with the options that shape its calls.
// It is safe for concurrent use. Close it when done.
type Client struct {
	conn       *grpc.ClientConn
	service    workflowservice.WorkflowServiceClient
	opts       Options
	systemInfo *workflowservice.GetSystemInfoResponse
}

// Dial connects to the server and checks it answers by calling GetSystemInfo (a server
// that does not implement that call is accepted). The connection is closed again if the
// check fails.
func Dial(ctx context.Context, opts Options) (*Client, error) {
	opts = opts.withDefaults()
	conn, err := grpc.NewClient(opts.HostPort, dialOptions(opts)...)
	if err != nil {
		return nil, fmt.Errorf("dialing %s: %w", opts.HostPort, err)
	}
	c := &Client{conn: conn, service: workflowservice.NewWorkflowServiceClient(conn), opts: opts}
	info, err := c.loadSystemInfo(ctx)
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("reaching server at %s: %w", opts.HostPort, err)
	}
	c.systemInfo = info
	return c, nil
}

// loadSystemInfo calls GetSystemInfo, treating "not implemented" as empty capabilities.
func (c *Client) loadSystemInfo(ctx context.Context) (*workflowservice.GetSystemInfoResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, systemInfoTimeout)
	defer cancel()
	info, err := c.service.GetSystemInfo(ctx, &workflowservice.GetSystemInfoRequest{})
	if err == nil {
		return info, nil
	}
	if unimplemented, ok := err.(*serviceerror.Unimplemented); ok && isUnknownMethod(unimplemented.Error()) {
		c.opts.Logger.Debug("server does not implement GetSystemInfo; assuming no capabilities")
		return &workflowservice.GetSystemInfoResponse{}, nil
	}
	return nil, err
}

func isUnknownMethod(msg string) bool {
	msg = strings.ToLower(msg)
	return strings.Contains(msg, "unknown method") || strings.Contains(msg, "not implemented")
}

// Close closes the connection. Calls in flight fail.
func (c *Client) Close() error {
	if err := c.conn.Close(); err != nil {
		return fmt.Errorf("closing connection: %w", err)
	}
	return nil
}

// WorkflowService is the raw gRPC client, for calls this package does not wrap. Its
// errors are serviceerror values too.
func (c *Client) WorkflowService() workflowservice.WorkflowServiceClient { return c.service }

// SystemInfo is the server's GetSystemInfo answer from Dial (empty if unimplemented).
func (c *Client) SystemInfo() *workflowservice.GetSystemInfoResponse { return c.systemInfo }

// Namespace is the namespace every call uses.
func (c *Client) Namespace() string { return c.opts.Namespace }

// Identity names this client in history events.
func (c *Client) Identity() string { return c.opts.Identity }

// DataConverter encodes arguments and results.
func (c *Client) DataConverter() converter.DataConverter { return c.opts.DataConverter }

// FailureConverter maps errors to failures and back.
func (c *Client) FailureConverter() converter.FailureConverter { return c.opts.FailureConverter }

// MetricsHandler is the handler of Options.MetricsHandler with the client's root tags
// (namespace, client_name, and "none" for worker_type, workflow_type, activity_type and
// task_queue); metrics.NopHandler when none was set.
func (c *Client) MetricsHandler() metrics.Handler {
	if metrics.IsNop(c.opts.MetricsHandler) {
		return metrics.NopHandler
	}
	return c.opts.MetricsHandler.WithTags(metrics.RootTags(c.opts.Namespace))
}

// Logger receives the client's diagnostics.
func (c *Client) Logger() *slog.Logger { return c.opts.Logger }
