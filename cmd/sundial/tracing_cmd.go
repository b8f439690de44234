package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"

	"github.com/sundialdev/sundial/server/oteltracing"
)

// tracingSetup is OpenTelemetry tracing switched on by the environment.
type tracingSetup struct {
	provider *sdktrace.TracerProvider
	tracer   *oteltracing.Tracer
}

// setUpTracing reads the standard OpenTelemetry environment variables and,
// when they ask for traces, exports them with OTLP. Tracing is on when
// OTEL_TRACES_EXPORTER is "otlp", or when it is unset and an OTLP endpoint
// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is
// set; OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it off.
// OTEL_EXPORTER_OTLP[_TRACES]_PROTOCOL picks "grpc" or "http/protobuf" (the
// default), and the _ENDPOINT, _HEADERS, _TIMEOUT and _INSECURE variables
// configure the exporter (see otlp_client.go); the provider reads its
// sampler (OTEL_TRACES_SAMPLER) and resource (OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES). Nil when off.
func setUpTracing(ctx context.Context, logger *slog.Logger) (*tracingSetup, error) {
	on, err := tracingWanted(os.Getenv)
	if err != nil || !on {
		return nil, err
	}
	protocol := firstEnv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")
	if protocol == "" {
		protocol = "http/protobuf"
	}
	settings, err := readOTLPSettings(os.Getenv, protocol)
	if err != nil {
		return nil, err
	}
	client, err := newOTLPClient(protocol, settings)
	if err != nil {
		return nil, err
	}
	exporter, err := otlptrace.New(ctx, client)
	if err != nil {
		return nil, fmt.Errorf("creating the OTLP trace exporter: %w", err)
	}
	res, err := resource.Merge(
		resource.NewSchemaless(semconv.ServiceName("sundial"), semconv.ServiceVersion(version)),
		resource.Environment(),
	)
	if err != nil {
		return nil, fmt.Errorf("describing the traced service: %w", err)
	}
	provider := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	logger.Info("exporting traces with OTLP", "protocol", protocol, "endpoint", settings.endpoint)
	return &tracingSetup{provider: provider, tracer: oteltracing.New(provider)}, nil
}

// tracingWanted decides from the environment whether to trace.
func tracingWanted(getenv func(string) string) (bool, error) {
	if strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") {
		return false, nil
	}
	switch exporter := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")); exporter {
	case "none":
		return false, nil
	case "otlp":
		return true, nil
	case "":
		return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "", nil
	default:
		return false, fmt.Errorf("OTEL_TRACES_EXPORTER %q is not supported: use otlp or none", exporter)
	}
}

// firstEnv is the value of the first of names that is set.
func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// shutdown exports the spans still buffered and stops the provider.
func (t *tracingSetup) shutdown(ctx context.Context) error {
	return t.provider.Shutdown(ctx)
}
