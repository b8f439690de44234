package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// serverKind names one of the servers under test: an engine on a store.
type serverKind string

const (
	// sundialServer is Sundial on a fresh SQLite file.
	sundialServer serverKind = "sundial"
	// temporalServer is Temporal's server on a fresh SQLite file.
	temporalServer serverKind = "temporal"
	// sundialPGServer is Sundial on a fresh PostgreSQL database.
	sundialPGServer serverKind = "sundial-pg"
	// temporalPGServer is Temporal's server on fresh PostgreSQL databases
	// (persistence and visibility), its production configuration.
	temporalPGServer serverKind = "temporal-pg"
)

// allServers are the kinds in the order the table lists them.
var allServers = []serverKind{sundialServer, temporalServer, sundialPGServer, temporalPGServer}

// engine is the server program a kind runs: sundialServer or temporalServer.
func (k serverKind) engine() serverKind {
	switch k {
	case sundialPGServer:
		return sundialServer
	case temporalPGServer:
		return temporalServer
	}
	return k
}

// onPostgres reports whether the kind keeps its state in PostgreSQL.
func (k serverKind) onPostgres() bool {
	return k == sundialPGServer || k == temporalPGServer
}

// rival is the Temporal kind on the same store as a Sundial kind, whose
// figures the ratios compare against; "" for Temporal kinds.
func (k serverKind) rival() serverKind {
	switch k {
	case sundialServer:
		return temporalServer
	case sundialPGServer:
		return temporalPGServer
	}
	return ""
}

// binaries are the server executables built for this run, and how to run them.
type binaries struct {
	Sundial  string
	Temporal string
	// TemporalJournalMode is SQLite's journal mode for Temporal: "wal" or "delete".
	TemporalJournalMode string
}

// child is a server running as a child process of the benchmark.
type child struct {
	kind     serverKind
	cmd      *exec.Cmd
	hostPort string
	logPath  string
	exited   chan struct{}
	waitErr  error
}

// startChild starts a fresh server of the given kind, on a new SQLite file in dir
// or on the fresh PostgreSQL databases in pg, and waits until it answers
// GetSystemInfo and knows the "default" namespace.
func startChild(ctx context.Context, kind serverKind, bins binaries, dir string, pg freshDatabases) (*child, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	hostPort := fmt.Sprintf("127.0.0.1:%d", port)
	var cmd *exec.Cmd
	switch kind {
	case sundialServer:
		cmd = exec.Command(bins.Sundial, "server", "--listen", hostPort, "--db", filepath.Join(dir, "sundial.db"),
			"--log-level", "warn", "--no-ui")
	case sundialPGServer:
		cmd = exec.Command(bins.Sundial, "server", "--listen", hostPort, "--db", pg.main,
			"--log-level", "warn", "--no-ui")
	case temporalServer:
		cmd = exec.Command(bins.Temporal, "--listen", hostPort,
			"--db", filepath.Join(dir, "temporal.db"), "--log-level", "warn",
			"--journal-mode", bins.TemporalJournalMode)
	case temporalPGServer:
		cmd = exec.Command(bins.Temporal, "--listen", hostPort, "--log-level", "warn",
			"--postgres", pg.main, "--visibility-postgres", pg.visibility)
	default:
		return nil, fmt.Errorf("unknown server kind %q", kind)
	}
	logPath := filepath.Join(dir, string(kind)+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("creating server log: %w", err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", kind, err)
	}
	c := &child{kind: kind, cmd: cmd, hostPort: hostPort, logPath: logPath, exited: make(chan struct{})}
	go func() {
		c.waitErr = cmd.Wait()
		_ = logFile.Close()
		close(c.exited)
	}()
	if err := c.waitReady(ctx, 90*time.Second); err != nil {
		c.kill()
		return nil, fmt.Errorf("%s did not become ready (log: %s): %w", kind, logPath, err)
	}
	return c, nil
}

// pid is the child's process id.
func (c *child) pid() int { return c.cmd.Process.Pid }

// waitReady polls GetSystemInfo and DescribeNamespace("default") until both answer.
func (c *child) waitReady(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	conn, err := grpc.NewClient(c.hostPort, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("dialing %s: %w", c.hostPort, err)
	}
	defer conn.Close()
	service := workflowservice.NewWorkflowServiceClient(conn)
	var lastErr error
	for {
		callCtx, callCancel := context.WithTimeout(ctx, 2*time.Second)
		_, lastErr = service.GetSystemInfo(callCtx, &workflowservice.GetSystemInfoRequest{})
		if lastErr == nil {
			_, lastErr = service.DescribeNamespace(callCtx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
		}
		callCancel()
		if lastErr == nil {
			return nil
		}
		select {
		case <-c.exited:
			return fmt.Errorf("server exited: %v", c.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), lastErr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop asks the child to shut down (SIGTERM) and kills it if it has not exited
// within the grace period.
func (c *child) stop(grace time.Duration) error {
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signalling %s: %w", c.kind, err)
	}
	select {
	case <-c.exited:
		return nil
	case <-time.After(grace):
		c.kill()
		return fmt.Errorf("%s did not exit within %v of SIGTERM; killed", c.kind, grace)
	}
}

// kill ends the child at once and waits for it.
func (c *child) kill() {
	_ = c.cmd.Process.Kill()
	<-c.exited
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
