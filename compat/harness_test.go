package compat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"

	"github.com/sundialdev/sundial/server"
)

// target is a running server the tests talk to.
type target struct {
	HostPort  string
	Namespace string
}

// targetIsTemporal reports whether COMPAT_TARGET asks for Temporal's own server,
// which is how the assertions here are checked against the reference behaviour.
func targetIsTemporal() bool { return os.Getenv("COMPAT_TARGET") == "temporal" }

// startTarget returns a server for one test: by default a fresh Sundial server on a
// SQLite file in t.TempDir(), stopped when the test ends; with COMPAT_TARGET=temporal
// the package's shared in-process Temporal server.
func startTarget(t *testing.T) target {
	t.Helper()
	if targetIsTemporal() {
		return sharedTemporal.get(t)
	}
	return startSundial(t, server.Options{})
}

// startSundial starts Sundial in-process with opts, filling in a free loopback port
// and a database (COMPAT_STORE: a SQLite file in t.TempDir() or a fresh PostgreSQL
// database) when they are unset.
func startSundial(t *testing.T, opts server.Options) target {
	t.Helper()
	if opts.ListenAddr == "" {
		opts.ListenAddr = "127.0.0.1:0"
	}
	opts = withTestDatabase(t, opts)
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(newTestWriter(t), &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	srv, err := server.New(opts)
	if err != nil {
		t.Fatalf("configuring sundial: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Start(ctx); err != nil {
		t.Fatalf("starting sundial: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("stopping sundial: %v", err)
		}
	})
	return target{HostPort: srv.Addr(), Namespace: "default"}
}

// sharedTemporal is the one Temporal server a test binary starts when
// COMPAT_TARGET=temporal; TestMain stops it.
var sharedTemporal temporalServer

type temporalServer struct {
	once   sync.Once
	server *temporaltest.TestServer
	err    error
}

func (s *temporalServer) get(t *testing.T) target {
	t.Helper()
	s.once.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				s.err = fmt.Errorf("starting temporal test server: %v", r)
			}
		}()
		s.server = temporaltest.NewServer(temporalServerOptions()...)
	})
	if s.err != nil {
		t.Fatal(s.err)
	}
	return target{HostPort: s.server.GetFrontendHostPort(), Namespace: s.server.GetDefaultNamespace()}
}

func (s *temporalServer) stop() {
	if s.server != nil {
		s.server.Stop()
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	sharedTemporal.stop()
	os.Exit(code)
}

// dial connects an official SDK client to tg; it is closed when the test ends.
func dial(t *testing.T, tg target) client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  tg.HostPort,
		Namespace: tg.Namespace,
		Logger:    newSDKLogger(t),
	})
	if err != nil {
		t.Fatalf("dialing %s: %v", tg.HostPort, err)
	}
	t.Cleanup(c.Close)
	return c
}

// setup starts a target and dials a client to it: the first lines of most tests.
func setup(t *testing.T) (target, client.Client) {
	t.Helper()
	tg := startTarget(t)
	return tg, dial(t, tg)
}

var unsafeQueueChars = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// uniqueName returns a name unique to this test run, readable in server logs.
func uniqueName(t *testing.T, prefix string) string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("reading random bytes: %v", err)
	}
	name := unsafeQueueChars.ReplaceAllString(t.Name(), "_")
	if len(name) > 60 {
		name = name[len(name)-60:]
	}
	return prefix + "-" + name + "-" + hex.EncodeToString(b[:])
}

// startWorker runs a worker on taskQueue with what register adds; it stops when the
// test ends. Deadlock detection and heartbeat throttling are shortened or relaxed
// so the tests can be quick.
func startWorker(t *testing.T, c client.Client, taskQueue string, register func(worker.Registry), tweak ...func(*worker.Options)) worker.Worker {
	t.Helper()
	opts := worker.Options{
		DefaultHeartbeatThrottleInterval: 100 * time.Millisecond,
		MaxHeartbeatThrottleInterval:     200 * time.Millisecond,
	}
	for _, f := range tweak {
		f(&opts)
	}
	w := worker.New(c, taskQueue, opts)
	register(w)
	if err := w.Start(); err != nil {
		t.Fatalf("starting worker on %s: %v", taskQueue, err)
	}
	t.Cleanup(w.Stop)
	return w
}

// testContext bounds one test's calls so a hanging server fails the test instead of
// the whole run.
func testContext(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// fetchHistory reads a run's whole history through the SDK's paging iterator.
func fetchHistory(t *testing.T, c client.Client, workflowID, runID string) []*historypb.HistoryEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	iter := c.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var events []*historypb.HistoryEvent
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			t.Fatalf("reading history of %s/%s: %v", workflowID, runID, err)
		}
		events = append(events, event)
	}
	return events
}

// requireHistory fails the test unless the run's history has exactly the wanted
// event types in order, printing both lists side by side when it does not.
func requireHistory(t *testing.T, c client.Client, workflowID, runID string, want []enumspb.EventType) []*historypb.HistoryEvent {
	t.Helper()
	events := fetchHistory(t, c, workflowID, runID)
	got := make([]enumspb.EventType, len(events))
	for i, e := range events {
		got[i] = e.GetEventType()
		if e.GetEventId() != int64(i+1) {
			t.Errorf("history of %s: event %d has id %d, want contiguous ids from 1", workflowID, i, e.GetEventId())
		}
	}
	if diff := eventTypeDiff(want, got); diff != "" {
		t.Fatalf("history of workflow %s run %s differs (- want, + got):\n%s", workflowID, runID, diff)
	}
	return events
}

