package workflowrt_test

import (
	"context"
	"testing"
	"time"

	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt/historytest"
	"github.com/sundialdev/sundial/workflow"
	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// harness runs one workflow through a TaskHandler against a historytest.Builder that
// plays the server.
type harness struct {
	t       *testing.T
	reg     *workflowrt.Registry
	handler *workflowrt.TaskHandler
	hist    *historytest.Builder
	partial bool // send only new events (as a sticky queue does)
}

// newHarness registers fn under "wf" and starts a history with args. cacheSize 0
// replays from full history on every task.
func newHarness(t *testing.T, fn any, cacheSize int, args ...any) *harness {
	t.Helper()
	reg := workflowrt.NewRegistry()
	if err := reg.RegisterWorkflow(fn, workflowrt.RegisterOptions{Name: "wf"}); err != nil {
		t.Fatal(err)
	}
	handler := workflowrt.NewTaskHandler(reg, workflowrt.TaskHandlerOptions{
		Namespace: "default", Identity: "test-worker", CacheSize: cacheSize,
		StickyTaskQueue: "sticky-tq", NormalTaskQueue: "tq",
	})
	t.Cleanup(handler.Close)
	return &harness{t: t, reg: reg, handler: handler, hist: historytest.New(t, "wf", args...), partial: cacheSize > 0}
}

// process runs the next workflow task and returns the raw result.
func (x *harness) process(task *workflowservice.PollWorkflowTaskQueueResponse) workflowrt.Result {
	x.t.Helper()
	result, err := x.handler.Process(context.Background(), task)
	if err != nil {
		x.t.Fatalf("Process: %v", err)
	}
	return result
}

// step runs the next workflow task, records its commands in history and returns them.
func (x *harness) step() []*commandpb.Command {
	x.t.Helper()
	result := x.process(x.hist.Task(x.partial))
	if result.Completed == nil {
		x.t.Fatalf("task did not complete: %v", result.Err)
	}
	x.hist.Complete(result.Completed.GetCommands())
	return result.Completed.GetCommands()
}

// commandTypes lists the types of commands, for compact assertions.
func commandTypes(commands []*commandpb.Command) []enumspb.CommandType {
	types := make([]enumspb.CommandType, len(commands))
	for i, c := range commands {
		types[i] = c.GetCommandType()
	}
	return types
}

func requireTypes(t *testing.T, commands []*commandpb.Command, want ...enumspb.CommandType) {
	t.Helper()
	got := commandTypes(commands)
	if len(got) != len(want) {
		t.Fatalf("commands = %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("commands = %v, want %v", got, want)
		}
	}
}

// decode decodes payloads into a T.
func decode[T any](t *testing.T, p *commonpb.Payloads) T {
	t.Helper()
	var v T
	if err := converter.GetDefaultDataConverter().FromPayloads(p, &v); err != nil {
		t.Fatalf("decoding %v: %v", p, err)
	}
	return v
}

// completedResult returns the result of a CompleteWorkflowExecution command.
func completedResult[T any](t *testing.T, c *commandpb.Command) T {
	t.Helper()
	if c.GetCommandType() != enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION {
		t.Fatalf("command %s is not CompleteWorkflowExecution", c.GetCommandType())
	}
	return decode[T](t, c.GetCompleteWorkflowExecutionCommandAttributes().GetResult())
}

func last(commands []*commandpb.Command) *commandpb.Command { return commands[len(commands)-1] }

// withTimeouts gives activities a start-to-close timeout.
func withTimeouts(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
}

// cacheModes runs a test with the cache off (full replay every task) and on (partial
// history, sticky).
func cacheModes(t *testing.T, test func(t *testing.T, cacheSize int)) {
	t.Run("NoCache", func(t *testing.T) { test(t, 0) })
	t.Run("Cached", func(t *testing.T) { test(t, 10) })
}

type (
	commonPayloads = commonpb.Payloads
	commonPayload  = commonpb.Payload
)
