package workflow_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/sundialtest"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

type counter struct {
	Runs  int
	Limit int
}

var (
	countdownV2 = workflow.DefineNamed("CountdownV2", func(ctx workflow.Context, c counter) (string, error) {
		return fmt.Sprintf("v2 after %d runs", c.Runs), nil
	})
	countdown     = workflow.DefineNamed("Countdown", countdownRun)
	progressQuery = workflow.NewStateQuery[int]("progress")
	nudge         = workflow.NewSignal[string]("nudge")
	double        = activity.DefineNamed("Double", func(_ context.Context, n int) (int, error) { return 2 * n, nil })
	selecting     = workflow.DefineNamed("Selecting", selectingRun)
)

// countdownRun continues as itself until Limit runs, then as CountdownV2.
func countdownRun(ctx workflow.Context, c counter) (string, error) {
	c.Runs++
	if c.Runs < c.Limit {
		return "", workflow.ContinueAsNewSelf(ctx, countdownRun, c)
	}
	return "", workflow.ContinueAsNew(ctx, countdownV2, c)
}

// selectingRun waits for a typed signal and a typed activity result in one selector,
// answering an argument-less query with its progress.
func selectingRun(ctx workflow.Context, n int) ([]string, error) {
	progress := 0
	if err := workflow.SetStateQueryHandler(ctx, progressQuery, func() (int, error) { return progress, nil }); err != nil {
		return nil, err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	var got []string
	sel := workflow.NewSelector(ctx)
	workflow.AddSignal(ctx, sel, workflow.GetSignal(ctx, nudge), func(v string) { got = append(got, "signal "+v) })
	workflow.AddFutureOf(ctx, sel, workflow.ExecuteActivityFunc(ctx, double, n), func(v int, err error) {
		if err != nil {
			got = append(got, "error "+err.Error())
			return
		}
		got = append(got, fmt.Sprintf("doubled %d", v))
	})
	for range 2 {
		sel.Select(ctx)
		progress++
	}
	return got, nil
}

func TestTypedContinueAsNewSelectorAndStateQuery(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: true})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w := env.NewWorker("typed", worker.Options{})
	for _, err := range []error{
		worker.RegisterWorkflowFunc(w, countdown),
		worker.RegisterWorkflowFunc(w, countdownV2),
		worker.RegisterWorkflowFunc(w, selecting),
		worker.RegisterActivityFunc(w, double),
		w.Start(),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	c := env.Client()

	run, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{ID: "countdown", TaskQueue: "typed"}, countdown, counter{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	// The handle follows the chain of runs to the last one, a CountdownV2.
	if got, err := run.Result(ctx); err != nil || got != "v2 after 3 runs" {
		t.Fatalf("countdown result = %q, %v", got, err)
	}

	sel, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{ID: "selecting", TaskQueue: "typed"}, selecting, 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Signal(ctx, sel, nudge, "hello"); err != nil {
		t.Fatal(err)
	}
	got, err := sel.Result(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !slices.Contains(got, "signal hello") || !slices.Contains(got, "doubled 8") {
		t.Fatalf("selecting result = %q, want the signal and the doubled value", got)
	}
	// A closed run still answers queries while a worker is polling.
	if progress, err := client.QueryState(ctx, sel, progressQuery); err != nil || progress != 2 {
		t.Fatalf("progress query = %d, %v; want 2", progress, err)
	}
}
