package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/server/auth"
)

// enableTimeSkippingFlag is the one flag of Temporal's test server command line.
const enableTimeSkippingFlag = "--enable-time-skipping"

// listenHostFlag chooses the interface the test server listens on, as
// --listen-host HOST or --listen-host=HOST. Sundial's own addition: Temporal's
// test server has no such flag.
const listenHostFlag = "--listen-host"

// defaultTestServerHost keeps the test server, which has no authentication,
// off every interface but loopback unless asked.
const defaultTestServerHost = "127.0.0.1"

// testServerShutdownTimeout bounds the graceful stop of the test-server form.
const testServerShutdownTimeout = 5 * time.Second

// testServerArgs is the parsed test-server command line.
type testServerArgs struct {
	port     string
	host     string
	skipping bool
	// tls and insecure come from the flags the server sub-command shares
	// (--tls-cert, --tls-key, --tls-client-ca, --insecure).
	tls      server.TLSOptions
	insecure bool
	// auth comes from the server sub-command's --auth-* flags; nil: off.
	auth *auth.Config
}

// listenAddr is the host:port the test server listens on.
func (a testServerArgs) listenAddr() string { return net.JoinHostPort(a.host, a.port) }

// isTestServerCommandLine reports whether args are in the form SDK test
// environments use to launch Temporal's test server: `<port> [flags]`.
func isTestServerCommandLine(args []string) bool {
	if len(args) == 0 {
		return false
	}
	port, err := strconv.Atoi(args[0])
	return err == nil && port >= 0 && port <= 65535
}

// parseTestServerArgs reads `<port> [--enable-time-skipping] [--listen-host HOST]
// [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]] [--insecure]`; flags
// with a value take it as the next argument or after "=".
func parseTestServerArgs(args []string) (testServerArgs, error) {
	parsed := testServerArgs{port: args[0], host: defaultTestServerHost}
	authArgs := authFlags{jwksRefresh: auth.DefaultJWKSRefreshInterval}
	valued := map[string]*string{
		listenHostFlag:           &parsed.host,
		"--tls-cert":             &parsed.tls.CertFile,
		"--tls-key":              &parsed.tls.KeyFile,
		"--tls-client-ca":        &parsed.tls.ClientCAFile,
		"--auth-jwks":            &authArgs.jwks,
		"--auth-issuer":          &authArgs.issuer,
		"--auth-audience":        &authArgs.audience,
		"--auth-api-keys":        &authArgs.apiKeys,
		"--auth-mtls-identities": &authArgs.identities,
	}
	rest := args[1:]
	for len(rest) > 0 {
		arg := rest[0]
		rest = rest[1:]
		name, value, hasValue := strings.Cut(arg, "=")
		switch target, ok := valued[name]; {
		case arg == enableTimeSkippingFlag:
			parsed.skipping = true
		case arg == "--insecure":
			parsed.insecure = true
		case ok && hasValue:
			*target = value
		case ok:
			if len(rest) == 0 {
				return parsed, fmt.Errorf("%s needs a value", name)
			}
			*target, rest = rest[0], rest[1:]
		default:
			return parsed, fmt.Errorf("unknown flag %q (the flags are %s, %s HOST, --tls-cert FILE, --tls-key FILE, --tls-client-ca FILE, --insecure "+
				"and the server's --auth-jwks, --auth-issuer, --auth-audience, --auth-api-keys and --auth-mtls-identities)",
				arg, enableTimeSkippingFlag, listenHostFlag)
		}
	}
	var err error
	parsed.auth, err = authArgs.config()
	return parsed, err
}

// runTestServer stands in for Temporal's test server, as the TypeScript and
// Python SDKs launch it (`<path> <port> [--enable-time-skipping]`): an in-memory
// Sundial on loopback (or the --listen-host interface) at that port, with the
// TestService. As with Temporal's, the skipping lock starts at 1 — the SDKs'
// time-skipping environments launch it so, and unlock while they await a
// result — and --enable-time-skipping releases it at start, so time skips
// whenever the server is idle.
func runTestServer(ctx context.Context, args []string, stderr io.Writer) int {
	port := args[0]
	parsed, err := parseTestServerArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "sundial %s: %v\n", port, err)
		return exitUsage
	}
	skipping := parsed.skipping
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(server.Options{
		ListenAddr:   parsed.listenAddr(),
		DatabasePath: ":memory:",
		Logger:       logger,
		TimeSkipping: true,
		TLS:          parsed.tls,
		Insecure:     parsed.insecure,
		Auth:         parsed.auth,
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
		if err := srv.UnlockTimeSkipping(); err != nil {
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
