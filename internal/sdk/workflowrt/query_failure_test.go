package workflowrt_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
	querypb "go.temporal.io/api/query/v1"
)

var progressQuery = workflow.NewQuery[string, string]("progress")

// queryWorkflow waits for two signals and reports progress through a typed query.
func queryWorkflow(ctx workflow.Context) error {
	received := 0
	if err := workflow.SetQueryHandlerFor(ctx, progressQuery, func(prefix string) (string, error) {
		if prefix == "fail" {
			return "", errors.New("asked to fail")
		}
		return prefix + strings.Repeat("*", received), nil
	}); err != nil {
		return err
	}
	ch := workflow.GetSignalChannel(ctx, "step")
	for received < 2 {
		ch.Receive(ctx, nil)
		received++
	}
	return nil
}

func TestQueriesAnswerFromCurrentState(t *testing.T) {
	cacheModes(t, func(t *testing.T, cacheSize int) {
		x := newHarness(t, queryWorkflow, cacheSize)
		if commands := x.step(); len(commands) != 0 {
			t.Fatalf("commands = %v, want none while waiting for signals", commandTypes(commands))
		}
		x.hist.Signal("step")

		// A consistent query delivered with a workflow task.
		args, _ := converter.GetDefaultDataConverter().ToPayloads("progress: ")
		task := x.hist.Task(x.partial)
		task.Queries = map[string]*querypb.WorkflowQuery{"q1": {QueryType: "progress", QueryArgs: args}}
		result := x.process(task)
		x.hist.Complete(result.Completed.GetCommands())
		answer := result.Completed.GetQueryResults()["q1"]
		if answer.GetResultType() != enumspb.QUERY_RESULT_TYPE_ANSWERED || decode[string](t, answer.GetAnswer()) != "progress: *" {
			t.Fatalf("query result = %v", answer)
		}

		// A direct query task with full history.
		queryTask := x.hist.Task(false)
		queryTask.StartedEventId = 0
		queryTask.Query = &querypb.WorkflowQuery{QueryType: "progress", QueryArgs: args}
		queryTask.History.Events = queryTask.History.Events[:len(queryTask.History.Events)-2]
		resp := x.process(queryTask).QueryCompleted
		if resp.GetCompletedType() != enumspb.QUERY_RESULT_TYPE_ANSWERED || decode[string](t, resp.GetQueryResult()) != "progress: *" {
			t.Fatalf("direct query = %v", resp)
		}

		failArgs, _ := converter.GetDefaultDataConverter().ToPayloads("fail")
		queryTask.Query = &querypb.WorkflowQuery{QueryType: "progress", QueryArgs: failArgs}
		resp = x.process(queryTask).QueryCompleted
		if resp.GetCompletedType() != enumspb.QUERY_RESULT_TYPE_FAILED || !strings.Contains(resp.GetErrorMessage(), "asked to fail") {
			t.Fatalf("failing query = %v", resp)
		}

		queryTask.Query = &querypb.WorkflowQuery{QueryType: workflow.StackTraceQuery}
		resp = x.process(queryTask).QueryCompleted
		trace := decode[string](t, resp.GetQueryResult())
		if !strings.Contains(trace, "coroutine root") || !strings.Contains(trace, "receive on channel step") {
			t.Fatalf("stack trace does not show the blocked root coroutine:\n%s", trace)
		}

		queryTask.Query = &querypb.WorkflowQuery{QueryType: "nope"}
		resp = x.process(queryTask).QueryCompleted
		if resp.GetCompletedType() != enumspb.QUERY_RESULT_TYPE_FAILED || !strings.Contains(resp.GetErrorMessage(), "progress") {
			t.Fatalf("unknown query should fail and list known types: %v", resp)
		}
	})
}

func TestPanicFailsTheTaskNotTheWorkflow(t *testing.T) {
	wf := func(ctx workflow.Context) error {
		if err := workflow.Sleep(ctx, time.Minute); err != nil {
			return err
		}
		panic("boom")
	}
	x := newHarness(t, wf, 10)
	x.step()
	x.hist.TimerFired("5")
	task := x.hist.Task(false)
	result := x.process(task)
	if result.Failed == nil || result.Completed != nil {
		t.Fatalf("result = %+v, want a failed task", result)
	}
	if result.Failed.GetCause() != enumspb.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE {
		t.Fatalf("cause = %s", result.Failed.GetCause())
	}
	failure := result.Failed.GetFailure()
	if failure.GetMessage() != "boom" || !strings.Contains(failure.GetStackTrace(), "query_failure_test.go") {
		t.Fatalf("failure = %v, want the panic value and a stack into the workflow", failure)
	}
	if x.handler.CachedRuns() != 0 {
		t.Fatal("a failed run stayed in the cache")
	}
	task.Attempt = 2
	if again := x.process(task); again.Failed != nil || again.Err == nil {
		t.Fatalf("attempt 2 = %+v, want no RespondWorkflowTaskFailed (the server retries by timeout)", again)
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	wf := func(ctx workflow.Context) error { return workflow.Sleep(ctx, time.Hour) }
	reg := workflowrt.NewRegistry()
	if err := reg.RegisterWorkflow(wf, workflowrt.RegisterOptions{Name: "wf"}); err != nil {
		t.Fatal(err)
	}
	handler := workflowrt.NewTaskHandler(reg, workflowrt.TaskHandlerOptions{Namespace: "default", CacheSize: 2, StickyTaskQueue: "s", NormalTaskQueue: "tq"})
	defer handler.Close()
	for _, runID := range []string{"a", "b", "c"} {
		x := newHarness(t, wf, 0)
		task := x.hist.Task(false)
		task.WorkflowExecution.RunId = runID
		result, err := handler.Process(t.Context(), task)
		if err != nil || result.Completed == nil {
			t.Fatalf("run %s: %v %v", runID, err, result.Err)
		}
		if result.Completed.GetStickyAttributes().GetWorkerTaskQueue().GetName() != "s" {
			t.Fatal("completion does not ask for the sticky queue")
		}
	}
	if n := handler.CachedRuns(); n != 2 {
		t.Fatalf("cached runs = %d, want 2", n)
	}
	handler.Evict("c")
	if n := handler.CachedRuns(); n != 1 {
		t.Fatalf("cached runs after Evict = %d, want 1", n)
	}
}

func TestCachedRunIsRebuiltWhenItsLastTaskFailedOnTheServer(t *testing.T) {
	calls := 0
	wf := func(ctx workflow.Context) (int, error) {
		calls++
		var n int
		workflow.GetSignalChannel(ctx, "n").Receive(ctx, &n)
		return n, nil
	}
	x := newHarness(t, wf, 10)
	x.step()
	x.hist.Signal("n", 1)
	task := x.hist.Task(true)
	if result := x.process(task); result.Completed == nil {
		t.Fatalf("second task: %v", result.Err)
	}
	// The server rejected that completion (say a signal raced it) and failed the task.
	x.hist.FailTask()
	x.hist.Signal("n", 2)
	x.partial = false // a failed task clears stickiness: full history comes next
	commands := x.step()
	if got := completedResult[int](t, last(commands)); got != 1 {
		t.Fatalf("result = %d, want 1 (the first signal)", got)
	}
	if calls != 2 {
		t.Fatalf("workflow function ran %d times, want 2 (rebuilt after the failed task)", calls)
	}
}
