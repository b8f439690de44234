package subscription_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/examples/subscription"
	"github.com/sundialdev/sundial/sundialtest"
	"github.com/sundialdev/sundial/worker"
)

const day = 24 * time.Hour

var (
	basic   = subscription.Plan{Name: "basic", PriceCents: 1000}
	premium = subscription.Plan{Name: "premium", PriceCents: 2000}
)

// startBilling starts a time-skipping environment with a worker running the
// workflow and a mocked ChargeCard, and returns the mock and the client.
func startBilling(t *testing.T) (*sundialtest.WorkflowEnvironment, *sundialtest.ActivityMock[subscription.Charge, string]) {
	t.Helper()
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: true})
	charges := sundialtest.OnActivity(env, subscription.ChargeCard)
	w := env.NewWorker("billing", worker.Options{})
	if err := worker.RegisterWorkflowFunc(w, subscription.Workflow); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	return env, charges
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// A year-long story in milliseconds: three monthly charges over two runs, a plan
// change and a rejected one in between, then a cancellation.
func TestSubscriptionBillsChangesPlanAndCancels(t *testing.T) {
	env, charges := startBilling(t)
	ctx := testContext(t)
	c := env.Client()
	charges.ReturnOnce("", errors.New("payment provider unavailable")) // the first attempt fails and is retried
	charges.Return("receipt", nil)

	run, err := client.ExecuteWorkflowFunc(ctx, c, client.StartWorkflowOptions{ID: "sub-ada", TaskQueue: "billing"},
		subscription.Workflow, subscription.Subscription{CustomerID: "ada", Plan: basic, Period: 30 * day, PeriodsPerRun: 2})
	if err != nil {
		t.Fatal(err)
	}
	firstRunID := run.GetRunID()

	// Day 45: upgrade. A free plan is refused by the validator.
	env.RegisterDelayedCallback(45*day, func() {
		previous, err := client.ExecuteUpdate(ctx, run, subscription.ChangePlan, premium)
		if err != nil || previous != basic {
			t.Errorf("ChangePlan(premium) = %v, %v; want the basic plan back", previous, err)
		}
		_, err = client.ExecuteUpdate(ctx, run, subscription.ChangePlan, subscription.Plan{Name: "free"})
		if err == nil || !strings.Contains(err.Error(), `update "change-plan" rejected: a plan must cost something`) {
			t.Errorf("ChangePlan(free) error = %v, want a rejection", err)
		}
	})
	// Day 100: three periods billed, over two runs; then the customer cancels.
	env.RegisterDelayedCallback(100*day, func() {
		status, err := client.QueryState(ctx, run, subscription.Status)
		if err != nil || status.Billed != 3 || status.Plan != premium {
			t.Errorf("Status = %+v, %v; want 3 periods billed on the premium plan", status, err)
		}
		if err := client.Signal(ctx, run, subscription.Cancel, "moving abroad"); err != nil {
			t.Errorf("Cancel: %v", err)
		}
	})

	summary, err := run.Result(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := subscription.Summary{Billed: 3, ChargedCents: 1000 + 2000 + 2000, EndedBecause: "canceled: moving abroad"}
	if summary != want {
		t.Fatalf("summary = %+v, want %+v", summary, want)
	}
	if n := charges.Calls(); n != 4 {
		t.Errorf("ChargeCard ran %d times, want 4 (one failed attempt, three charges)", n)
	}
	if in := charges.Inputs(); in[3] != (subscription.Charge{CustomerID: "ada", Cents: 2000, Period: 3}) {
		t.Errorf("the last charge was %+v", in[3])
	}
	latest, err := c.DescribeWorkflowExecution(ctx, "sub-ada", "")
	if err != nil {
		t.Fatal(err)
	}
	if latest.GetWorkflowExecutionInfo().GetExecution().GetRunId() == firstRunID {
		t.Error("the subscription never continued as new")
	}
}

func TestSubscriptionEndsWhenTheCardIsDeclined(t *testing.T) {
	env, charges := startBilling(t)
	ctx := testContext(t)
	charges.ReturnOnce("receipt", nil).
		Return("", sundial.NewNonRetryableApplicationError("card declined", subscription.CardDeclined, nil))

	run, err := client.ExecuteWorkflowFunc(ctx, env.Client(), client.StartWorkflowOptions{ID: "sub-bob", TaskQueue: "billing"},
		subscription.Workflow, subscription.Subscription{CustomerID: "bob", Plan: basic, Period: 7 * day, PeriodsPerRun: 10})
	if err != nil {
		t.Fatal(err)
	}
	summary, err := run.Result(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (subscription.Summary{Billed: 1, ChargedCents: 1000, EndedBecause: "card declined"}); summary != want {
		t.Fatalf("summary = %+v, want %+v", summary, want)
	}
	if n := charges.Calls(); n != 2 {
		t.Errorf("ChargeCard ran %d times, want 2 (a declined card is not retried)", n)
	}
}
