package sundialtest_test

import (
	"context"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/sundialtest"
)

const day = 24 * time.Hour

// rawWorker drives workflows over the bare WorkflowService API, one command list
// per workflow task, so these tests need no SDK.
type rawWorker struct {
	t         *testing.T
	svc       workflowservice.WorkflowServiceClient
	namespace string
	taskQueue string
}

func newRawWorker(t *testing.T, env *sundialtest.WorkflowEnvironment) *rawWorker {
	t.Helper()
	conn, err := grpc.NewClient(env.HostPort(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dialing: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &rawWorker{t: t, svc: workflowservice.NewWorkflowServiceClient(conn), namespace: env.Namespace(), taskQueue: "skip-" + t.Name()}
}

func (w *rawWorker) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

func (w *rawWorker) start(id string, runTimeout time.Duration) string {
	w.t.Helper()
	ctx, cancel := w.ctx()
	defer cancel()
	req := &workflowservice.StartWorkflowExecutionRequest{
		Namespace:    w.namespace,
		WorkflowId:   id,
		WorkflowType: &commonpb.WorkflowType{Name: "Raw"},
		TaskQueue:    &taskqueuepb.TaskQueue{Name: w.taskQueue},
		RequestId:    id,
	}
	if runTimeout > 0 {
		req.WorkflowRunTimeout = durationpb.New(runTimeout)
	}
	resp, err := w.svc.StartWorkflowExecution(ctx, req)
	if err != nil {
		w.t.Fatalf("starting %s: %v", id, err)
	}
	return resp.RunId
}

// workflowTask polls for the next workflow task.
func (w *rawWorker) workflowTask() *workflowservice.PollWorkflowTaskQueueResponse {
	w.t.Helper()
	for {
		ctx, cancel := w.ctx()
		resp, err := w.svc.PollWorkflowTaskQueue(ctx, &workflowservice.PollWorkflowTaskQueueRequest{
			Namespace: w.namespace,
			TaskQueue: &taskqueuepb.TaskQueue{Name: w.taskQueue},
			Identity:  "raw",
		})
		cancel()
		if err != nil {
			w.t.Fatalf("polling workflow tasks: %v", err)
		}
		if len(resp.TaskToken) > 0 {
			return resp
		}
	}
}

func (w *rawWorker) complete(task *workflowservice.PollWorkflowTaskQueueResponse, commands ...*commandpb.Command) {
	w.t.Helper()
	ctx, cancel := w.ctx()
	defer cancel()
	if _, err := w.svc.RespondWorkflowTaskCompleted(ctx, &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: w.namespace, TaskToken: task.TaskToken, Commands: commands, Identity: "raw",
	}); err != nil {
		w.t.Fatalf("completing a workflow task: %v", err)
	}
}

// closeEvent waits for the run's last event.
func (w *rawWorker) closeEvent(id, runID string) *historypb.HistoryEvent {
	w.t.Helper()
	ctx, cancel := w.ctx()
	defer cancel()
	for {
		resp, err := w.svc.GetWorkflowExecutionHistory(ctx, &workflowservice.GetWorkflowExecutionHistoryRequest{
			Namespace:              w.namespace,
			Execution:              &commonpb.WorkflowExecution{WorkflowId: id, RunId: runID},
			WaitNewEvent:           true,
			HistoryEventFilterType: enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
		})
		if err != nil {
			w.t.Fatalf("waiting for %s to close: %v", id, err)
		}
		if events := resp.GetHistory().GetEvents(); len(events) > 0 {
			return events[len(events)-1]
		}
	}
}

func startTimer(id string, d time.Duration) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_START_TIMER,
		Attributes: &commandpb.Command_StartTimerCommandAttributes{StartTimerCommandAttributes: &commandpb.StartTimerCommandAttributes{
			TimerId: id, StartToFireTimeout: durationpb.New(d),
		}},
	}
}

func completeWorkflow() *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_CompleteWorkflowExecutionCommandAttributes{
			CompleteWorkflowExecutionCommandAttributes: &commandpb.CompleteWorkflowExecutionCommandAttributes{},
		},
	}
}

func findEvent(events []*historypb.HistoryEvent, typ enumspb.EventType) *historypb.HistoryEvent {
	for _, e := range events {
		if e.EventType == typ {
			return e
		}
	}
	return nil
}

func near(got, want time.Time, slack time.Duration) bool {
	d := got.Sub(want)
	return d >= -slack && d <= slack
}