// eventTypeDiff lines up two event-type lists and marks where they differ; it
// returns "" when they are equal.
func eventTypeDiff(want, got []enumspb.EventType) string {
	equal := len(want) == len(got)
	for i := 0; equal && i < len(want); i++ {
		equal = want[i] == got[i]
	}
	if equal {
		return ""
	}
	var b strings.Builder
	for i := 0; i < max(len(want), len(got)); i++ {
		w, g := "", ""
		if i < len(want) {
			w = shortEventType(want[i])
		}
		if i < len(got) {
			g = shortEventType(got[i])
		}
		mark := "  "
		if w != g {
			mark = "!="
		}
		fmt.Fprintf(&b, "%3d %s  - %-42s + %s\n", i+1, mark, w, g)
	}
	return b.String()
}

func shortEventType(e enumspb.EventType) string {
	return strings.TrimPrefix(e.String(), "EVENT_TYPE_")
}

// eventsOfType returns the events of one type, in history order.
func eventsOfType(events []*historypb.HistoryEvent, typ enumspb.EventType) []*historypb.HistoryEvent {
	var out []*historypb.HistoryEvent
	for _, e := range events {
		if e.GetEventType() == typ {
			out = append(out, e)
		}
	}
	return out
}

// Event type shorthands keep the expected histories readable.
const (
	evWorkflowStarted         = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
	evWorkflowCompleted       = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED
	evWorkflowFailed          = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED
	evWorkflowTimedOut        = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT
	evWorkflowCanceled        = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED
	evWorkflowCancelRequested = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED
	evWorkflowTerminated      = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED
	evWorkflowSignaled        = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
	evTaskScheduled           = enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED
	evTaskStarted             = enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED
	evTaskCompleted           = enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
	evTaskFailed              = enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED
	evTaskTimedOut            = enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT
	evActivityScheduled       = enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
	evActivityStarted         = enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED
	evActivityCompleted       = enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
	evActivityFailed          = enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED
	evActivityTimedOut        = enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT
	evActivityCancelRequested = enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED
	evActivityCanceled        = enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED
	evTimerStarted            = enumspb.EVENT_TYPE_TIMER_STARTED
	evTimerFired              = enumspb.EVENT_TYPE_TIMER_FIRED
	evTimerCanceled           = enumspb.EVENT_TYPE_TIMER_CANCELED
	evMarkerRecorded          = enumspb.EVENT_TYPE_MARKER_RECORDED
)

// Common stretches of history.
var (
	// workflowTask is one workflow task that completed.
	workflowTask = []enumspb.EventType{evTaskScheduled, evTaskStarted, evTaskCompleted}
	// startAndFirstTask is the start of every workflow started without a signal.
	startAndFirstTask = []enumspb.EventType{evWorkflowStarted, evTaskScheduled, evTaskStarted, evTaskCompleted}
)

// concat joins stretches of history into one expected list.
func concat(parts ...[]enumspb.EventType) []enumspb.EventType {
	var out []enumspb.EventType
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// ev makes a stretch out of single event types.
func ev(types ...enumspb.EventType) []enumspb.EventType { return types }

// testWriter forwards writes to t.Log until the test ends, then drops them, so
// goroutines that outlive a test (SDK pollers winding down) cannot make it panic.
type testWriter struct {
	t    *testing.T
	live atomic.Bool
	mu   sync.Mutex
}

func newTestWriter(t *testing.T) io.Writer {
	w := &testWriter{t: t}
	w.live.Store(true)
	t.Cleanup(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.live.Store(false)
	})
	return w
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.live.Load() {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

// newSDKLogger sends the SDK's warnings and errors to the test log; its routine
// chatter is dropped.
func newSDKLogger(t *testing.T) sdklog.Logger {
	level := slog.LevelWarn
	if os.Getenv("COMPAT_SDK_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(newTestWriter(t), &slog.HandlerOptions{Level: level})))
}

// requireHistoryOneOf is requireHistory for runs whose history may legitimately take
// one of several shapes (for example, depending on whether an attempt was running
// when a deadline passed).
func requireHistoryOneOf(t *testing.T, c client.Client, workflowID, runID string, alternatives ...[]enumspb.EventType) []*historypb.HistoryEvent {
	t.Helper()
	events := fetchHistory(t, c, workflowID, runID)
	got := make([]enumspb.EventType, len(events))
	for i, e := range events {
		got[i] = e.GetEventType()
	}
	var diffs strings.Builder
	for i, want := range alternatives {
		diff := eventTypeDiff(want, got)
		if diff == "" {
			return events
		}
		fmt.Fprintf(&diffs, "alternative %d (- want, + got):\n%s", i+1, diff)
	}
	t.Fatalf("history of workflow %s run %s matches none of the accepted shapes:\n%s", workflowID, runID, diffs.String())
	return nil
}
