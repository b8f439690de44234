package client

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"

	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/interceptor"
	"github.com/sundialdev/sundial/metrics"
	"google.golang.org/grpc"
)

// Defaults applied by Dial to unset options.
const (
	DefaultHostPort  = "127.0.0.1:7233"
	DefaultNamespace = "default"
	// maxReceiveMessageSize matches the 128 MiB limit Temporal's SDKs use, since history
	// pages and payloads can be large.
	maxReceiveMessageSize = 128 << 20
)

// Options configure Dial.
type Options struct {
	// HostPort is the server's gRPC address; default "127.0.0.1:7233".
	HostPort string
	// Namespace is used by every call; default "default".
	Namespace string
	// Identity names this client in history events; default "pid@hostname".
	Identity string
	// TLS enables TLS with this configuration. When nil the connection is plaintext,
	// unless APIKey is set (see TLSDisabled).
	TLS *tls.Config
	// TLSDisabled keeps the connection plaintext even with an APIKey (useful against a
	// local server that checks keys). By default an APIKey without TLS turns TLS on,
	// as Temporal's SDKs do, so keys are not sent in clear.
	TLSDisabled bool
	// APIKey, when set, is sent with every call as "authorization: Bearer <key>".
	APIKey string
	// DataConverter encodes arguments and results; default converter.GetDefaultDataConverter().
	DataConverter converter.DataConverter
	// FailureConverter maps errors to failures; default a converter.NewDefaultFailureConverter
	// using DataConverter.
	FailureConverter converter.FailureConverter
	// Logger receives the client's diagnostics; default slog.Default().
	Logger *slog.Logger
	// MetricsHandler receives the client's metrics (every call to the server) and,
	// through the workers built on this client, the workers' and activities'. The
	// names are those of Temporal's SDKs; see package metrics. Adapters:
	// contrib/promhandler and contrib/opentelemetry. Default: nothing is recorded.
	MetricsHandler metrics.Handler
	// Tracer, when set, traces the calls that start or message workflows and, through
	// the workers built on this client, workflow runs and activity executions, carrying
	// the trace in Temporal headers. contrib/opentelemetry.NewTracer is the
	// OpenTelemetry implementation. Default: no tracing.
	Tracer interceptor.Tracer
	// ConnectionOptions are appended to the gRPC dial options Dial builds, so they can
	// override them (interceptors, keepalive, a custom dialer for tests...).
	ConnectionOptions []grpc.DialOption
}

// withDefaults returns a copy of opts with every unset option given its default.
func (opts Options) withDefaults() Options {
	if opts.HostPort == "" {
		opts.HostPort = DefaultHostPort
	}
	if opts.Namespace == "" {
		opts.Namespace = DefaultNamespace
	}
	if opts.Identity == "" {
		opts.Identity = defaultIdentity()
	}
	if opts.DataConverter == nil {
		opts.DataConverter = converter.GetDefaultDataConverter()
	}
	if opts.FailureConverter == nil {
		opts.FailureConverter = converter.NewDefaultFailureConverter(converter.DefaultFailureConverterOptions{
			DataConverter: opts.DataConverter,
		})
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MetricsHandler == nil {
		opts.MetricsHandler = metrics.NopHandler
	}
	if opts.TLS == nil && opts.APIKey != "" && !opts.TLSDisabled {
		opts.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return opts
}

// defaultIdentity is "pid@hostname", the form Temporal's SDKs use.
func defaultIdentity() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return fmt.Sprintf("%d@%s", os.Getpid(), host)
}
