package sundialtest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/sundialtest"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

var statusQuery = workflow.NewStateQuery[string]("status")

var quickWorkflow = workflow.DefineNamed("Quick", func(ctx workflow.Context, _ struct{}) (string, error) {
	if err := workflow.SetStateQueryHandler(ctx, statusQuery, func() (string, error) { return "done", nil }); err != nil {
		return "", err
	}
	return "ok", nil
})

func TestQueryToAClosedWorkflowWithoutAWorker(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{})
	ctx := testContext(t)
	w := env.NewWorker("quick", worker.Options{})
	if err := worker.RegisterWorkflowFunc(w, quickWorkflow); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	run, err := client.ExecuteWorkflowFunc(ctx, env.Client(), client.StartWorkflowOptions{ID: "quick", TaskQueue: "quick"}, quickWorkflow, struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.Result(ctx); err != nil {
		t.Fatal(err)
	}
	w.Stop()

	// The server answers itself shortly before the caller's deadline, with a status
	// and a text, instead of letting the call die on its own deadline or a reset
	// stream: DeadlineExceeded here, as a worker polled the queue moments ago
	// (FailedPrecondition "no poller seen for task queue recently, worker may be
	// down" once none has for 20 s).
	const callTimeout = 3 * time.Second
	queryCtx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	start := time.Now()
	_, err = client.QueryState(queryCtx, run, statusQuery)
	elapsed := time.Since(start)
	if queryCtx.Err() != nil {
		t.Fatalf("the query's own deadline passed (after %s, error %v); the server must answer before it", elapsed, err)
	}
	var deadline *serviceerror.DeadlineExceeded
	if !errors.As(err, &deadline) {
		t.Fatalf("query error %v (%T), want a *serviceerror.DeadlineExceeded from the server", err, err)
	}
	if !strings.Contains(err.Error(), "query was not answered before the request's deadline") {
		t.Fatalf("query error %q does not say what happened", err)
	}
}
