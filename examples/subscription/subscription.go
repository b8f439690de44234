package subscription

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/workflow"
)

// Plan is what a customer pays for.
type Plan struct {
	Name       string
	PriceCents int
}

// Subscription is the workflow's input and the state carried from run to run.
type Subscription struct {
	CustomerID string
	Plan       Plan
	// Period is the time between charges.
	Period time.Duration
	// PeriodsPerRun is how many periods one run bills before continuing as new.
	PeriodsPerRun int
	// Billed counts the periods billed so far, over all runs.
	Billed int
	// ChargedCents is the total charged so far, over all runs.
	ChargedCents int
}

// Summary is the workflow's result.
type Summary struct {
	Billed       int
	ChargedCents int
	// EndedBecause is "canceled: REASON" or "card declined".
	EndedBecause string
}

// Charge is one charge of the customer's card.
type Charge struct {
	CustomerID string
	Cents      int
	Period     int
}

// CardDeclined is the ApplicationError type ChargeCard fails with when the card is
// declined.
const CardDeclined = "CardDeclined"

var (
	// Workflow is the subscription workflow's declaration.
	Workflow = workflow.Define(Run)
	// ChargeCard is the activity that charges the customer's card.
	ChargeCard = activity.Define(chargeCard)
	// Cancel ends the subscription at once; its value is the reason.
	Cancel = workflow.NewSignal[string]("cancel")
	// ChangePlan switches the plan from the next period on and returns the previous
	// plan. Plans that cost nothing are rejected.
	ChangePlan = workflow.NewUpdate[Plan, Plan]("change-plan")
	// Status reports the subscription's state.
	Status = workflow.NewStateQuery[Subscription]("status")
)

// chargeCard stands for a payment provider's API.
func chargeCard(ctx context.Context, c Charge) (string, error) {
	if c.Cents > 100_000 {
		return "", sundial.NewNonRetryableApplicationError("card declined", CardDeclined, nil)
	}
	return fmt.Sprintf("receipt-%s-%d", c.CustomerID, c.Period), nil
}

// Run bills s.Plan once per s.Period until the Cancel signal arrives or a charge is
// declined, continuing as new every s.PeriodsPerRun periods.
func Run(ctx workflow.Context, s Subscription) (Summary, error) {
	if s.Period <= 0 || s.PeriodsPerRun <= 0 {
		return Summary{}, sundial.NewNonRetryableApplicationError("a subscription needs a positive Period and PeriodsPerRun", "InvalidSubscription", nil)
	}
	if err := workflow.SetStateQueryHandler(ctx, Status, func() (Subscription, error) { return s, nil }); err != nil {
		return Summary{}, err
	}
	if err := workflow.SetUpdateHandlerFor(ctx, ChangePlan, func(ctx workflow.Context, p Plan) (Plan, error) {
		previous := s.Plan
		s.Plan = p
		return previous, nil
	}, validatePlan); err != nil {
		return Summary{}, err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &sundial.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 5},
	})
	cancels := workflow.GetSignal(ctx, Cancel)
	for range s.PeriodsPerRun {
		var canceledBecause string
		periodOver := false
		sel := workflow.NewSelector(ctx)
		workflow.AddSignal(ctx, sel, cancels, func(reason string) { canceledBecause = reason })
		sel.AddFuture(workflow.NewTimer(ctx, s.Period), func(workflow.Future) { periodOver = true })
		sel.Select(ctx)
		if !periodOver {
			return s.summary("canceled: " + canceledBecause), nil
		}
		charge := Charge{CustomerID: s.CustomerID, Cents: s.Plan.PriceCents, Period: s.Billed + 1}
		if _, err := workflow.ExecuteActivityFunc(ctx, ChargeCard, charge).Get(ctx); err != nil {
			if sundial.HasApplicationError(err, CardDeclined) {
				return s.summary("card declined"), nil
			}
			return Summary{}, fmt.Errorf("charging period %d: %w", charge.Period, err)
		}
		s.Billed++
		s.ChargedCents += charge.Cents
	}
	// Updates being handled finish in this run; the next starts with a short history.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return Summary{}, err
	}
	return Summary{}, workflow.ContinueAsNewSelf(ctx, Run, s)
}

func validatePlan(p Plan) error {
	if p.PriceCents <= 0 {
		return errors.New("a plan must cost something")
	}
	return nil
}

func (s Subscription) summary(reason string) Summary {
	return Summary{Billed: s.Billed, ChargedCents: s.ChargedCents, EndedBecause: reason}
}
