package compat

import (
	"errors"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func childGreets(ctx workflow.Context, name string) (string, error) {
	if name == "fail" {
		return "", temporal.NewNonRetryableApplicationError("child refuses", "ChildError", nil)
	}
	return "hello " + name + " from " + workflow.GetInfo(ctx).ParentWorkflowExecution.ID, nil
}

func parentCallsChildren(ctx workflow.Context) (string, error) {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID + "-child"})
	var greeting string
	if err := workflow.ExecuteChildWorkflow(cctx, "ChildGreets", "world").Get(ctx, &greeting); err != nil {
		return "", err
	}
	fctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID + "-failing"})
	err := workflow.ExecuteChildWorkflow(fctx, "ChildGreets", "fail").Get(ctx, nil)
	var childErr *temporal.ChildWorkflowExecutionError
	if !errors.As(err, &childErr) {
		return "", errors.New("failing child did not surface a ChildWorkflowExecutionError")
	}
	return greeting, nil
}

func TestChildWorkflows(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	taskQueue := uniqueName(t, "tq")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(parentCallsChildren, workflow.RegisterOptions{Name: "ParentCallsChildren"})
		r.RegisterWorkflowWithOptions(childGreets, workflow.RegisterOptions{Name: "ChildGreets"})
	})
	ctx := testContext(t, 30*time.Second)
	id := uniqueName(t, "wf")
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue}, "ParentCallsChildren")
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	var result string
	if err := run.Get(ctx, &result); err != nil {
		t.Fatalf("result: %v", err)
	}
	if want := "hello world from " + id; result != want {
		t.Errorf("result = %q, want %q", result, want)
	}
	// A child that finishes quickly may report before the parent's workflow task
	// for its start runs, so only the order of the child events is fixed.
	var got []enumspb.EventType
	for _, e := range fetchHistory(t, c, id, run.GetRunID()) {
		switch e.GetEventType() {
		case evTaskScheduled, evTaskStarted, evTaskCompleted:
		default:
			got = append(got, e.GetEventType())
		}
	}
	want := []enumspb.EventType{evWorkflowStarted,
		enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED, enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
		enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED, enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
		evWorkflowCompleted}
	if diff := eventTypeDiff(want, got); diff != "" {
		t.Fatalf("parent history, workflow task events left out, differs (- want, + got):\n%s", diff)
	}
	child := fetchHistory(t, c, id+"-child", "")
	st := child[0].GetWorkflowExecutionStartedEventAttributes()
	if st.GetParentWorkflowExecution().GetWorkflowId() != id || st.GetParentInitiatedEventId() == 0 || st.GetRootWorkflowExecution().GetWorkflowId() != id {
		t.Errorf("child started with parent %v initiated %d root %v", st.GetParentWorkflowExecution(), st.GetParentInitiatedEventId(), st.GetRootWorkflowExecution())
	}
}

func signalsAndCancelsOthers(ctx workflow.Context, target string) (string, error) {
	if err := workflow.SignalExternalWorkflow(ctx, target, "", "poke", "from the other side").Get(ctx, nil); err != nil {
		return "", err
	}
	err := workflow.SignalExternalWorkflow(ctx, "no-such-workflow", "", "poke", "lost").Get(ctx, nil)
	if err == nil {
		return "", errors.New("signal to a missing workflow succeeded")
	}
	if err := workflow.RequestCancelExternalWorkflow(ctx, target, "").Get(ctx, nil); err != nil {
		return "", err
	}
	return "done", nil
}

func waitsForPokeThenCancel(ctx workflow.Context) (string, error) {
	var msg string
	workflow.GetSignalChannel(ctx, "poke").Receive(ctx, &msg)
	err := workflow.Await(ctx, func() bool { return false })
	return msg, err
}

func TestSignalAndCancelExternalWorkflow(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	taskQueue := uniqueName(t, "tq")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(signalsAndCancelsOthers, workflow.RegisterOptions{Name: "SignalsAndCancelsOthers"})
		r.RegisterWorkflowWithOptions(waitsForPokeThenCancel, workflow.RegisterOptions{Name: "WaitsForPoke"})
	})
	ctx := testContext(t, 30*time.Second)
	targetID := uniqueName(t, "target")
	target, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: targetID, TaskQueue: taskQueue}, "WaitsForPoke")
	if err != nil {
		t.Fatalf("start target: %v", err)
	}
	sender, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "sender"), TaskQueue: taskQueue}, "SignalsAndCancelsOthers", targetID)
	if err != nil {
		t.Fatalf("start sender: %v", err)
	}
	var out string
	if err := sender.Get(ctx, &out); err != nil || out != "done" {
		t.Fatalf("sender result = %q, %v", out, err)
	}
	err = target.Get(ctx, &out)
	var canceled *temporal.CanceledError
	if !errors.As(err, &canceled) {
		t.Fatalf("target ended with %v, want canceled", err)
	}
	requireHistory(t, c, sender.GetID(), sender.GetRunID(), concat(startAndFirstTask,
		ev(enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED, enumspb.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED), workflowTask,
		ev(enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED, enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED), workflowTask,
		ev(enumspb.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED, enumspb.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED), workflowTask,
		ev(evWorkflowCompleted)))
}

func TestParentClosePolicyTerminatesChild(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	taskQueue := uniqueName(t, "tq")
	id := uniqueName(t, "wf")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(func(ctx workflow.Context) (string, error) {
			cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: id + "-child"})
			f := workflow.ExecuteChildWorkflow(cctx, "Forever")
			if err := f.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
				return "", err
			}
			return "parent done", nil
		}, workflow.RegisterOptions{Name: "ParentLeaves"})
		r.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
			return workflow.Await(ctx, func() bool { return false })
		}, workflow.RegisterOptions{Name: "Forever"})
	})
	ctx := testContext(t, 30*time.Second)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue}, "ParentLeaves")
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatalf("parent: %v", err)
	}
	err = c.GetWorkflow(ctx, id+"-child", "").Get(ctx, nil)
	var terminated *temporal.TerminatedError
	if !errors.As(err, &terminated) {
		t.Fatalf("child ended with %v, want terminated by the parent close policy", err)
	}
}
