package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/server/auth"
)

// serverConfig is what the server sub-command's flags (and --config file) select.
type serverConfig struct {
	listenAddr      string
	databasePath    string
	logLevelName    string
	logLevel        slog.Level
	shutdownTimeout time.Duration
	pprofAddr       string
	// configPath, synchronous and options (TLS, exposure, limits) are set by
	// addProductionFlags and the config file (config.go).
	configPath  string
	synchronous string
	options     server.Options
	// authFlags are the --auth-* flags; fileAuth is the config file's auth
	// section, used when no --auth-* flag selects a credential source.
	authFlags authFlags
	fileAuth  *auth.Config
	// telemetry is --metrics-listen, --log-format and the OTEL_* switch.
	telemetry telemetryFlags
	// webUI is --ui-listen and --no-ui.
	webUI webUIConfig
}

// newServerFlagSet declares the server sub-command's flags, bound to cfg.
func newServerFlagSet(cfg *serverConfig, output io.Writer) *flag.FlagSet {
	flags := flag.NewFlagSet("sundial server", flag.ContinueOnError)
	flags.SetOutput(output)
	flags.StringVar(&cfg.listenAddr, "listen", "127.0.0.1:7233", "`HOST:PORT` to serve gRPC on (port 0 picks a free port)")
	flags.StringVar(&cfg.databasePath, "db", "./sundial.db", "SQLite database `PATH` (\":memory:\" keeps nothing after exit), or a PostgreSQL URL (postgres://user:pass@host/db?sslmode=require) or keyword/value string")
	flags.StringVar(&cfg.logLevelName, "log-level", "info", "log `LEVEL`: debug, info, warn or error")
	flags.StringVar(&cfg.pprofAddr, "pprof-listen", "", "`HOST:PORT` to serve Go runtime profiles (/debug/pprof/) on; off when empty")
	cfg.telemetry.register(flags)
	addWebUIFlags(flags, &cfg.webUI)
	flags.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long a graceful shutdown may take before it is abandoned")
	addProductionFlags(flags, cfg)
	addAuthFlags(flags, &cfg.authFlags)
	addFailoverFlags(flags, &cfg.options)
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), "Usage: sundial server [flags]\n\nServe Temporal's WorkflowService gRPC API, storing in SQLite or PostgreSQL.\n\nFlags:\n")
		flags.PrintDefaults()
	}
	return flags
}

// parseServerFlags reads the server sub-command's flags, and the config file
// --config names under them. Help output and error messages go to output.
func parseServerFlags(args []string, output io.Writer) (serverConfig, error) {
	var cfg serverConfig
	flags := newServerFlagSet(&cfg, output)
	if err := flags.Parse(args); err != nil {
		return cfg, err
	}
	if flags.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", flags.Arg(0))
	}
	if err := overlayConfigFile(&cfg, flags, func(c *serverConfig) *flag.FlagSet { return newServerFlagSet(c, io.Discard) }); err != nil {
		return cfg, err
	}
	parsed, err := parseLogLevel(cfg.logLevelName)
	if err != nil {
		return cfg, err
	}
	cfg.logLevel = parsed
	if cfg.options.SynchronousNormal, err = parseSynchronous(cfg.synchronous); err != nil {
		return cfg, err
	}
	if cfg.options.Auth, err = cfg.authFlags.config(); err != nil {
		return cfg, err
	}
	if cfg.options.Auth == nil {
		cfg.options.Auth = cfg.fileAuth
	}
	if err := cfg.telemetry.validate(); err != nil {
		return cfg, err
	}
	if cfg.listenAddr == "" {
		return cfg, errors.New("--listen must not be empty")
	}
	if cfg.databasePath == "" {
		return cfg, errors.New("--db must not be empty")
	}
	if err := cfg.webUI.check(); err != nil {
		return cfg, err
	}
	if cfg.shutdownTimeout <= 0 {
		return cfg, fmt.Errorf("--shutdown-timeout must be positive, got %s", cfg.shutdownTimeout)
	}
	return cfg, nil
}

// parseLogLevel accepts exactly the four level names the command documents.
func parseLogLevel(name string) (slog.Level, error) {
	switch strings.ToLower(name) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	default:
		return 0, fmt.Errorf("--log-level must be debug, info, warn or error, got %q", name)
	}
}

// runServer starts the engine, serves until ctx is done, then stops it gracefully.
func runServer(ctx context.Context, args []string, stderr io.Writer) int {
	cfg, err := parseServerFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "sundial server: %v\n", err)
		return exitUsage
	}
	logger := cfg.telemetry.newLogger(stderr, cfg.logLevel)

	opts := cfg.options
	opts.ListenAddr, opts.DatabasePath, opts.Logger = cfg.listenAddr, cfg.databasePath, logger
	tel, err := setUpTelemetry(ctx, cfg.telemetry, &opts, logger)
	if err != nil {
		fmt.Fprintf(stderr, "sundial server: %v\n", err)
		return exitFailure
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.shutdownTimeout)
		defer cancel()
		if err := tel.stop(stopCtx); err != nil {
			fmt.Fprintf(stderr, "sundial server: %v\n", err)
		}
	}()
	srv, err := server.New(withDatabase(opts))
	if err != nil {
		fmt.Fprintf(stderr, "sundial server: configuring: %v\n", err)
		return exitFailure
	}
	if err := srv.Start(ctx); err != nil {
		fmt.Fprintf(stderr, "sundial server: starting on %s with database %s: %v\n", cfg.listenAddr, redactDatabase(cfg.databasePath), err)
		return exitFailure
	}
	// The server logged "listening on ADDR" itself; the start is logged once.
	if err := tel.serve(); err != nil {
		fmt.Fprintf(stderr, "sundial server: %v\n", err)
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.shutdownTimeout)
		defer cancel()
		_ = srv.Stop(stopCtx)
		return exitFailure
	}
	var profiles *profilingServer
	if cfg.pprofAddr != "" {
		profiles, err = startProfilingServer(cfg.pprofAddr)
		if err != nil {
			fmt.Fprintf(stderr, "sundial server: %v\n", err)
			stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.shutdownTimeout)
			defer cancel()
			_ = srv.Stop(stopCtx)
			return exitFailure
		}
		logger.Info("serving profiles on http://"+profiles.Addr()+"/debug/pprof/", "pprof", profiles.Addr())
	}
	ui, err := startWebUI(cfg.webUI, srv.Addr(), logger)
	if err != nil {
		fmt.Fprintf(stderr, "sundial server: %v\n", err)
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.shutdownTimeout)
		defer cancel()
		if profiles != nil {
			_ = profiles.Stop(stopCtx)
		}
		_ = srv.Stop(stopCtx)
		return exitFailure
	}

	<-ctx.Done()
	logger.Info("shutting down", "timeout", cfg.shutdownTimeout)
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.shutdownTimeout)
	defer cancel()
	code := exitOK
	if err := stopWebUI(stopCtx, ui); err != nil {
		fmt.Fprintf(stderr, "sundial server: %v\n", err)
		code = exitFailure
	}
	if profiles != nil {
		if err := profiles.Stop(stopCtx); err != nil {
			fmt.Fprintf(stderr, "sundial server: stopping the profile listener: %v\n", err)
			code = exitFailure
		}
	}
	if err := srv.Stop(stopCtx); err != nil {
		fmt.Fprintf(stderr, "sundial server: stopping: %v\n", err)
		return exitFailure
	}
	logger.Info("stopped")
	return code
}
