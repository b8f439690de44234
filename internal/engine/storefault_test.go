package engine_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/engine"
	"github.com/sundialdev/sundial/internal/frontend"
	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/store/sqlite"
)

// faultyStore is a store whose writes fail, as on a full disk, while failing
// is set. It counts the writes attempted meanwhile.
type faultyStore struct {
	store.Store
	failing atomic.Bool
	refused atomic.Int64
}

var errDiskFull = errors.New("sqlite: committing: database or disk is full (13)")

func (s *faultyStore) Write(ctx context.Context, t *store.Transition) error {
	if s.failing.Load() {
		s.refused.Add(1)
		return errDiskFull
	}
	return s.Store.Write(ctx, t)
}

// syncLog is a log sink tests can read while the engine writes to it.
type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) count(substr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), substr)
}

// newFaultyEnv serves an engine over a faultyStore (on an in-memory SQLite)
// through gRPC, like newEnv.
func newFaultyEnv(t *testing.T) (*env, *faultyStore, *syncLog) {
	t.Helper()
	inner, err := sqlite.Open(context.Background(), sqlite.MemoryPath, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs := &faultyStore{Store: inner}
	logs := &syncLog{}
	eng, err := engine.New(engine.Config{Store: fs, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer(grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		resp, err := h(ctx, req)
		if err != nil {
			if _, ok := status.FromError(err); !ok {
				err = serviceerror.ToStatus(err).Err()
			}
		}
		return resp, err
	}))
	workflowservice.RegisterWorkflowServiceServer(g, frontend.NewHandler(eng, frontend.DefaultLimits(), "test"))
	go func() { _ = g.Serve(lis) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = conn.Close()
		eng.Stop()
		g.Stop()
		_ = inner.Close()
	})
	return &env{t: t, c: workflowservice.NewWorkflowServiceClient(conn)}, fs, logs
}

// pollActivityBriefly polls tq for about half a second (the server answers a second before the deadline) and returns the task
// token, or nil when none came.
func (e *env) pollActivityBriefly(tq string) []byte {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	resp, err := e.c.PollActivityTaskQueue(ctx, &workflowservice.PollActivityTaskQueueRequest{
		Namespace: ns, TaskQueue: &taskqueuepb.TaskQueue{Name: tq}, Identity: "act-worker",
	})
	if err != nil {
		e.t.Fatalf("PollActivityTaskQueue(%s): %v", tq, err)
	}
	return resp.TaskToken
}

// TestStorageFault01ActivityNotRerunWhileCommitsFail: while the store cannot
// commit, an activity whose completion fails to commit is not handed out
// again (a new first attempt each time, without limit); its start stays in
// memory, and the worker's retried completion succeeds once the store
// recovers.
func TestStorageFault01ActivityNotRerunWhileCommitsFail(t *testing.T) {
	t.Parallel()
	e, fs, _ := newFaultyEnv(t)
	e.scheduleWith("fanout", func(a *commandpb.ScheduleActivityTaskCommandAttributes) {
		a.RetryPolicy = &commonpb.RetryPolicy{MaximumAttempts: 1}
		a.StartToCloseTimeout = durationpb.New(time.Minute)
	})
	act := e.pollActivity("tq")
	fs.failing.Store(true)
	for i := range 5 {
		_, err := e.c.RespondActivityTaskCompleted(e.ctx(), &workflowservice.RespondActivityTaskCompletedRequest{
			Namespace: ns, TaskToken: act.TaskToken, Result: payloads("done"), Identity: "act-worker",
		})
		if status.Code(err) != codes.Unavailable {
			t.Fatalf("completion %d on a full disk: %v, want Unavailable", i, err)
		}
		if token := e.pollActivityBriefly("tq"); token != nil {
			t.Fatalf("after failed completion %d the activity (MaximumAttempts 1) was handed out again", i)
		}
	}
	fs.failing.Store(false)
	e.completeActivity(act.TaskToken, "done")
	wft := e.pollWFT("tq")
	wantTypes(t, wft.GetHistory().GetEvents()[5:7], enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
}

// TestStorageFault02DeadlineRetriesBackOff: a run deadline that cannot fire
// because commits fail is retried after growing waits, not in a tight loop
// while clients keep reading the run, and the failure is logged once per
// interval.
func TestStorageFault02DeadlineRetriesBackOff(t *testing.T) {
	t.Parallel()
	e, fs, logs := newFaultyEnv(t)
	runID := e.start("timer", "tq")
	e.completeWFT(e.pollWFT("tq").TaskToken, &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_START_TIMER,
		Attributes: &commandpb.Command_StartTimerCommandAttributes{StartTimerCommandAttributes: &commandpb.StartTimerCommandAttributes{
			TimerId: "t1", StartToFireTimeout: durationpb.New(300 * time.Millisecond),
		}},
	})
	fs.failing.Store(true)
	// The timer fires soon; firing it needs a commit.
	began := time.Now()
	for fs.refused.Load() == 0 {
		if time.Since(began) > 20*time.Second {
			t.Fatal("the workflow task timeout never fired")
		}
		time.Sleep(10 * time.Millisecond)
	}
	failedAt := time.Now()
	// Read the run meanwhile, as clients do: that must not re-arm the
	// deadline early.
	describes := 0
	for time.Since(failedAt) < 2500*time.Millisecond {
		_, err := e.c.DescribeWorkflowExecution(e.ctx(), &workflowservice.DescribeWorkflowExecutionRequest{
			Namespace: ns, Execution: &commonpb.WorkflowExecution{WorkflowId: "timer", RunId: runID},
		})
		if err != nil {
			t.Fatalf("describe while commits fail: %v", err)
		}
		describes++
		time.Sleep(5 * time.Millisecond)
	}
	// Retries come 1 s and 2 s after the first failure: two, maybe three
	// attempts in 2.5 s on a loaded machine.
	if n := fs.refused.Load(); n > 3 {
		t.Errorf("%d commits attempted for one failing deadline in %v (%d describes meanwhile); want at most 3", n, time.Since(failedAt), describes)
	}
	if n := logs.count("firing run deadline failed"); n != 1 {
		t.Errorf("the failure was logged %d times in %v, want once per interval", n, time.Since(failedAt))
	}
	fs.failing.Store(false)
	// Once commits succeed again, the deadline fires (within the backoff) and
	// the workflow task is handed out anew.
	e.pollWFT("tq")
}
