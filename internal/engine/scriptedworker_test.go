package engine_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/server"
)

const ns = "default"

// env is one in-process Sundial server and a raw WorkflowService client that
// plays the worker's and the client's parts by script.
type env struct {
	t      *testing.T
	dbPath string
	srv    *server.Server
	conn   *grpc.ClientConn
	c      workflowservice.WorkflowServiceClient
}

// newEnv starts a server on a fresh database.
func newEnv(t *testing.T) *env {
	t.Helper()
	return openEnv(t, filepath.Join(t.TempDir(), "db"))
}

// openEnv starts a server on the database at path and connects to it. The
// server stops when the test ends (or earlier, by stop).
func openEnv(t *testing.T, path string) *env {
	t.Helper()
	srv, err := server.New(server.Options{
		DatabasePath: path,
		ListenAddr:   "127.0.0.1:0",
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("server.Start: %v", err)
	}
	conn, err := grpc.NewClient(srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		_ = srv.Stop(context.Background())
		t.Fatalf("dialing %s: %v", srv.Addr(), err)
	}
	e := &env{t: t, dbPath: path, srv: srv, conn: conn, c: workflowservice.NewWorkflowServiceClient(conn)}
	t.Cleanup(e.stop)
	return e
}

// stop closes the client and stops the server; calling it twice is harmless.
func (e *env) stop() {
	if e.conn != nil {
		_ = e.conn.Close()
		e.conn = nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.srv.Stop(ctx); err != nil {
		e.t.Errorf("server.Stop: %v", err)
	}
}

// ctx is a context for one ordinary RPC.
func (e *env) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	e.t.Cleanup(cancel)
	return ctx
}

// start starts workflow id on task queue tq and returns its run id.
func (e *env) start(id, tq string, edit ...func(*workflowservice.StartWorkflowExecutionRequest)) string {
	e.t.Helper()
	req := e.startRequest(id, tq)
	for _, f := range edit {
		f(req)
	}
	resp, err := e.c.StartWorkflowExecution(e.ctx(), req)
	if err != nil {
		e.t.Fatalf("StartWorkflowExecution(%s): %v", id, err)
	}
	if resp.RunId == "" || !resp.Started {
		e.t.Fatalf("StartWorkflowExecution(%s) = %v", id, resp)
	}
	return resp.RunId
}

func (e *env) startRequest(id, tq string) *workflowservice.StartWorkflowExecutionRequest {
	return &workflowservice.StartWorkflowExecutionRequest{
		Namespace:    ns,
		WorkflowId:   id,
		WorkflowType: &commonpb.WorkflowType{Name: "Greet"},
		TaskQueue:    &taskqueuepb.TaskQueue{Name: tq, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		Input:        payloads("world"),
		Identity:     "client",
		RequestId:    "req-" + id,
	}
}

// pollWFT polls a workflow task on the normal queue tq and fails if none comes.
func (e *env) pollWFT(tq string) *workflowservice.PollWorkflowTaskQueueResponse {
	e.t.Helper()
	return e.pollWFTOn(&taskqueuepb.TaskQueue{Name: tq, Kind: enumspb.TASK_QUEUE_KIND_NORMAL})
}

func (e *env) pollWFTOn(q *taskqueuepb.TaskQueue) *workflowservice.PollWorkflowTaskQueueResponse {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
	defer cancel()
	resp, err := e.c.PollWorkflowTaskQueue(ctx, &workflowservice.PollWorkflowTaskQueueRequest{Namespace: ns, TaskQueue: q, Identity: "wf-worker"})
	if err != nil {
		e.t.Fatalf("PollWorkflowTaskQueue(%s): %v", q.GetName(), err)
	}
	if len(resp.TaskToken) == 0 {
		e.t.Fatalf("PollWorkflowTaskQueue(%s): no task", q.GetName())
	}
	return resp
}

// pollWFTNone polls q briefly and fails if a task comes.
func (e *env) pollWFTNone(q *taskqueuepb.TaskQueue) {
	e.t.Helper()
	// The server answers empty one second before the caller's deadline, so
	// this waits about 300ms.
	ctx, cancel := context.WithTimeout(context.Background(), 1300*time.Millisecond)
	defer cancel()
	resp, err := e.c.PollWorkflowTaskQueue(ctx, &workflowservice.PollWorkflowTaskQueueRequest{Namespace: ns, TaskQueue: q, Identity: "wf-worker"})
	if err != nil {
		e.t.Fatalf("PollWorkflowTaskQueue(%s): %v", q.GetName(), err)
	}
	if len(resp.TaskToken) != 0 {
		e.t.Fatalf("PollWorkflowTaskQueue(%s) returned a task nobody expected: started %d, history %s", q.GetName(), resp.StartedEventId, types(resp.GetHistory().GetEvents()))
	}
}

// completeWFT answers a workflow task with commands.
func (e *env) completeWFT(token []byte, cmds ...*commandpb.Command) *workflowservice.RespondWorkflowTaskCompletedResponse {
	e.t.Helper()
	resp, err := e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: ns, TaskToken: token, Commands: cmds, Identity: "wf-worker",
	})
	if err != nil {
		e.t.Fatalf("RespondWorkflowTaskCompleted: %v", err)
	}
	return resp
}