func TestWorkflowEnvironmentSkipsAThirtyDayTimer(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: true})
	w := newRawWorker(t, env)
	wallStart := time.Now()
	startedAt := env.Now()

	runID := w.start("sleeper", 0)
	w.complete(w.workflowTask(), startTimer("month", 30*day))
	task := w.workflowTask() // arrives once the timer has fired
	fired := findEvent(task.History.GetEvents(), enumspb.EVENT_TYPE_TIMER_FIRED)
	if fired == nil {
		t.Fatalf("second workflow task has no TimerFired event: %v", task.History.GetEvents())
	}
	if at := fired.EventTime.AsTime(); !near(at, startedAt.Add(30*day), 5*time.Second) {
		t.Fatalf("timer fired at %v, want about %v", at, startedAt.Add(30*day))
	}
	w.complete(task, completeWorkflow())
	if ev := w.closeEvent("sleeper", runID); ev.EventType != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED {
		t.Fatalf("close event %v", ev.EventType)
	}
	if elapsed := time.Since(wallStart); elapsed > 5*time.Second {
		t.Fatalf("a 30-day timer took %v of wall time", elapsed)
	}
	if now := env.Now(); now.Before(startedAt.Add(30 * day)) {
		t.Fatalf("env.Now() = %v after a 30-day timer started at %v", now, startedAt)
	}
}

func TestWorkflowEnvironmentRunTimeoutFiresInVirtualTime(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: true})
	w := newRawWorker(t, env)
	startedAt := env.Now()
	runID := w.start("bounded", 7*day)
	w.complete(w.workflowTask(), startTimer("too-long", 30*day))
	ev := w.closeEvent("bounded", runID)
	if ev.EventType != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT {
		t.Fatalf("close event %v, want timed out", ev.EventType)
	}
	if at := ev.EventTime.AsTime(); !near(at, startedAt.Add(7*day), 5*time.Second) {
		t.Fatalf("run timed out at %v, want about %v", at, startedAt.Add(7*day))
	}
}

func TestWorkflowEnvironmentSleepAdvancesServerTime(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: true})
	if !env.TimeSkipping() {
		t.Fatal("TimeSkipping() = false")
	}
	before := env.Now()
	wallStart := time.Now()
	env.Sleep(90 * day)
	if elapsed := time.Since(wallStart); elapsed > 2*time.Second {
		t.Fatalf("Sleep(90 days) took %v of wall time", elapsed)
	}
	if d := env.Now().Sub(before); d < 90*day || d > 90*day+5*time.Second {
		t.Fatalf("server time advanced %v, want 90 days", d)
	}
}

func TestWorkflowEnvironmentSleepRunsTimersOnTheWay(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: true})
	w := newRawWorker(t, env)
	startedAt := env.Now()
	w.start("stepper", 0)
	w.complete(w.workflowTask(), startTimer("hour", time.Hour))
	// The workflow task the timer creates holds time still until it is answered,
	// so a worker must answer it while the test sleeps.
	firedAt := make(chan time.Time, 1)
	go func() {
		task := w.workflowTask()
		var at time.Time
		if fired := findEvent(task.History.GetEvents(), enumspb.EVENT_TYPE_TIMER_FIRED); fired != nil {
			at = fired.EventTime.AsTime()
		}
		w.complete(task, completeWorkflow())
		firedAt <- at
	}()
	env.Sleep(2 * time.Hour)
	at := <-firedAt
	if !near(at, startedAt.Add(time.Hour), 5*time.Second) {
		t.Fatalf("timer fired at %v, want about %v", at, startedAt.Add(time.Hour))
	}
	if now := env.Now(); now.Sub(startedAt) < 2*time.Hour {
		t.Fatalf("env.Now() = %v, less than 2h after %v", now, startedAt)
	}
}

func TestWorkflowEnvironmentWithoutSkippingUsesWallTime(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{})
	if env.TimeSkipping() {
		t.Fatal("TimeSkipping() = true")
	}
	if d := time.Since(env.Now()); d < -time.Second || d > time.Second {
		t.Fatalf("env.Now() is %v away from the wall clock", d)
	}
	start := time.Now()
	env.Sleep(20 * time.Millisecond)
	if elapsed := time.Since(start); elapsed < 20*time.Millisecond {
		t.Fatalf("Sleep(20ms) returned after %v", elapsed)
	}
	w := newRawWorker(t, env)
	w.start("short", 0)
	task := w.workflowTask()
	timerStart := time.Now()
	w.complete(task, startTimer("blink", 50*time.Millisecond))
	w.workflowTask()
	if elapsed := time.Since(timerStart); elapsed < 50*time.Millisecond {
		t.Fatalf("a 50ms timer fired after %v without time skipping", elapsed)
	}
}

func TestWorkflowEnvironmentClientAndShutdown(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: true})
	c := env.Client()
	if c != env.Client() {
		t.Fatal("Client() returned a different client the second time")
	}
	if c.SystemInfo() == nil {
		t.Fatal("client has no system info from the server")
	}
	env.Shutdown()
	env.Shutdown()
	conn, err := grpc.NewClient(env.HostPort(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := workflowservice.NewWorkflowServiceClient(conn).GetSystemInfo(ctx, &workflowservice.GetSystemInfoRequest{}); err == nil {
		t.Fatal("the server still answers after Shutdown")
	}
}
