package engine

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/clock"
	"github.com/sundialdev/sundial/internal/store/sqlite"
)

// TestStorageFault09DeadlineDueAfterFiringFiresAgain: after a restart long
// past an activity's retry time, firing the retry makes the new attempt's
// schedule-to-start deadline due at once. The engine fires that too (the
// activity times out, the workflow gets its task) and logs nothing about a
// deadline that was due with nothing to fire (issue 12, item 9).
func TestStorageFault09DeadlineDueAfterFiringFiresAgain(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	newEngine := func(clk clock.Clock, log *lockedBuffer) *Engine {
		t.Helper()
		e, err := New(Config{Store: st, Clock: clk, Logger: slog.New(slog.NewTextHandler(log, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return e
	}
	tq := &taskqueuepb.TaskQueue{Name: "tq"}

	var firstLog lockedBuffer
	first := newEngine(clock.NewVirtual(t0), &firstLog)
	if _, err := first.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
		Namespace: "default", WorkflowId: "wf", WorkflowType: &commonpb.WorkflowType{Name: "W"},
		TaskQueue: tq, RequestId: "wf",
	}); err != nil {
		t.Fatal(err)
	}
	wft, err := first.PollWorkflowTaskQueue(ctx, &workflowservice.PollWorkflowTaskQueueRequest{Namespace: "default", TaskQueue: tq, Identity: "w"})
	if err != nil || len(wft.TaskToken) == 0 {
		t.Fatalf("polling the first workflow task: %v", err)
	}
	if _, err := first.RespondWorkflowTaskCompleted(ctx, &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: "default", TaskToken: wft.TaskToken, Identity: "w",
		Commands: []*commandpb.Command{{
			CommandType: enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
			Attributes: &commandpb.Command_ScheduleActivityTaskCommandAttributes{ScheduleActivityTaskCommandAttributes: &commandpb.ScheduleActivityTaskCommandAttributes{
				ActivityId: "a", ActivityType: &commonpb.ActivityType{Name: "A"}, TaskQueue: tq,
				ScheduleToStartTimeout: durationpb.New(time.Second),
				StartToCloseTimeout:    durationpb.New(time.Minute),
				RetryPolicy:            &commonpb.RetryPolicy{InitialInterval: durationpb.New(10 * time.Second), MaximumAttempts: 5},
			}},
		}},
	}); err != nil {
		t.Fatal(err)
	}
	act, err := first.PollActivityTaskQueue(ctx, &workflowservice.PollActivityTaskQueueRequest{Namespace: "default", TaskQueue: tq, Identity: "w"})
	if err != nil || len(act.TaskToken) == 0 {
		t.Fatalf("polling the activity: %v", err)
	}
	if _, err := first.RespondActivityTaskFailed(ctx, &workflowservice.RespondActivityTaskFailedRequest{
		Namespace: "default", TaskToken: act.TaskToken, Identity: "w",
		Failure: &failurepb.Failure{Message: "boom", FailureInfo: &failurepb.Failure_ApplicationFailureInfo{ApplicationFailureInfo: &failurepb.ApplicationFailureInfo{Type: "E"}}},
	}); err != nil {
		t.Fatal(err)
	}
	first.Stop() // the activity waits 10 s for its second attempt

	// A restart a minute later: the retry is overdue, and so is the second
	// attempt's schedule-to-start deadline once the retry fires.
	var log lockedBuffer
	later := clock.NewVirtual(t0.Add(time.Minute))
	e := newEngine(later, &log)
	t.Cleanup(e.Stop)
	later.Advance(time.Second)
	wft, err = e.PollWorkflowTaskQueue(ctx, &workflowservice.PollWorkflowTaskQueueRequest{Namespace: "default", TaskQueue: tq, Identity: "w"})
	if err != nil || len(wft.TaskToken) == 0 {
		t.Fatalf("no workflow task after the overdue activity deadlines: %v", err)
	}
	var timedOut *historypb.ActivityTaskTimedOutEventAttributes
	for _, ev := range wft.GetHistory().GetEvents() {
		if a := ev.GetActivityTaskTimedOutEventAttributes(); a != nil {
			timedOut = a
		}
	}
	if timedOut == nil {
		t.Fatalf("the activity did not time out; history: %v", wft.GetHistory().GetEvents())
	}
	if got := timedOut.GetFailure().GetTimeoutFailureInfo().GetTimeoutType(); got != enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START {
		t.Errorf("timeout type %v, want SCHEDULE_TO_START", got)
	}
	if strings.Contains(log.String(), "nothing fired") {
		t.Errorf("a deadline made due by firing another was logged as due with nothing to fire:\n%s", log.String())
	}
}
