package workflowrt_test

import (
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
)

func TestMutableSideEffectRecordsOnlyChanges(t *testing.T) {
	config := 1
	var lastSeen []int
	wf := func(ctx workflow.Context) ([]int, error) {
		var seen []int
		for range 3 {
			var v int
			if err := workflow.MutableSideEffect(ctx, "config", func(workflow.Context) any { return config },
				func(a, b any) bool { return a.(int) == b.(int) }).Get(ctx, &v); err != nil {
				return nil, err
			}
			seen = append(seen, v)
			if err := workflow.Sleep(ctx, time.Second); err != nil {
				return nil, err
			}
		}
		lastSeen = seen
		return seen, nil
	}
	x := newHarness(t, wf, 10)
	commands := x.step()
	requireTypes(t, commands, enumspb.COMMAND_TYPE_RECORD_MARKER, enumspb.COMMAND_TYPE_START_TIMER)
	x.hist.TimerFired(commands[1].GetStartTimerCommandAttributes().GetTimerId())
	commands = x.step()
	requireTypes(t, commands, enumspb.COMMAND_TYPE_START_TIMER) // unchanged: no marker
	config = 2
	x.hist.TimerFired(commands[0].GetStartTimerCommandAttributes().GetTimerId())
	commands = x.step()
	requireTypes(t, commands, enumspb.COMMAND_TYPE_RECORD_MARKER, enumspb.COMMAND_TYPE_START_TIMER)
	x.hist.TimerFired(commands[1].GetStartTimerCommandAttributes().GetTimerId())
	got := completedResult[[]int](t, last(x.step()))
	if len(got) != 3 || got[0] != 1 || got[1] != 1 || got[2] != 2 {
		t.Fatalf("values = %v, want [1 1 2]", got)
	}

	config = 99
	reg := workflowrt.NewRegistry()
	if err := reg.RegisterWorkflow(wf, workflowrt.RegisterOptions{Name: "wf"}); err != nil {
		t.Fatal(err)
	}
	if err := workflowrt.ReplayWorkflowHistory(reg, x.hist.History(), workflowrt.ReplayOptions{}); err != nil {
		t.Fatalf("replay: %v", err)
	}
	if len(lastSeen) != 3 || lastSeen[0] != 1 || lastSeen[1] != 1 || lastSeen[2] != 2 {
		t.Fatalf("replay saw %v, want the recorded [1 1 2] rather than the current 99", lastSeen)
	}
}
