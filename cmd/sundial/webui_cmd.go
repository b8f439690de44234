package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"

	"github.com/sundialdev/sundial/webui"
)

// webUIConfig is what the Web UI flags of the server sub-command select.
type webUIConfig struct {
	listenAddr string
	disabled   bool
}

// addWebUIFlags registers --ui-listen and --no-ui on flags.
func addWebUIFlags(flags *flag.FlagSet, cfg *webUIConfig) {
	flags.StringVar(&cfg.listenAddr, "ui-listen", webui.DefaultListenAddr, "`HOST:PORT` to serve Temporal's Web UI on (port 0 picks a free port)")
	flags.BoolVar(&cfg.disabled, "no-ui", false, "do not serve the Web UI")
}

// check rejects a malformed --ui-listen before anything starts.
func (cfg webUIConfig) check() error {
	if cfg.disabled {
		return nil
	}
	if _, _, err := net.SplitHostPort(cfg.listenAddr); err != nil {
		return fmt.Errorf("--ui-listen must be HOST:PORT, got %q: %w", cfg.listenAddr, err)
	}
	return nil
}

// startWebUI serves the Web UI in front of grpcAddr unless it is switched off
// (then it returns nil, nil), and logs the URL to open.
func startWebUI(cfg webUIConfig, grpcAddr string, logger *slog.Logger) (*webui.Server, error) {
	if cfg.disabled {
		return nil, nil
	}
	ui, err := webui.New(webui.Options{ListenAddr: cfg.listenAddr, GRPCAddr: grpcAddr, Logger: logger})
	if err != nil {
		return nil, err
	}
	if err := ui.Start(); err != nil {
		return nil, fmt.Errorf("starting the Web UI (--no-ui turns it off): %w", err)
	}
	logger.Info("Web UI at "+ui.URL(), "ui", ui.URL())
	return ui, nil
}

// stopWebUI stops ui if it runs.
func stopWebUI(ctx context.Context, ui *webui.Server) error {
	if ui == nil {
		return nil
	}
	if err := ui.Stop(ctx); err != nil {
		return fmt.Errorf("stopping the Web UI: %w", err)
	}
	return nil
}
