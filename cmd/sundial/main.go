// Command sundial runs the Sundial engine: a durable-execution server that speaks
// Temporal's WorkflowService gRPC API and stores everything in one SQLite file.
//
// Usage:
//
//	sundial server [--listen HOST:PORT] [--db PATH] [--log-level LEVEL] [--pprof-listen HOST:PORT]
//	sundial server start-dev [the flags of temporal server start-dev]
//	sundial version
//	sundial help
//	sundial PORT [--enable-time-skipping] [--listen-host HOST]
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
