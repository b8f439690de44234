package workflowrt_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
	protocolpb "go.temporal.io/api/protocol/v1"
	updatepb "go.temporal.io/api/update/v1"
	"go.temporal.io/api/workflowservice/v1"
)

var addUpdate = workflow.NewUpdate[int, int]("add")

// counterWorkflow adds what updates send (each waiting a second first) until the
// total reaches 10, then waits for running handlers and returns the total.
func counterWorkflow(ctx workflow.Context) (int, error) {
	total := 0
	err := workflow.SetUpdateHandlerFor(ctx, addUpdate, func(ctx workflow.Context, n int) (int, error) {
		if err := workflow.Sleep(ctx, time.Second); err != nil {
			return 0, err
		}
		total += n
		return total, nil
	}, func(n int) error {
		if n <= 0 {
			return errors.New("only positive amounts")
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if err := workflow.Await(ctx, func() bool { return total >= 10 && workflow.AllHandlersFinished(ctx) }); err != nil {
		return 0, err
	}
	return total, nil
}

// stepWithUpdates runs a task carrying update requests and records its completion.
func (x *harness) stepWithUpdates(task *workflowservice.PollWorkflowTaskQueueResponse, msgs ...*protocolpb.Message) *workflowservice.RespondWorkflowTaskCompletedRequest {
	x.t.Helper()
	task.Messages = msgs
	result := x.process(task)
	if result.Completed == nil {
		x.t.Fatalf("task failed: %v", result.Err)
	}
	x.hist.CompleteWithMessages(result.Completed.GetCommands(), result.Completed.GetMessages())
	return result.Completed
}

func messageKinds(t *testing.T, msgs []*protocolpb.Message) []string {
	t.Helper()
	var kinds []string
	for _, m := range msgs {
		switch {
		case m.GetBody().MessageIs(&updatepb.Acceptance{}):
			kinds = append(kinds, "accept")
		case m.GetBody().MessageIs(&updatepb.Rejection{}):
			kinds = append(kinds, "reject")
		case m.GetBody().MessageIs(&updatepb.Response{}):
			kinds = append(kinds, "complete")
		}
	}
	return kinds
}

func TestUpdatesAreValidatedAcceptedCompletedAndReplayed(t *testing.T) {
	cacheModes(t, func(t *testing.T, cacheSize int) {
		x := newHarness(t, counterWorkflow, cacheSize)
		task := x.hist.Task(x.partial)
		done := x.stepWithUpdates(task,
			x.hist.UpdateRequest(task, "u1", "add", 4),
			x.hist.UpdateRequest(task, "u2", "add", -1),
			x.hist.UpdateRequest(task, "u3", "nope", 1))
		if got := messageKinds(t, done.GetMessages()); len(got) != 3 || got[0] != "accept" || got[1] != "reject" || got[2] != "reject" {
			t.Fatalf("messages = %v, want u1 accepted, then the invalid u2 and the unknown u3 rejected", got)
		}
		requireTypes(t, done.GetCommands(), enumspb.COMMAND_TYPE_PROTOCOL_MESSAGE, enumspb.COMMAND_TYPE_START_TIMER)
		timerID := done.GetCommands()[1].GetStartTimerCommandAttributes().GetTimerId()

		x.hist.TimerFired(timerID)
		task = x.hist.Task(x.partial)
		done = x.stepWithUpdates(task, x.hist.UpdateRequest(task, "u4", "add", 6))
		if got := messageKinds(t, done.GetMessages()); len(got) != 2 || got[0] != "complete" || got[1] != "accept" {
			t.Fatalf("messages = %v, want u1 completed and u4 accepted", got)
		}
		var resp updatepb.Response
		if err := done.GetMessages()[0].GetBody().UnmarshalTo(&resp); err != nil {
			t.Fatal(err)
		}
		if decode[int](t, resp.GetOutcome().GetSuccess()) != 4 {
			t.Fatalf("u1 outcome = %v, want 4", resp.GetOutcome())
		}
		timerID = done.GetCommands()[len(done.GetCommands())-1].GetStartTimerCommandAttributes().GetTimerId()

		x.hist.TimerFired(timerID)
		done = x.stepWithUpdates(x.hist.Task(x.partial))
		requireTypes(t, done.GetCommands(), enumspb.COMMAND_TYPE_PROTOCOL_MESSAGE, enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION)
		if got := completedResult[int](t, done.GetCommands()[1]); got != 10 {
			t.Fatalf("result = %d, want 10", got)
		}

		reg := workflowrt.NewRegistry()
		if err := reg.RegisterWorkflow(counterWorkflow, workflowrt.RegisterOptions{Name: "wf"}); err != nil {
			t.Fatal(err)
		}
		if err := workflowrt.ReplayWorkflowHistory(reg, x.hist.History(), workflowrt.ReplayOptions{}); err != nil {
			t.Fatalf("replaying a history with updates: %v", err)
		}
	})
}
