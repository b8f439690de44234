package sundialtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/internal/timeskip"
	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/worker"
)

// WorkflowEnvironmentOptions configure NewWorkflowEnvironment. Every field is
// optional.
type WorkflowEnvironmentOptions struct {
	// TimeSkipping makes the server's clock jump to the next timer whenever no
	// workflow task, activity task or query is outstanding, so that a workflow
	// sleeping for a month finishes in milliseconds. Without it time is the wall
	// clock's and Sleep really sleeps.
	TimeSkipping bool
	// Logger receives the server's logs; default only warnings and errors, through
	// t.Log.
	Logger *slog.Logger
	// Client configures the Sundial client Client returns; HostPort is filled in.
	Client client.Options
	// Retention is how long the server keeps the default namespace's closed runs.
	// Default DefaultRetention (100 years), so that no run a test finished is deleted,
	// however far the test skips time. Set it to test what retention deletes; values
	// under a day are accepted here (the server refuses them in production).
	Retention time.Duration
}

// WorkflowEnvironment is a Sundial server running in the test's process, on a
// loopback port with an in-memory database. It is a real server: the official
// Temporal SDKs and Sundial's own connect to HostPort.
type WorkflowEnvironment struct {
	t        testing.TB
	opts     WorkflowEnvironmentOptions
	srv      *server.Server
	conn     *grpc.ClientConn
	testSvc  *timeskip.Client
	logs     *testLogWriter
	shutdown sync.Once

	// callbacks owns the goroutines of RegisterDelayedCallback: stopCallbacks ends
	// their waits and Shutdown waits for them before stopping the server.
	callbacks     sync.WaitGroup
	callbackCtx   context.Context
	stopCallbacks context.CancelFunc

	mu      sync.Mutex
	client  *client.Client
	workers []*worker.Worker
	mocks   []activityMock
}

// NewWorkflowEnvironment starts a server for one test; it is shut down when the
// test ends (or earlier by Shutdown). It fails the test if the server cannot
// start.
func NewWorkflowEnvironment(t testing.TB, opts WorkflowEnvironmentOptions) *WorkflowEnvironment {
	t.Helper()
	env, err := startWorkflowEnvironment(t, opts)
	if err != nil {
		t.Fatalf("sundialtest: %v", err)
	}
	t.Cleanup(env.Shutdown)
	return env
}

func startWorkflowEnvironment(t testing.TB, opts WorkflowEnvironmentOptions) (*WorkflowEnvironment, error) {
	logs := &testLogWriter{t: t}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	retention, err := opts.retention()
	if err != nil {
		return nil, err
	}
	srv, err := server.New(server.Options{
		ListenAddr:   "127.0.0.1:0",
		DatabasePath: ":memory:",
		Logger:       logger,
		TimeSkipping: opts.TimeSkipping,
		MinRetention: min(retention, minProductionRetention),
	})
	if err != nil {
		return nil, fmt.Errorf("configuring the server: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Start(ctx); err != nil {
		return nil, fmt.Errorf("starting the server: %w", err)
	}
	env := &WorkflowEnvironment{t: t, opts: opts, srv: srv, logs: logs}
	env.callbackCtx, env.stopCallbacks = context.WithCancel(context.Background())
	if err := env.connect(ctx, retention); err != nil {
		env.stopCallbacks()
		if env.conn != nil {
			_ = env.conn.Close()
		}
		_ = srv.Stop(ctx)
		return nil, err
	}
	return env, nil
}

// connect dials the environment's own connection, sets the default namespace's
// retention and, under time skipping, connects the TestService.
func (e *WorkflowEnvironment) connect(ctx context.Context, retention time.Duration) error {
	conn, err := grpc.NewClient(e.srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("dialing the server: %w", err)
	}
	e.conn = conn
	if err := setRetention(ctx, conn, retention); err != nil {
		return err
	}
	if !e.opts.TimeSkipping {
		return nil
	}
	return e.connectTestService(ctx)
}

// connectTestService dials the server's TestService and releases the lock the
// server starts with, so that time skips whenever the engine is idle: Go tests
// wait on results with ordinary SDK calls, which do not unlock it themselves.
func (e *WorkflowEnvironment) connectTestService(ctx context.Context) error {
	testSvc, err := timeskip.NewClient(e.conn)
	if err != nil {
		return err
	}
	if err := testSvc.UnlockTimeSkipping(ctx); err != nil {
		return fmt.Errorf("releasing the time-skipping lock: %w", err)
	}
	e.testSvc = testSvc
	return nil
}

// HostPort is the server's gRPC address.
func (e *WorkflowEnvironment) HostPort() string { return e.srv.Addr() }

// Namespace is the namespace the server registers on start, "default".
func (e *WorkflowEnvironment) Namespace() string { return client.DefaultNamespace }

// TimeSkipping reports whether the server skips time.
func (e *WorkflowEnvironment) TimeSkipping() bool { return e.opts.TimeSkipping }

// Client returns a Sundial client connected to the server, dialed on first use
// and closed by Shutdown.
func (e *WorkflowEnvironment) Client() *client.Client {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.client != nil {
		return e.client
	}
	opts := e.opts.Client
	opts.HostPort = e.HostPort()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, opts)
	if err != nil {
		e.t.Fatalf("sundialtest: dialing the environment's server: %v", err)
	}
	e.client = c
	return c
}

// Now is the server's current time: the wall clock's, plus everything skipped.
func (e *WorkflowEnvironment) Now() time.Time {
	e.t.Helper()
	if e.testSvc == nil {
		return time.Now()
	}
	now, err := e.testSvc.CurrentTime(context.Background())
	if err != nil {
		e.t.Fatalf("sundialtest: reading the server's time: %v", err)
	}
	return now
}

// Sleep returns once the server's time has advanced by d. Under time skipping
// the time jumps there as soon as the engine is idle, firing on the way every
// timer due before it (workflows blocked on those timers run in between, in
// their own virtual time); otherwise it is a real sleep.
func (e *WorkflowEnvironment) Sleep(d time.Duration) {
	e.t.Helper()
	if e.testSvc == nil {
		time.Sleep(d)
		return
	}
	if err := e.testSvc.Sleep(context.Background(), d); err != nil {
		e.t.Fatalf("sundialtest: sleeping %s of server time: %v", d, err)
	}
}

// Shutdown ends the delayed callbacks still waiting (and waits for those running),
// stops the workers NewWorker made, closes the client and stops the server. It is
// idempotent and runs by itself when the test ends.
func (e *WorkflowEnvironment) Shutdown() {
	e.shutdown.Do(func() {
		e.stopCallbacks()
		e.callbacks.Wait()
		e.mu.Lock()
		workers := e.workers
		e.mu.Unlock()
		for _, w := range workers {
			w.Stop()
		}
		e.mu.Lock()
		if e.client != nil {
			if err := e.client.Close(); err != nil {
				e.t.Errorf("sundialtest: closing the client: %v", err)
			}
		}
		e.mu.Unlock()
		if e.conn != nil {
			_ = e.conn.Close()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := e.srv.Stop(ctx); err != nil {
			e.t.Errorf("sundialtest: stopping the server: %v", err)
		}
		e.logs.close()
	})
}

// testLogWriter sends log lines to the test's log until closed; a line logged
// after the test ended would panic.
type testLogWriter struct {
	t      testing.TB
	mu     sync.Mutex
	closed bool
}

var _ io.Writer = (*testLogWriter)(nil)

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testLogWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}
