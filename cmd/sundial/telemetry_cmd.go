package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/server/prommetrics"
)

// telemetryFlags are the server sub-command's flags for logs, metrics and
// traces. Tracing has no flag: the standard OTEL_* environment variables
// switch it on (see tracing_cmd.go).
type telemetryFlags struct {
	metricsAddr string
	logFormat   string
}

// register adds the flags to fs.
func (t *telemetryFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.metricsAddr, "metrics-listen", "", "`HOST:PORT` to serve Prometheus metrics (/metrics) on; off when empty")
	fs.StringVar(&t.logFormat, "log-format", "text", "log `FORMAT`: text or json")
}

// validate checks the flags' values.
func (t telemetryFlags) validate() error {
	switch t.logFormat {
	case "text", "json":
		return nil
	default:
		return fmt.Errorf("--log-format must be text or json, got %q", t.logFormat)
	}
}

// newLogger writes logs of level and above to w in the chosen format.
func (t telemetryFlags) newLogger(w io.Writer, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if t.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// telemetry is what the flags and the environment switched on, around one
// server's life.
type telemetry struct {
	flags    telemetryFlags
	logger   *slog.Logger
	registry *prometheus.Registry // nil: no metrics
	metrics  *metricsServer       // set by serve
	tracing  *tracingSetup        // nil: no tracing
}

// setUpTelemetry prepares metrics and tracing and adds them to opts. Call
// serve once the server started, and stop after it stopped.
func setUpTelemetry(ctx context.Context, flags telemetryFlags, opts *server.Options, logger *slog.Logger) (*telemetry, error) {
	t := &telemetry{flags: flags, logger: logger}
	if flags.metricsAddr != "" {
		t.registry = newMetricsRegistry()
		opts.Metrics = prommetrics.New(t.registry)
	}
	tr, err := setUpTracing(ctx, logger)
	if err != nil {
		return nil, err
	}
	if tr != nil {
		t.tracing = tr
		opts.Tracer = tr.tracer
		opts.GRPCServerOptions = append(opts.GRPCServerOptions, tr.tracer.GRPCServerOption())
	}
	return t, nil
}

// serve starts the metrics listener, if one was asked for.
func (t *telemetry) serve() error {
	if t.registry == nil {
		return nil
	}
	m, err := startMetricsServer(t.flags.metricsAddr, t.registry)
	if err != nil {
		return err
	}
	t.metrics = m
	t.logger.Info("serving metrics on http://"+m.Addr()+"/metrics", "metrics", m.Addr())
	return nil
}

// stop closes the metrics listener and flushes the spans not yet exported.
func (t *telemetry) stop(ctx context.Context) error {
	var errs []error
	if t.metrics != nil {
		if err := t.metrics.Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stopping the metrics listener: %w", err))
		}
	}
	if t.tracing != nil {
		if err := t.tracing.shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("flushing traces: %w", err))
		}
	}
	return errors.Join(errs...)
}
