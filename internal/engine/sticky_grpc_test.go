package engine_test

import (
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// completeSticky completes a workflow task asking for the next one on sticky.
func (e *env) completeSticky(token []byte, sticky *taskqueuepb.TaskQueue) {
	e.t.Helper()
	_, err := e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: ns, TaskToken: token, Identity: "wf-worker",
		StickyAttributes: &taskqueuepb.StickyExecutionAttributes{WorkerTaskQueue: sticky, ScheduleToStartTimeout: durationpb.New(10 * time.Second)},
	})
	if err != nil {
		e.t.Fatalf("RespondWorkflowTaskCompleted with sticky attributes: %v", err)
	}
}

// TestStickyQueue: after a completion with sticky attributes the next task goes
// to the worker's sticky queue with only the events since its last task;
// ShutdownWorker moves a waiting sticky task to the normal queue with full
// history and stops routing to that sticky queue (§4).
func TestStickyQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.start("sticky", "tq")
	sticky := &taskqueuepb.TaskQueue{Name: "host:worker-1", Kind: enumspb.TASK_QUEUE_KIND_STICKY, NormalName: "tq"}
	normal := &taskqueuepb.TaskQueue{Name: "tq", Kind: enumspb.TASK_QUEUE_KIND_NORMAL}

	wft := e.pollWFT("tq")
	e.completeSticky(wft.TaskToken, sticky) // [4]
	// The worker's sticky poller is there (as an SDK worker's would be).
	e.pollWFTNone(sticky)

	e.signal("sticky", "one") // [5] signal, [6] scheduled on the sticky queue
	e.pollWFTNone(normal)
	wft = e.pollWFTOn(sticky) // [7]
	if wft.StartedEventId != 7 || wft.PreviousStartedEventId != 3 {
		t.Fatalf("sticky task: started %d previous %d, want 7 and 3", wft.StartedEventId, wft.PreviousStartedEventId)
	}
	wantTypes(t, wft.GetHistory().GetEvents(), enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED)
	checkContiguous(t, wft.History.Events, 4)
	if q := wft.GetWorkflowExecutionTaskQueue(); q.GetName() != "tq" || q.GetKind() != enumspb.TASK_QUEUE_KIND_NORMAL {
		t.Errorf("workflow_execution_task_queue = %v, want the normal queue", q)
	}
	if a := wft.History.Events[2].GetWorkflowTaskScheduledEventAttributes(); a.GetTaskQueue().GetName() != sticky.Name || a.GetTaskQueue().GetKind() != enumspb.TASK_QUEUE_KIND_STICKY {
		t.Errorf("WorkflowTaskScheduled on %v, want the sticky queue", a.GetTaskQueue())
	}
	e.completeSticky(wft.TaskToken, sticky) // [8]

	e.signal("sticky", "two") // [9], [10] waits on the sticky queue
	_, err := e.c.ShutdownWorker(e.ctx(), &workflowservice.ShutdownWorkerRequest{Namespace: ns, StickyTaskQueue: sticky.Name, Identity: "wf-worker"})
	if err != nil {
		t.Fatalf("ShutdownWorker: %v", err)
	}
	wft = e.pollWFT("tq") // [11]
	if wft.StartedEventId != 11 || wft.PreviousStartedEventId != 7 {
		t.Fatalf("moved task: started %d previous %d, want 11 and 7", wft.StartedEventId, wft.PreviousStartedEventId)
	}
	checkContiguous(t, wft.History.Events, 1)
	if n := len(wft.History.Events); n != 11 {
		t.Fatalf("task moved to the normal queue has %d events, want the full 11", n)
	}

	// The worker is gone: a completion naming its sticky queue no longer routes
	// there.
	e.completeSticky(wft.TaskToken, sticky) // [12]
	e.signal("sticky", "three")             // [13], [14]
	wft = e.pollWFT("tq")
	if len(wft.History.Events) != 15 || wft.History.Events[0].EventId != 1 {
		t.Errorf("task after shutdown: %d events from %d, want full history of 15", len(wft.History.Events), wft.History.Events[0].EventId)
	}
	e.completeWFT(wft.TaskToken, completeWorkflowCmd("done"))
	wantTypes(t, e.history("sticky", runID)[16:], enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
}

// TestRestartMidWorkflow: a server stopped while an activity is scheduled hands
// that activity out after a restart on the same file, and the workflow
// completes (DESIGN.md "On start, the server rebuilds queues and timers").
func TestRestartMidWorkflow(t *testing.T) {
	t.Parallel()
	first := newEnv(t)
	runID := first.start("durable", "tq")
	wft := first.pollWFT("tq")
	first.completeWFT(wft.TaskToken, scheduleActivityCmd("a1", "act-tq"))
	first.stop()

	second := openEnv(t, first.dbPath)
	act := second.pollActivity("act-tq")
	if act.ActivityId != "a1" || act.GetWorkflowExecution().GetRunId() != runID || payloadString(act.Input) != "order-7" || act.Attempt != 1 {
		t.Fatalf("activity after restart: id %q run %q input %q attempt %d", act.ActivityId, act.GetWorkflowExecution().GetRunId(), payloadString(act.Input), act.Attempt)
	}
	second.completeActivity(act.TaskToken, "charged")
	wft = second.pollWFT("tq")
	if wft.StartedEventId != 9 || wft.PreviousStartedEventId != 3 {
		t.Errorf("task after restart: started %d previous %d, want 9 and 3", wft.StartedEventId, wft.PreviousStartedEventId)
	}
	second.completeWFT(wft.TaskToken, completeWorkflowCmd("done"))
	h := second.history("durable", runID)
	if len(h) != 11 || h[10].EventType != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED {
		t.Fatalf("history after restart: %s", types(h))
	}

	// And a third start sees the closed run as it was.
	second.stop()
	third := openEnv(t, first.dbPath)
	if h2 := third.history("durable", runID); len(h2) != 11 {
		t.Errorf("history after a second restart: %s", types(h2))
	}
	third.pollWFTNone(&taskqueuepb.TaskQueue{Name: "tq", Kind: enumspb.TASK_QUEUE_KIND_NORMAL})
}

// TestPollBacklogCountHint: a workflow task poll says how many tasks still
// wait in the polled queue, which the SDKs use to send every poller to a
// sticky queue that has a backlog.
func TestPollBacklogCountHint(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, id := range []string{"backlog-1", "backlog-2", "backlog-3"} {
		e.start(id, "backlog-tq")
	}
	for want := int64(2); want >= 0; want-- {
		wft := e.pollWFT("backlog-tq")
		if wft.BacklogCountHint != want {
			t.Fatalf("backlog_count_hint = %d, want %d", wft.BacklogCountHint, want)
		}
	}
}
