package engine_test

import (
	"context"
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

// TestStickyPollReleasedWhileNormalQueueUnserved: a sticky poll that waits
// while its worker's normal queue holds a task nobody polls for is answered
// empty within moments (so the SDK sends its pollers back to the normal
// queue), but keeps waiting while the normal queue is served.
func TestStickyPollReleasedWhileNormalQueueUnserved(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.start("sticky-owner", "release-tq")
	sticky := &taskqueuepb.TaskQueue{Name: "host:release-worker", Kind: enumspb.TASK_QUEUE_KIND_STICKY, NormalName: "release-tq"}
	wft := e.pollWFT("release-tq")
	e.completeSticky(wft.TaskToken, sticky)

	pollSticky := func(timeout time.Duration) (<-chan *workflowservice.PollWorkflowTaskQueueResponse, context.CancelFunc) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		out := make(chan *workflowservice.PollWorkflowTaskQueueResponse, 1)
		go func() {
			resp, err := e.c.PollWorkflowTaskQueue(ctx, &workflowservice.PollWorkflowTaskQueueRequest{Namespace: ns, TaskQueue: sticky, Identity: "wf-worker"})
			if err != nil && ctx.Err() == nil {
				t.Errorf("sticky poll: %v", err)
			}
			out <- resp
		}()
		return out, cancel
	}

	// Served: a normal poller waits, so the sticky poll is left alone.
	normalDone := make(chan struct{})
	normalCtx, cancelNormal := context.WithCancel(context.Background())
	go func() {
		defer close(normalDone)
		_, _ = e.c.PollWorkflowTaskQueue(normalCtx, &workflowservice.PollWorkflowTaskQueueRequest{Namespace: ns, TaskQueue: &taskqueuepb.TaskQueue{Name: "release-tq"}, Identity: "wf-worker"})
	}()
	waiting, cancelWaiting := pollSticky(30 * time.Second)
	select {
	case resp := <-waiting:
		t.Fatalf("sticky poll answered (%d-byte token) while the normal queue was served", len(resp.GetTaskToken()))
	case <-time.After(300 * time.Millisecond):
	}
	cancelWaiting()
	<-waiting
	cancelNormal()
	<-normalDone

	// Unserved: a new workflow's first task waits with no normal poller.
	released, cancelReleased := pollSticky(30 * time.Second)
	defer cancelReleased()
	// A head start so the sticky poll is usually parked before the start;
	// either way it must be released without a task, which is what is checked.
	time.Sleep(50 * time.Millisecond)
	began := time.Now()
	e.start("waits-on-normal", "release-tq")
	select {
	case resp := <-released:
		if len(resp.GetTaskToken()) != 0 {
			t.Fatalf("released sticky poll carried a task (started event %d)", resp.StartedEventId)
		}
		if waited := time.Since(began); waited > 5*time.Second {
			t.Fatalf("sticky poll released after %v", waited)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sticky poll still waiting 10s after the normal queue went unserved")
	}
	// The waiting task is still there for the normal queue.
	wft = e.pollWFT("release-tq")
	if wft.WorkflowExecution.WorkflowId != "waits-on-normal" {
		t.Fatalf("normal queue gave %s, want waits-on-normal", wft.WorkflowExecution.WorkflowId)
	}
}
