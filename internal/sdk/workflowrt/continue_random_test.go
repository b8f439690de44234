package workflowrt_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
)

func TestContinueAsNew(t *testing.T) {
	wf := func(ctx workflow.Context, n int) error {
		if err := workflow.Sleep(ctx, time.Second); err != nil {
			return err
		}
		return workflow.NewContinueAsNewError(ctx, "", n+1)
	}
	x := newHarness(t, wf, 0, 41)
	x.step()
	x.hist.TimerFired("5")
	result := x.process(x.hist.Task(false))
	commands := result.Completed.GetCommands()
	requireTypes(t, commands, enumspb.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION)
	attrs := commands[0].GetContinueAsNewWorkflowExecutionCommandAttributes()
	if attrs.GetWorkflowType().GetName() != "wf" || attrs.GetTaskQueue().GetName() != "tq" || decode[int](t, attrs.GetInput()) != 42 ||
		attrs.GetWorkflowTaskTimeout().AsDuration() != 10*time.Second {
		t.Fatalf("continue-as-new attributes = %v", attrs)
	}
}

func TestRandomAndUUIDAreStableAcrossReplays(t *testing.T) {
	type draws struct {
		N    int
		UUID string
	}
	wf := func(ctx workflow.Context) (draws, error) {
		d := draws{N: workflow.Random(ctx).IntN(1_000_000), UUID: workflow.NewUUID(ctx)}
		if err := workflow.Sleep(ctx, time.Second); err != nil {
			return d, err
		}
		return d, nil
	}
	x := newHarness(t, wf, 0)
	x.step()
	x.hist.TimerFired("5")
	commands := x.step() // replays from scratch: draws again
	got := completedResult[draws](t, last(commands))
	again := newHarness(t, wf, 0)
	again.step()
	again.hist.TimerFired("5")
	other := completedResult[draws](t, last(again.step()))
	if got != other {
		t.Fatalf("draws differ between runs with the same run id: %+v vs %+v", got, other)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(got.UUID) {
		t.Fatalf("UUID %q is not a version 4 UUID", got.UUID)
	}
}
