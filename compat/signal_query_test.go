package compat

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// greetOnSignal waits for one "name" signal and greets whoever it names.
func greetOnSignal(ctx workflow.Context) (string, error) {
	var name string
	workflow.GetSignalChannel(ctx, "name").Receive(ctx, &name)
	return "hello " + name, nil
}

func TestSignal(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	run := startWorkflow(t, c, "GreetOnSignal", greetOnSignal, client.StartWorkflowOptions{})
	waitForHistoryEvent(t, c, run.GetID(), run.GetRunID(), evTaskCompleted)
	ctx := testContext(t, 10*time.Second)
	if err := c.SignalWorkflow(ctx, run.GetID(), "", "name", "Ada"); err != nil {
		t.Fatalf("signalling workflow: %v", err)
	}
	result, err := getResult(t, run)
	if err != nil || result != "hello Ada" {
		t.Fatalf("result = %q, %v; want %q", result, err, "hello Ada")
	}
	events := requireHistory(t, c, run.GetID(), run.GetRunID(),
		concat(startAndFirstTask, ev(evWorkflowSignaled), workflowTask, ev(evWorkflowCompleted)))
	if got := eventsOfType(events, evWorkflowSignaled)[0].GetWorkflowExecutionSignaledEventAttributes().GetSignalName(); got != "name" {
		t.Errorf("signal name in history = %q, want name", got)
	}
	// Signalling a closed run is refused.
	err = c.SignalWorkflow(ctx, run.GetID(), run.GetRunID(), "name", "late")
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		t.Errorf("signalling a completed workflow: error = %v, want NotFound", err)
	}
}

// TestSignalsDuringWorkflowTaskAreBuffered sends three signals while the workflow's
// first task is being processed. They must all be delivered, in order, and appear in
// the history after that task's completion, not inside it.
func TestSignalsDuringWorkflowTaskAreBuffered(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	taskRunning, release := make(chan struct{}), make(chan struct{})
	var holdFirstTask sync.Once
	run := startWorkflow(t, c, "CollectsThree", func(ctx workflow.Context) (string, error) {
		holdFirstTask.Do(func() {
			close(taskRunning)
			select {
			case <-release:
			case <-time.After(20 * time.Second):
			}
		})
		items := workflow.GetSignalChannel(ctx, "item")
		var got []string
		for len(got) < 3 {
			var item string
			items.Receive(ctx, &item)
			got = append(got, item)
		}
		return strings.Join(got, ","), nil
	}, client.StartWorkflowOptions{}, func(o *worker.Options) { o.DeadlockDetectionTimeout = time.Minute })

	ctx := testContext(t, 30*time.Second)
	select {
	case <-taskRunning:
	case <-ctx.Done():
		t.Fatal("the first workflow task never ran")
	}
	for _, item := range []string{"a", "b", "c"} {
		if err := c.SignalWorkflow(ctx, run.GetID(), run.GetRunID(), "item", item); err != nil {
			close(release)
			t.Fatalf("signalling %q: %v", item, err)
		}
	}
	close(release)
	result, err := getResult(t, run)
	if err != nil || result != "a,b,c" {
		t.Fatalf("result = %q, %v; want %q", result, err, "a,b,c")
	}
	events := requireHistory(t, c, run.GetID(), run.GetRunID(), concat(startAndFirstTask,
		ev(evWorkflowSignaled, evWorkflowSignaled, evWorkflowSignaled), workflowTask, ev(evWorkflowCompleted)))
	var order []string
	for _, e := range eventsOfType(events, evWorkflowSignaled) {
		var item string
		if err := converter.GetDefaultDataConverter().FromPayloads(e.GetWorkflowExecutionSignaledEventAttributes().GetInput(), &item); err != nil {
			t.Fatalf("decoding signal input: %v", err)
		}
		order = append(order, item)
	}
	if strings.Join(order, ",") != "a,b,c" {
		t.Errorf("signals in history in order %v, want a, b, c", order)
	}
}

