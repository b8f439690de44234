package engine_test

import (
	"context"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	querypb "go.temporal.io/api/query/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

type queryResult struct {
	resp *workflowservice.QueryWorkflowResponse
	err  error
}

// query sends QueryWorkflow in the background; the result arrives on the channel.
func (e *env) query(id, queryType string) <-chan queryResult {
	out := make(chan queryResult, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		resp, err := e.c.QueryWorkflow(ctx, &workflowservice.QueryWorkflowRequest{
			Namespace: ns, Execution: &commonpb.WorkflowExecution{WorkflowId: id},
			Query: &querypb.WorkflowQuery{QueryType: queryType, QueryArgs: payloads("arg")},
		})
		out <- queryResult{resp, err}
	}()
	return out
}

func waitQuery(t *testing.T, ch <-chan queryResult) queryResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(12 * time.Second):
		t.Fatal("QueryWorkflow did not return")
		return queryResult{}
	}
}

// TestQueryTaskRoundTrip: with no workflow task pending, a query goes to the
// normal queue as a query task with full history; the worker's answer (or
// failure) is the query's result, and history does not change (§2.9).
func TestQueryTaskRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.start("queried", "tq")
	wft := e.pollWFT("tq")
	e.completeWFT(wft.TaskToken) // [4] completed; nothing pending

	pending := e.query("queried", "state")
	task := e.pollWFT("tq")
	if task.GetQuery().GetQueryType() != "state" || payloadString(task.GetQuery().GetQueryArgs()) != "arg" {
		t.Fatalf("query task carries query %v", task.Query)
	}
	if task.StartedEventId != 0 || task.PreviousStartedEventId != 3 || task.GetWorkflowExecution().GetRunId() != runID ||
		task.GetWorkflowType().GetName() != "Greet" || task.GetWorkflowExecutionTaskQueue().GetName() != "tq" {
		t.Errorf("query task: started %d previous %d execution %v type %v queue %v",
			task.StartedEventId, task.PreviousStartedEventId, task.WorkflowExecution, task.WorkflowType, task.WorkflowExecutionTaskQueue)
	}
	checkContiguous(t, task.GetHistory().GetEvents(), 1)
	if n := len(task.History.Events); n != 4 {
		t.Errorf("query task history has %d events, want the full 4", n)
	}
	_, err := e.c.RespondQueryTaskCompleted(e.ctx(), &workflowservice.RespondQueryTaskCompletedRequest{
		Namespace: ns, TaskToken: task.TaskToken, CompletedType: enumspb.QUERY_RESULT_TYPE_ANSWERED, QueryResult: payloads("42"),
	})
	if err != nil {
		t.Fatalf("RespondQueryTaskCompleted: %v", err)
	}
	r := waitQuery(t, pending)
	if r.err != nil || payloadString(r.resp.GetQueryResult()) != "42" {
		t.Fatalf("QueryWorkflow = %v, %v; want 42", r.resp, r.err)
	}
	_, err = e.c.RespondQueryTaskCompleted(e.ctx(), &workflowservice.RespondQueryTaskCompletedRequest{
		Namespace: ns, TaskToken: task.TaskToken, CompletedType: enumspb.QUERY_RESULT_TYPE_ANSWERED, QueryResult: payloads("again"),
	})
	wantCode(t, "answering a query twice", err, codes.NotFound)

	// A failed query is InvalidArgument with a QueryFailed detail.
	pending = e.query("queried", "broken")
	task = e.pollWFT("tq")
	_, err = e.c.RespondQueryTaskCompleted(e.ctx(), &workflowservice.RespondQueryTaskCompletedRequest{
		Namespace: ns, TaskToken: task.TaskToken, CompletedType: enumspb.QUERY_RESULT_TYPE_FAILED, ErrorMessage: "no such query",
	})
	if err != nil {
		t.Fatalf("RespondQueryTaskCompleted(FAILED): %v", err)
	}
	r = waitQuery(t, pending)
	wantCode(t, "failed query", r.err, codes.InvalidArgument)
	if _, ok := asError[*serviceerror.QueryFailed](serviceerror.FromStatus(status.Convert(r.err))); !ok {
		t.Errorf("failed query error %v has no QueryFailedFailure detail", r.err)
	}

	if h := e.history("queried", runID); len(h) != 4 {
		t.Errorf("queries changed history: %s", types(h))
	}
}

// TestQueryRidesOnPendingWorkflowTask: while a workflow task is pending, the
// query is delivered with it and answered in the completion (§2.9 step 4).
func TestQueryRidesOnPendingWorkflowTask(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.start("consistent", "tq")
	wft := e.pollWFT("tq")
	e.completeWFT(wft.TaskToken)
	e.signal("consistent", "wake") // a workflow task is pending now

	pending := e.query("consistent", "state")
	var task *workflowservice.PollWorkflowTaskQueueResponse
	for range 20 {
		// The query may reach the engine after the task started; it then waits
		// for the next task, which force_create_new_workflow_task makes sure of.
		task = e.pollWFT("tq")
		if len(task.Queries) > 0 || task.StartedEventId == 0 {
			break
		}
		_, err := e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{
			Namespace: ns, TaskToken: task.TaskToken, ForceCreateNewWorkflowTask: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond) // retry interval: the query is in flight to the engine
	}
	if len(task.Queries) != 1 || task.StartedEventId == 0 {
		t.Fatalf("workflow task started %d carries %d queries, want a real task with 1", task.StartedEventId, len(task.Queries))
	}
	results := map[string]*querypb.WorkflowQueryResult{}
	for id, q := range task.Queries {
		if q.QueryType != "state" {
			t.Errorf("query type %q", q.QueryType)
		}
		results[id] = &querypb.WorkflowQueryResult{ResultType: enumspb.QUERY_RESULT_TYPE_ANSWERED, Answer: payloads("consistent 7")}
	}
	_, err := e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: ns, TaskToken: task.TaskToken, QueryResults: results,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := waitQuery(t, pending)
	if r.err != nil || payloadString(r.resp.GetQueryResult()) != "consistent 7" {
		t.Fatalf("QueryWorkflow = %v, %v", r.resp, r.err)
	}
}
