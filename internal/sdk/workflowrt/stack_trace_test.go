package workflowrt_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	querypb "go.temporal.io/api/query/v1"
	sdkpb "go.temporal.io/api/sdk/v1"

	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/workflow"
)

// stackTraceWorkflow leaves two coroutines blocked in different places: a
// helper started with workflow.Go waits on a channel, the root on a timer.
func stackTraceWorkflow(ctx workflow.Context) error {
	ch := workflow.NewNamedChannel(ctx, "approvals")
	workflow.GoNamed(ctx, "approver", func(ctx workflow.Context) { waitForApproval(ctx, ch) })
	return workflow.Sleep(ctx, time.Hour)
}

func waitForApproval(ctx workflow.Context, ch workflow.ReceiveChannel) {
	ch.Receive(ctx, nil)
}

// TestStackTraceQueryShowsEveryCoroutine checks that the __stack_trace query,
// which the Web UI's Call Stack tab and `temporal workflow stack` send, lists
// each blocked coroutine with what it waits for and the workflow's own frames.
func TestStackTraceQueryShowsEveryCoroutine(t *testing.T) {
	x := newHarness(t, stackTraceWorkflow, 10)
	x.step()
	task := x.hist.Task(false)
	task.StartedEventId = 0
	task.History.Events = task.History.Events[:len(task.History.Events)-2]
	task.Query = &querypb.WorkflowQuery{QueryType: workflow.StackTraceQuery}
	resp := x.process(task).QueryCompleted
	trace := decode[string](t, resp.GetQueryResult())
	for _, want := range []string{
		"coroutine root [", "stackTraceWorkflow",
		"coroutine approver [", "receive on channel approvals", "waitForApproval",
	} {
		if !strings.Contains(trace, want) {
			t.Errorf("the stack trace lacks %q:\n%s", want, trace)
		}
	}
}

// TestMetadataQueryListsHandlers checks the __temporal_workflow_metadata
// query the Web UI sends on every workflow page: the type, the queries (the
// built-in ones included) and the signals the workflow listens to.
func TestMetadataQueryListsHandlers(t *testing.T) {
	x := newHarness(t, queryWorkflow, 10)
	x.step()
	task := x.hist.Task(false)
	task.StartedEventId = 0
	task.History.Events = task.History.Events[:len(task.History.Events)-2]
	task.Query = &querypb.WorkflowQuery{QueryType: workflowrt.MetadataQuery}
	resp := x.process(task).QueryCompleted
	md := decode[*sdkpb.WorkflowMetadata](t, resp.GetQueryResult())
	def := md.GetDefinition()
	names := func(defs []*sdkpb.WorkflowInteractionDefinition) (out []string) {
		for _, d := range defs {
			out = append(out, d.GetName())
		}
		return out
	}
	if def.GetType() != "wf" || !slices.Equal(names(def.GetQueryDefinitions()), []string{"progress", "__stack_trace", "__temporal_workflow_metadata"}) ||
		!slices.Equal(names(def.GetSignalDefinitions()), []string{"step"}) {
		t.Fatalf("metadata = %v", md)
	}
}