func TestSignalWithStartNewWorkflow(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	ctx := testContext(t, 30*time.Second)
	taskQueue := uniqueName(t, "tq")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(greetOnSignal, workflow.RegisterOptions{Name: "GreetOnSignal"})
	})
	run, err := c.SignalWithStartWorkflow(ctx, uniqueName(t, "wf"), "name", "Grace",
		client.StartWorkflowOptions{TaskQueue: taskQueue}, "GreetOnSignal")
	if err != nil {
		t.Fatalf("signal-with-start: %v", err)
	}
	result, err := getResult(t, run)
	if err != nil || result != "hello Grace" {
		t.Fatalf("result = %q, %v; want %q", result, err, "hello Grace")
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(),
		ev(evWorkflowStarted, evWorkflowSignaled, evTaskScheduled, evTaskStarted, evTaskCompleted, evWorkflowCompleted))
}

func TestSignalWithStartExistingWorkflow(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	ctx := testContext(t, 30*time.Second)
	first := startWorkflow(t, c, "GreetOnSignal", greetOnSignal, client.StartWorkflowOptions{})
	waitForHistoryEvent(t, c, first.GetID(), first.GetRunID(), evTaskCompleted)
	second, err := c.SignalWithStartWorkflow(ctx, first.GetID(), "name", "Linus",
		client.StartWorkflowOptions{TaskQueue: "unused-because-running"}, "GreetOnSignal")
	if err != nil {
		t.Fatalf("signal-with-start on a running workflow: %v", err)
	}
	if second.GetRunID() != first.GetRunID() {
		t.Errorf("signal-with-start returned run %s, want the running run %s", second.GetRunID(), first.GetRunID())
	}
	result, err := getResult(t, first)
	if err != nil || result != "hello Linus" {
		t.Fatalf("result = %q, %v; want %q", result, err, "hello Linus")
	}
	requireHistory(t, c, first.GetID(), first.GetRunID(),
		concat(startAndFirstTask, ev(evWorkflowSignaled), workflowTask, ev(evWorkflowCompleted)))
}

func TestQuery(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	run := startWorkflow(t, c, "Queryable", func(ctx workflow.Context) (string, error) {
		state := "waiting"
		if err := workflow.SetQueryHandler(ctx, "state", func() (string, error) { return state, nil }); err != nil {
			return "", err
		}
		if err := workflow.SetQueryHandler(ctx, "broken", func() (string, error) { return "", errors.New("query handler broke") }); err != nil {
			return "", err
		}
		workflow.GetSignalChannel(ctx, "finish").Receive(ctx, nil)
		state = "done"
		return state, nil
	}, client.StartWorkflowOptions{})
	waitForHistoryEvent(t, c, run.GetID(), run.GetRunID(), evTaskCompleted)
	ctx := testContext(t, 30*time.Second)

	requireQueryResult(t, c, run, "state", "waiting")

	_, err := c.QueryWorkflow(ctx, run.GetID(), run.GetRunID(), "broken")
	var queryFailed *serviceerror.QueryFailed
	if !errors.As(err, &queryFailed) || !strings.Contains(err.Error(), "query handler broke") {
		t.Errorf("failing query: error = %v, want QueryFailed mentioning the handler's error", err)
	}
	_, err = c.QueryWorkflow(ctx, run.GetID(), run.GetRunID(), "no-such-query")
	if !errors.As(err, &queryFailed) {
		t.Errorf("unknown query type: error = %v, want QueryFailed", err)
	}

	if err := c.SignalWorkflow(ctx, run.GetID(), run.GetRunID(), "finish", nil); err != nil {
		t.Fatalf("signalling workflow: %v", err)
	}
	if result, err := getResult(t, run); err != nil || result != "done" {
		t.Fatalf("result = %q, %v; want done", result, err)
	}
	requireQueryResult(t, c, run, "state", "done")
	// Queries leave no trace in history.
	requireHistory(t, c, run.GetID(), run.GetRunID(),
		concat(startAndFirstTask, ev(evWorkflowSignaled), workflowTask, ev(evWorkflowCompleted)))
}

func requireQueryResult(t *testing.T, c client.Client, run client.WorkflowRun, queryType, want string) {
	t.Helper()
	value, err := c.QueryWorkflow(testContext(t, 20*time.Second), run.GetID(), run.GetRunID(), queryType)
	if err != nil {
		t.Fatalf("query %q: %v", queryType, err)
	}
	var got string
	if err := value.Get(&got); err != nil {
		t.Fatalf("decoding query %q result: %v", queryType, err)
	}
	if got != want {
		t.Errorf("query %q = %q, want %q", queryType, got, want)
	}
}
