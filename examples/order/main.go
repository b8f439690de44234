// Command order runs the tutorial's order workflow: charge the card (retried with
// backoff, heartbeating), update the inventory, send the confirmation email and
// arrange the shipment. By default it embeds Sundial's engine, so nothing else needs to
// run:
//
//	go run ./examples/order
//	Order 1001: Transaction-99.99
//
// With -server it uses a running server instead (`sundial server`, or Temporal's).
// The workers' logs go to standard error; -v shows the activities' progress there.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/examples/order/orders"
	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/worker"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "order:", err)
		}
		os.Exit(1)
	}
}

// config is what the command line sets.
type config struct {
	serverAddr string
	order      orders.Order
	verbose    bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	flags := flag.NewFlagSet("order", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.StringVar(&cfg.serverAddr, "server", "", "host:port of a running server; empty embeds Sundial's engine")
	flags.StringVar(&cfg.order.ID, "id", "1001", "order id")
	flags.Float64Var(&cfg.order.Amount, "amount", 99.99, "amount to charge")
	flags.BoolVar(&cfg.verbose, "v", false, "log the activities' progress to standard error")
	if err := flags.Parse(args); err != nil {
		return cfg, err
	}
	if flags.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", flags.Arg(0))
	}
	cfg.order.Email = "customer@example.com"
	cfg.order.Items = []string{"book", "lamp"}
	cfg.order.Address = "1 Main Street"
	return cfg, nil
}

// run processes one order and prints its receipt line to stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	level := slog.LevelError
	if cfg.verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	addr := cfg.serverAddr
	if addr == "" {
		srv, err := startEngine(ctx, logger)
		if err != nil {
			return err
		}
		defer stopEngine(srv, logger)
		addr = srv.Addr()
	}
	c, err := client.Dial(ctx, client.Options{HostPort: addr, Logger: logger})
	if err != nil {
		return err
	}
	defer c.Close()

	w, err := startWorker(c, logger)
	if err != nil {
		return err
	}
	defer w.Stop()

	receipt, err := processOrder(ctx, c, cfg.order)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, receipt)
	return err
}

// startEngine starts Sundial's engine inside this process, on a loopback port with an
// in-memory database.
func startEngine(ctx context.Context, logger *slog.Logger) (*server.Server, error) {
	srv, err := server.New(server.Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:", Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("configuring the engine: %w", err)
	}
	if err := srv.Start(ctx); err != nil {
		return nil, fmt.Errorf("starting the engine: %w", err)
	}
	return srv, nil
}

func stopEngine(srv *server.Server, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Stop(ctx); err != nil {
		logger.Error("stopping the engine", "error", err)
	}
}

// startWorker runs the order workflow and its activities.
func startWorker(c *client.Client, logger *slog.Logger) (*worker.Worker, error) {
	w := worker.New(c, orders.TaskQueue, worker.Options{Logger: logger})
	if err := orders.Register(w); err != nil {
		return nil, err
	}
	if err := w.Start(); err != nil {
		return nil, err
	}
	return w, nil
}

// processOrder starts the order's workflow and waits for its receipt.
func processOrder(ctx context.Context, c *client.Client, order orders.Order) (string, error) {
	run, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{
		ID:        "order-" + order.ID,
		TaskQueue: orders.TaskQueue,
	}, orders.OrderWorkflowDef, order)
	if err != nil {
		return "", err
	}
	receipt, err := run.Result(ctx)
	if err != nil {
		return "", fmt.Errorf("order %s: %w", order.ID, err)
	}
	return receipt, nil
}
