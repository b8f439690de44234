// Command sundial runs the Sundial engine: a durable-execution server that speaks
// Temporal's WorkflowService gRPC API and stores everything in one SQLite file.
//
// Usage:
//
//	sundial server [--config FILE] [--listen HOST:PORT] [--db PATH] [--log-level LEVEL] [--pprof-listen HOST:PORT]
//	               [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]] [--insecure] [limit flags]
//	sundial server start-dev [the flags of temporal server start-dev]
//	sundial version
//	sundial help
//	sundial PORT [--enable-time-skipping] [--listen-host HOST] [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]] [--insecure]
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
