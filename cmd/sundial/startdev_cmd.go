package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/sundialdev/sundial/server"
)

// startDevShutdownTimeout bounds the graceful stop of the start-dev form.
const startDevShutdownTimeout = 10 * time.Second

// isStartDevCommandLine reports whether args are `server start-dev ...`, the
// temporal CLI's dev server command line that SDK test environments launch.
func isStartDevCommandLine(args []string) bool {
	return len(args) >= 2 && args[0] == "server" && args[1] == "start-dev"
}

// runStartDev serves as `temporal server start-dev` would with the same flags
// (args are the words after start-dev), until ctx is done or --command-timeout
// passes.
func runStartDev(ctx context.Context, args []string, stderr io.Writer) int {
	cfg, err := parseStartDevFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "sundial server start-dev: %v\n", err)
		return exitUsage
	}
	handlerOpts := &slog.HandlerOptions{Level: cfg.logLevel}
	var logger *slog.Logger
	if cfg.logJSON {
		logger = slog.New(slog.NewJSONHandler(stderr, handlerOpts))
	} else {
		logger = slog.New(slog.NewTextHandler(stderr, handlerOpts))
	}
	opts := server.Options{
		ListenAddr:       cfg.listenAddr(),
		DatabasePath:     cfg.databasePath,
		Logger:           logger,
		Namespaces:       cfg.namespaces,
		SearchAttributes: cfg.searchAttributes,
	}
	outcomes, err := applyDynamicConfig(cfg.dynamicConfig, &opts)
	if err != nil {
		fmt.Fprintf(stderr, "sundial server start-dev: %v\n", err)
		return exitUsage
	}
	logStartDevConfig(logger, stderr, cfg, outcomes)

	srv, err := server.New(opts)
	if err != nil {
		fmt.Fprintf(stderr, "sundial server start-dev: configuring: %v\n", err)
		return exitFailure
	}
	if cfg.commandTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.commandTimeout)
		defer cancel()
	}
	if err := srv.Start(ctx); err != nil {
		fmt.Fprintf(stderr, "sundial server start-dev: starting on %s with database %s: %v\n", opts.ListenAddr, cfg.databasePath, err)
		return exitFailure
	}
	ui, err := startWebUI(cfg.webUI, srv.Addr(), logger)
	if err != nil {
		fmt.Fprintf(stderr, "sundial server start-dev: %v (--headless turns it off)\n", err)
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), startDevShutdownTimeout)
		defer cancel()
		_ = srv.Stop(stopCtx)
		return exitFailure
	}
	logger.Info("dev server ready", "namespaces", append([]string{"default"}, cfg.namespaces...))
	<-ctx.Done()
	logger.Info("shutting down", "timeout", startDevShutdownTimeout)
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), startDevShutdownTimeout)
	defer cancel()
	if err := stopWebUI(stopCtx, ui); err != nil {
		fmt.Fprintf(stderr, "sundial server start-dev: %v\n", err)
	}
	if err := srv.Stop(stopCtx); err != nil {
		fmt.Fprintf(stderr, "sundial server start-dev: stopping: %v\n", err)
		return exitFailure
	}
	logger.Info("stopped")
	return exitOK
}

// logStartDevConfig says what the command line changed and what it could not:
// ignored flags at INFO, dynamic config keys without effect at WARN, and the
// whole configuration, whatever the log level, when --log-config asks.
func logStartDevConfig(logger *slog.Logger, stderr io.Writer, cfg startDevConfig, outcomes []dynamicConfigOutcome) {
	for _, f := range cfg.ignored {
		logger.Info("ignoring --"+f.name+": "+f.reason, "flag", f.name, "value", f.value)
	}
	for _, o := range outcomes {
		switch {
		case o.applied:
			logger.Info("dynamic config applied", "key", o.key, "value", o.value)
		case o.builtIn:
			logger.Debug("dynamic config matches Sundial's built-in behaviour", "key", o.key, "value", o.value)
		default:
			logger.Warn("dynamic config has no effect: "+o.note, "key", o.key, "value", o.value)
		}
	}
	if cfg.logConfig {
		fmt.Fprintf(stderr, "sundial server start-dev configuration: listen=%s db=%s namespaces=%q search_attributes=%v log_level=%s log_json=%v command_timeout=%s\n",
			cfg.listenAddr(), cfg.databasePath, append([]string{"default"}, cfg.namespaces...), cfg.searchAttributes, cfg.logLevel, cfg.logJSON, cfg.commandTimeout)
	}
}
