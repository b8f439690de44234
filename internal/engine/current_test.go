package engine_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
)

func continueAsNewCmd() *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_ContinueAsNewWorkflowExecutionCommandAttributes{ContinueAsNewWorkflowExecutionCommandAttributes: &commandpb.ContinueAsNewWorkflowExecutionCommandAttributes{
			WorkflowType: &commonpb.WorkflowType{Name: "Greet"}, Input: payloads("again"),
		}},
	}
}

// progress counts events and lets goroutines wait for the next one.
type progress struct {
	mu   sync.Mutex
	n    int
	next chan struct{}
}

func newProgress() *progress { return &progress{next: make(chan struct{})} }

// add counts one event and wakes the waiters.
func (p *progress) add() {
	p.mu.Lock()
	p.n++
	close(p.next)
	p.next = make(chan struct{})
	p.mu.Unlock()
}

// now returns the count and a channel closed at the next event.
func (p *progress) now() (int, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n, p.next
}

// continueAsNewForever plays a worker that continues every run of tq as new
// as soon as it gets its workflow task, until ctx ends, counting each
// continue-as-new in done.
func continueAsNewForever(ctx context.Context, e *env, tq string, done *progress) {
	for ctx.Err() == nil {
		pollCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		wft, err := e.c.PollWorkflowTaskQueue(pollCtx, &workflowservice.PollWorkflowTaskQueueRequest{
			Namespace: ns, TaskQueue: &taskqueuepb.TaskQueue{Name: tq, Kind: enumspb.TASK_QUEUE_KIND_NORMAL}, Identity: "can-worker",
		})
		cancel()
		if err != nil || len(wft.TaskToken) == 0 {
			continue
		}
		// A completion refused because signals came in meanwhile, or because
		// the run was terminated, is simply followed by the next poll.
		if _, err := e.c.RespondWorkflowTaskCompleted(ctx, &workflowservice.RespondWorkflowTaskCompletedRequest{
			Namespace: ns, TaskToken: wft.TaskToken, Commands: []*commandpb.Command{continueAsNewCmd()}, Identity: "can-worker",
		}); err == nil {
			done.add()
		}
	}
}

// TestHardening05SignalsRaceContinueAsNew hammers signals addressed by
// workflow id only at a workflow that continues as new as fast as its worker
// can: every signal must be accepted and land in exactly one run of the
// chain, and a terminate by workflow id issued while runs keep handing over
// must reach the run that is current.
func TestHardening05SignalsRaceContinueAsNew(t *testing.T) {
	e := newEnv(t)
	const id, tq = "can-hammer", "can-hammer-tq"
	firstRun := e.start(id, tq)

	workerCtx, stopWorker := context.WithCancel(context.Background())
	defer stopWorker()
	continued := newProgress()
	workerDone := make(chan struct{})
	go func() {
		defer close(workerDone)
		continueAsNewForever(workerCtx, e, tq, continued)
	}()

	const senders, perSender = 4, 40
	var wg sync.WaitGroup
	for g := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perSender {
				// Each sender signals once per run handover (or after a short
				// while), so that signals meet runs that are about to
				// continue as new without starving the worker: a run with
				// signals it has not seen may not close.
				_, next := continued.now()
				name := fmt.Sprintf("sig-%d-%d", g, i)
				_, err := e.c.SignalWorkflowExecution(e.ctx(), &workflowservice.SignalWorkflowExecutionRequest{
					Namespace: ns, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id}, SignalName: name, Identity: "client",
				})
				if err != nil {
					t.Errorf("SignalWorkflowExecution(%s): %v", name, err)
				}
				select {
				case <-next:
				case <-time.After(200 * time.Millisecond):
				}
			}
		}()
	}
	wg.Wait()
	if _, err := e.c.TerminateWorkflowExecution(e.ctx(), &workflowservice.TerminateWorkflowExecutionRequest{
		Namespace: ns, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id}, Reason: "enough",
	}); err != nil {
		t.Errorf("TerminateWorkflowExecution while the workflow continues as new: %v", err)
	}
	stopWorker()
	<-workerDone
	if n, _ := continued.now(); n < 2 {
		t.Errorf("the workflow continued as new %d times during the test; want several", n)
	}

	// Walk the chain of runs and count every signal.
	seen := map[string]int{}
	runID, runs := firstRun, 0
	for runID != "" {
		runs++
		h := e.history(id, runID)
		runID = ""
		for _, ev := range h {
			switch ev.EventType {
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
				seen[ev.GetWorkflowExecutionSignaledEventAttributes().GetSignalName()]++
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
				runID = ev.GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
				if reason := ev.GetWorkflowExecutionTerminatedEventAttributes().GetReason(); reason != "enough" {
					t.Errorf("last run terminated with reason %q", reason)
				}
			}
		}
		if runID == "" && h[len(h)-1].EventType != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED {
			t.Errorf("the chain ends at a run whose last event is %s, want the terminate", h[len(h)-1].EventType)
		}
	}
	for g := range senders {
		for i := range perSender {
			name := fmt.Sprintf("sig-%d-%d", g, i)
			if n := seen[name]; n != 1 {
				t.Errorf("signal %s landed %d times over %d runs, want once", name, n, runs)
			}
		}
	}
}
