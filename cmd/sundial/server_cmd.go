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
)

// serverConfig is what the server sub-command's flags select.
type serverConfig struct {
	listenAddr      string
	databasePath    string
	logLevel        slog.Level
	shutdownTimeout time.Duration
	pprofAddr       string
	webUI           webUIConfig
}

// parseServerFlags reads the server sub-command's flags. Help output and error
// messages go to output.
func parseServerFlags(args []string, output io.Writer) (serverConfig, error) {
	var cfg serverConfig
	var level string
	flags := flag.NewFlagSet("sundial server", flag.ContinueOnError)
	flags.SetOutput(output)
	flags.StringVar(&cfg.listenAddr, "listen", "127.0.0.1:7233", "`HOST:PORT` to serve gRPC on (port 0 picks a free port)")
	flags.StringVar(&cfg.databasePath, "db", "./sundial.db", "SQLite database `PATH` (\":memory:\" keeps nothing after exit)")
	flags.StringVar(&level, "log-level", "info", "log `LEVEL`: debug, info, warn or error")
	flags.StringVar(&cfg.pprofAddr, "pprof-listen", "", "`HOST:PORT` to serve Go runtime profiles (/debug/pprof/) on; off when empty")
	addWebUIFlags(flags, &cfg.webUI)
	flags.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long a graceful shutdown may take before it is abandoned")
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), "Usage: sundial server [flags]\n\nServe Temporal's WorkflowService gRPC API, storing in SQLite.\n\nFlags:\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return cfg, err
	}
	if flags.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", flags.Arg(0))
	}
	parsed, err := parseLogLevel(level)
	if err != nil {
		return cfg, err
	}
	cfg.logLevel = parsed
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
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))

	srv, err := server.New(server.Options{
		ListenAddr:   cfg.listenAddr,
		DatabasePath: cfg.databasePath,
		Logger:       logger,
	})
	if err != nil {
		fmt.Fprintf(stderr, "sundial server: configuring: %v\n", err)
		return exitFailure
	}
	if err := srv.Start(ctx); err != nil {
		fmt.Fprintf(stderr, "sundial server: starting on %s with database %s: %v\n", cfg.listenAddr, cfg.databasePath, err)
		return exitFailure
	}
	logger.Info("listening on "+srv.Addr(), "addr", srv.Addr(), "db", cfg.databasePath, "version", version)
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