// pollActivity polls an activity task on tq and fails if none comes.
func (e *env) pollActivity(tq string) *workflowservice.PollActivityTaskQueueResponse {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
	defer cancel()
	resp, err := e.c.PollActivityTaskQueue(ctx, &workflowservice.PollActivityTaskQueueRequest{
		Namespace: ns, TaskQueue: &taskqueuepb.TaskQueue{Name: tq}, Identity: "act-worker",
	})
	if err != nil {
		e.t.Fatalf("PollActivityTaskQueue(%s): %v", tq, err)
	}
	if len(resp.TaskToken) == 0 {
		e.t.Fatalf("PollActivityTaskQueue(%s): no task", tq)
	}
	return resp
}

// completeActivity answers an activity task with a result.
func (e *env) completeActivity(token []byte, result string) {
	e.t.Helper()
	_, err := e.c.RespondActivityTaskCompleted(e.ctx(), &workflowservice.RespondActivityTaskCompletedRequest{
		Namespace: ns, TaskToken: token, Result: payloads(result), Identity: "act-worker",
	})
	if err != nil {
		e.t.Fatalf("RespondActivityTaskCompleted: %v", err)
	}
}

func (e *env) signal(id, name string) {
	e.t.Helper()
	_, err := e.c.SignalWorkflowExecution(e.ctx(), &workflowservice.SignalWorkflowExecutionRequest{
		Namespace: ns, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id}, SignalName: name, Identity: "client",
	})
	if err != nil {
		e.t.Fatalf("SignalWorkflowExecution(%s, %s): %v", id, name, err)
	}
}

// history reads a run's whole history, page by page.
func (e *env) history(id, runID string) []*historypb.HistoryEvent {
	e.t.Helper()
	var out []*historypb.HistoryEvent
	var token []byte
	for {
		resp, err := e.c.GetWorkflowExecutionHistory(e.ctx(), &workflowservice.GetWorkflowExecutionHistoryRequest{
			Namespace: ns, Execution: &commonpb.WorkflowExecution{WorkflowId: id, RunId: runID}, NextPageToken: token,
		})
		if err != nil {
			e.t.Fatalf("GetWorkflowExecutionHistory(%s): %v", id, err)
		}
		out = append(out, resp.GetHistory().GetEvents()...)
		if len(resp.NextPageToken) == 0 {
			break
		}
		token = resp.NextPageToken
	}
	checkContiguous(e.t, out, 1)
	return out
}

// Commands.

func scheduleActivityCmd(activityID, tq string) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
		Attributes: &commandpb.Command_ScheduleActivityTaskCommandAttributes{ScheduleActivityTaskCommandAttributes: &commandpb.ScheduleActivityTaskCommandAttributes{
			ActivityId:          activityID,
			ActivityType:        &commonpb.ActivityType{Name: "Charge"},
			TaskQueue:           &taskqueuepb.TaskQueue{Name: tq},
			Input:               payloads("order-7"),
			StartToCloseTimeout: durationpb.New(30 * time.Second),
		}},
	}
}

func completeWorkflowCmd(result string) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_CompleteWorkflowExecutionCommandAttributes{CompleteWorkflowExecutionCommandAttributes: &commandpb.CompleteWorkflowExecutionCommandAttributes{
			Result: payloads(result),
		}},
	}
}

func payloads(s string) *commonpb.Payloads {
	return &commonpb.Payloads{Payloads: []*commonpb.Payload{{
		Metadata: map[string][]byte{"encoding": []byte("json/plain")},
		Data:     []byte(`"` + s + `"`),
	}}}
}

func payloadString(p *commonpb.Payloads) string {
	if len(p.GetPayloads()) != 1 {
		return fmt.Sprintf("<%d payloads>", len(p.GetPayloads()))
	}
	return strings.Trim(string(p.Payloads[0].Data), `"`)
}

// Assertions.

func types(evs []*historypb.HistoryEvent) string {
	var b strings.Builder
	for i, ev := range evs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "[%d] %s", ev.EventId, strings.TrimPrefix(ev.EventType.String(), "EVENT_TYPE_"))
	}
	return b.String()
}

// wantTypes checks the event types of evs in order.
func wantTypes(t *testing.T, evs []*historypb.HistoryEvent, want ...enumspb.EventType) {
	t.Helper()
	ok := len(evs) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = evs[i].EventType == want[i]
	}
	if !ok {
		names := make([]string, len(want))
		for i, et := range want {
			names[i] = strings.TrimPrefix(et.String(), "EVENT_TYPE_")
		}
		t.Fatalf("events = %s\nwant types %s", types(evs), strings.Join(names, ", "))
	}
}

// checkContiguous checks that evs have ids first, first+1, ... and event times.
func checkContiguous(t *testing.T, evs []*historypb.HistoryEvent, first int64) {
	t.Helper()
	for i, ev := range evs {
		if ev.EventId != first+int64(i) {
			t.Fatalf("event ids not contiguous from %d: %s", first, types(evs))
		}
		if ev.EventTime == nil {
			t.Fatalf("event %d has no event_time", ev.EventId)
		}
	}
}

// wantCode checks that err is a gRPC status with code.
func wantCode(t *testing.T, what string, err error, code codes.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s succeeded, want %v", what, code)
	}
	if got := status.Code(err); got != code {
		t.Fatalf("%s: %v (code %v), want %v", what, err, got, code)
	}
}

// asError is errors.As returning the target, for serviceerror types.
func asError[T error](err error) (T, bool) {
	var target T
	ok := errors.As(err, &target)
	return target, ok
}
