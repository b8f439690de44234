package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

// Exit codes of the sundial command.
const (
	exitOK      = 0
	exitFailure = 1 // the server could not start or stop cleanly
	exitUsage   = 2 // the command line was wrong
)

const usageText = `sundial runs a durable-execution server compatible with Temporal's SDKs.

Usage:
  sundial server [flags]   serve the WorkflowService gRPC API
  sundial server start-dev [flags]
                           serve as "temporal server start-dev" does, with its flags
  sundial check --db PATH  run a full integrity check of a (stopped) database
  sundial backup --db PATH --out PATH
                           write a consistent copy of a database, live
  sundial auth new-key|hash-key
                           make an API key, or hash one read on stdin
  sundial migrate --db URL create or migrate a PostgreSQL database's schema
  sundial version          print the version
  sundial help             print this help
  sundial PORT [--enable-time-skipping] [--listen-host HOST]
                           an in-memory test server with the TestService, launched
                           as SDK test environments launch Temporal's test server;
                           it listens on 127.0.0.1 unless --listen-host says otherwise

Run "sundial server --help" for the server's flags.
`

// run executes one sundial sub-command and returns the process exit code. It stops
// when ctx is done (SIGINT or SIGTERM in the real binary).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}
	if isTestServerCommandLine(args) {
		return runTestServer(ctx, args, stderr)
	}
	if isStartDevCommandLine(args) {
		return runStartDev(ctx, args[2:], stderr)
	}
	switch command, rest := args[0], args[1:]; command {
	case "server":
		return runServer(ctx, rest, stderr)
	case "check":
		return runCheck(ctx, rest, stdout, stderr)
	case "backup":
		return runBackup(ctx, rest, stdout, stderr)
	case "auth":
		return runAuth(rest, os.Stdin, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "sundial %s\n", version)
		return exitOK
	case "help", "--help", "-help", "-h":
		fmt.Fprint(stdout, usageText)
		return exitOK
	default:
		fmt.Fprintf(stderr, "sundial: unknown command %q\n\n%s", command, usageText)
		return exitUsage
	}
}
