package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

// Sundial sends spans with its own small OTLP clients rather than
// OpenTelemetry's otlptracegrpc and otlptracehttp exporters: those import
// google.golang.org/grpc/encoding/gzip, which registers gzip process-wide,
// and the gRPC server then answers clients that compress (Temporal's Go SDK
// does by default) with gzip too, costing CPU on every call even with
// tracing off. These clients speak the same protocol (an
// ExportTraceServiceRequest, uncompressed) and read the same variables.

// otlpSettings are the OTEL_EXPORTER_OTLP_* settings of the traces signal.
type otlpSettings struct {
	endpoint string // http: the full URL; grpc: the URL or host:port
	headers  map[string]string
	timeout  time.Duration
	insecure bool // grpc: plaintext
}

// readOTLPSettings reads the traces exporter's settings, the
// signal-specific variables first.
func readOTLPSettings(getenv func(string) string, protocol string) (otlpSettings, error) {
	pick := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	s := otlpSettings{headers: map[string]string{}, timeout: 10 * time.Second}
	if v := pick("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); v != "" {
		s.endpoint = v
	} else if v := pick("OTEL_EXPORTER_OTLP_ENDPOINT"); v != "" {
		s.endpoint = v
		if protocol != "grpc" {
			s.endpoint = strings.TrimSuffix(v, "/") + "/v1/traces"
		}
	} else if protocol == "grpc" {
		s.endpoint = "http://localhost:4317"
	} else {
		s.endpoint = "http://localhost:4318/v1/traces"
	}
	if raw := pick("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"); raw != "" {
		for _, kv := range strings.Split(raw, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return s, fmt.Errorf("OTEL_EXPORTER_OTLP_HEADERS: %q is not key=value", kv)
			}
			value, err := url.QueryUnescape(strings.TrimSpace(v))
			if err != nil {
				return s, fmt.Errorf("OTEL_EXPORTER_OTLP_HEADERS: %q: %w", kv, err)
			}
			s.headers[strings.TrimSpace(k)] = value
		}
	}
	if raw := pick("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"); raw != "" {
		ms, err := strconv.Atoi(raw)
		if err != nil || ms <= 0 {
			return s, fmt.Errorf("OTEL_EXPORTER_OTLP_TIMEOUT must be a positive number of milliseconds, got %q", raw)
		}
		s.timeout = time.Duration(ms) * time.Millisecond
	}
	s.insecure = strings.EqualFold(pick("OTEL_EXPORTER_OTLP_TRACES_INSECURE", "OTEL_EXPORTER_OTLP_INSECURE"), "true")
	return s, nil
}

// newOTLPClient returns the client of protocol, "grpc" or "http/protobuf".
func newOTLPClient(protocol string, s otlpSettings) (otlptrace.Client, error) {
	switch protocol {
	case "grpc":
		return &otlpGRPCClient{settings: s}, nil
	case "http/protobuf":
		if _, err := url.ParseRequestURI(s.endpoint); err != nil {
			return nil, fmt.Errorf("OTLP traces endpoint %q: %w", s.endpoint, err)
		}
		return &otlpHTTPClient{settings: s, http: &http.Client{Timeout: s.timeout}}, nil
	default:
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL must be grpc or http/protobuf, got %q", protocol)
	}
}

// otlpHTTPClient posts spans as protobuf to an OTLP/HTTP endpoint.
type otlpHTTPClient struct {
	settings otlpSettings
	http     *http.Client
}

func (c *otlpHTTPClient) Start(context.Context) error { return nil }

func (c *otlpHTTPClient) Stop(context.Context) error {
	c.http.CloseIdleConnections()
	return nil
}

func (c *otlpHTTPClient) UploadTraces(ctx context.Context, spans []*tracepb.ResourceSpans) error {
	body, err := proto.Marshal(&coltracepb.ExportTraceServiceRequest{ResourceSpans: spans})
	if err != nil {
		return fmt.Errorf("encoding spans: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.settings.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("OTLP request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	for k, v := range c.settings.headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("exporting spans: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("exporting spans: %s answered %s: %s", c.settings.endpoint, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// otlpGRPCClient exports spans with OTLP's TraceService over gRPC.
type otlpGRPCClient struct {
	settings otlpSettings
	conn     *grpc.ClientConn
	service  coltracepb.TraceServiceClient
}

func (c *otlpGRPCClient) Start(context.Context) error {
	target, creds := c.settings.endpoint, credentials.NewTLS(&tls.Config{MinVersion: tls.VersionTLS12})
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		target = u.Host
		if u.Scheme == "http" {
			c.settings.insecure = true
		}
	}
	if c.settings.insecure {
		creds = insecure.NewCredentials()
	}
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(creds))
	if err != nil {
		return fmt.Errorf("connecting to the OTLP endpoint %s: %w", target, err)
	}
	c.conn, c.service = conn, coltracepb.NewTraceServiceClient(conn)
	return nil
}

func (c *otlpGRPCClient) Stop(context.Context) error {
	if c.conn == nil {
		return nil
	}
	return c.conn.Close()
}

func (c *otlpGRPCClient) UploadTraces(ctx context.Context, spans []*tracepb.ResourceSpans) error {
	if c.service == nil {
		return errors.New("the OTLP client is not started")
	}
	ctx, cancel := context.WithTimeout(ctx, c.settings.timeout)
	defer cancel()
	if len(c.settings.headers) > 0 {
		ctx = metadata.NewOutgoingContext(ctx, metadata.New(c.settings.headers))
	}
	if _, err := c.service.Export(ctx, &coltracepb.ExportTraceServiceRequest{ResourceSpans: spans}); err != nil {
		return fmt.Errorf("exporting spans: %w", err)
	}
	return nil
}
