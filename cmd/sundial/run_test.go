package main

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func runForTest(t *testing.T, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRunCommandLine(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string // substring
		wantStderr string // substring
	}{
		{name: "no command", args: nil, wantCode: exitUsage, wantStderr: "sundial server [flags]"},
		{name: "help", args: []string{"help"}, wantCode: exitOK, wantStdout: "sundial version"},
		{name: "dash help", args: []string{"--help"}, wantCode: exitOK, wantStdout: "sundial server [flags]"},
		{name: "version", args: []string{"version"}, wantCode: exitOK, wantStdout: "sundial " + version},
		{name: "unknown command", args: []string{"serve"}, wantCode: exitUsage, wantStderr: `unknown command "serve"`},
		{name: "server help", args: []string{"server", "--help"}, wantCode: exitOK, wantStderr: "-listen HOST:PORT"},
		{name: "unknown flag", args: []string{"server", "--port", "1"}, wantCode: exitUsage, wantStderr: "flag provided but not defined: -port"},
		{name: "bad log level", args: []string{"server", "--log-level", "loud"}, wantCode: exitUsage, wantStderr: `--log-level must be debug, info, warn or error, got "loud"`},
		{name: "stray argument", args: []string{"server", "extra"}, wantCode: exitUsage, wantStderr: `unexpected argument "extra"`},
		{name: "empty listen", args: []string{"server", "--listen", ""}, wantCode: exitUsage, wantStderr: "--listen must not be empty"},
		{name: "empty db", args: []string{"server", "--db="}, wantCode: exitUsage, wantStderr: "--db must not be empty"},
		{name: "bad shutdown timeout", args: []string{"server", "--shutdown-timeout", "0s"}, wantCode: exitUsage, wantStderr: "--shutdown-timeout must be positive"},
		{name: "bad duration", args: []string{"server", "--shutdown-timeout", "soon"}, wantCode: exitUsage, wantStderr: "invalid value \"soon\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runForTest(t, context.Background(), tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (stderr: %s)", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", stdout, tt.wantStdout)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.wantStderr)
			}
		})
	}
}

func TestParseServerFlagsDefaults(t *testing.T) {
	cfg, err := parseServerFlags(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("parsing no flags: %v", err)
	}
	if cfg.listenAddr != "127.0.0.1:7233" || cfg.databasePath != "./sundial.db" || cfg.logLevel.String() != "INFO" || cfg.shutdownTimeout != 10*time.Second {
		t.Errorf("defaults = %+v", cfg)
	}
	cfg, err = parseServerFlags([]string{"--listen", "0.0.0.0:9000", "--db", ":memory:", "--log-level", "DEBUG"}, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("parsing flags: %v", err)
	}
	if cfg.listenAddr != "0.0.0.0:9000" || cfg.databasePath != ":memory:" || cfg.logLevel.String() != "DEBUG" {
		t.Errorf("parsed = %+v", cfg)
	}
}

// TestRunServerStopsOnCancel serves on a free port and checks that cancelling the
// context (what SIGINT does in main) shuts the server down with exit code 0.
func TestRunServerStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	db := filepath.Join(t.TempDir(), "sundial.db")
	go func() {
		done <- run(ctx, []string{"server", "--listen", "127.0.0.1:0", "--db", db, "--log-level", "debug", "--no-ui"}, &bytes.Buffer{}, &stderr)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), "listening on") {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("server did not log \"listening on\" within 10s; stderr:\n%s", stderr.String())
		}
		select {
		case code := <-done:
			t.Fatalf("server exited early with code %d; stderr:\n%s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit code after cancel = %d, want 0; stderr:\n%s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop within 15s of cancel")
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("stderr does not report the stop:\n%s", stderr.String())
	}
}

func TestRunServerReportsStartFailure(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("occupying a port: %v", err)
	}
	defer busy.Close()
	db := filepath.Join(t.TempDir(), "sundial.db")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code, _, stderr := runForTest(t, ctx, "server", "--listen", busy.Addr().String(), "--db", db)
	if code != exitFailure {
		t.Fatalf("exit code = %d, want %d; stderr:\n%s", code, exitFailure, stderr)
	}
	if !strings.Contains(stderr, "sundial server: starting on "+busy.Addr().String()) {
		t.Errorf("stderr does not explain the failure:\n%s", stderr)
	}
}
