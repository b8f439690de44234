package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/sundialdev/sundial/internal/timeskip"
	"github.com/sundialdev/sundial/server"
)

// enableTimeSkippingFlag is the one flag of Temporal's test server command line.
const enableTimeSkippingFlag = "--enable-time-skipping"

// testServerShutdownTimeout bounds the graceful stop of the test-server form.
const testServerShutdownTimeout = 5 * time.Second

// isTestServerCommandLine reports whether args are in the form SDK test
// environments use to launch Temporal's test server: `<port> [flags]`.
func isTestServerCommandLine(args []string) bool {
	if len(args) == 0 {
		return false
	}
	port, err := strconv.Atoi(args[0])
	return err == nil && port >= 0 && port <= 65535
}

// runTestServer stands in for Temporal's test server, as the TypeScript and
// Python SDKs launch it (`<path> <port> [--enable-time-skipping]`): an in-memory
// Sundial on all interfaces at that port, with the TestService. As with
// Temporal's, the skipping lock starts at 1 — the SDKs' time-skipping
// environments launch it so, and unlock while they await a result — and
// --enable-time-skipping releases it at start, so time skips whenever the
// server is idle.
func runTestServer(ctx context.Context, args []string, stderr io.Writer) int {
	port := args[0]
	skipping := false
	for _, arg := range args[1:] {
		if arg != enableTimeSkippingFlag {
			fmt.Fprintf(stderr, "sundial %s: unknown flag %q (the only one is %s)\n", port, arg, enableTimeSkippingFlag)
			return exitUsage
		}
		skipping = true
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(server.Options{
		ListenAddr:   net.JoinHostPort("", port),
		DatabasePath: ":memory:",
		Logger:       logger,
		TimeSkipping: true,
	})
	if err != nil {
		fmt.Fprintf(stderr, "sundial %s: configuring: %v\n", port, err)
		return exitFailure
	}
	if err := srv.Start(ctx); err != nil {
		fmt.Fprintf(stderr, "sundial %s: starting: %v\n", port, err)
		return exitFailure
	}
	code := exitOK
	if skipping {
		if err := releaseTimeSkippingLock(ctx, srv.Addr()); err != nil {
			fmt.Fprintf(stderr, "sundial %s: unlocking time skipping: %v\n", port, err)
			code = exitFailure
		}
	}
	if code == exitOK {
		<-ctx.Done()
	}
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), testServerShutdownTimeout)
	defer cancel()
	if err := srv.Stop(stopCtx); err != nil {
		fmt.Fprintf(stderr, "sundial %s: stopping: %v\n", port, err)
		return exitFailure
	}
	return code
}

// releaseTimeSkippingLock releases the time-skipping lock the server at addr
// starts with, through its TestService.
func releaseTimeSkippingLock(ctx context.Context, addr string) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("dialing %s: %w", addr, err)
	}
	defer conn.Close()
	ts, err := timeskip.NewClient(conn)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return ts.UnlockTimeSkipping(ctx)
}
