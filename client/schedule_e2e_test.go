package client_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/api/serviceerror"
)

var greetWorkflow = workflow.Define(GreetWorkflow)

func GreetWorkflow(ctx workflow.Context, name string) (string, error) {
	return "hello " + name, nil
}

// startGreetWorker runs a worker with GreetWorkflow on queue.
func startGreetWorker(t *testing.T, c *client.Client, queue string) {
	t.Helper()
	w := worker.New(c, queue, worker.Options{Logger: slog.New(slog.DiscardHandler)})
	if err := worker.RegisterWorkflowFunc(w, greetWorkflow); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
}

func describe(t *testing.T, ctx context.Context, h *client.ScheduleHandle) *client.ScheduleDescription {
	t.Helper()
	d, err := h.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestScheduleClientLifecycle(t *testing.T) {
	c := startSundial(t)
	startGreetWorker(t, c, "greetings")
	ctx := typedTestContext(t)
	schedules := c.ScheduleClient()

	h, err := schedules.Create(ctx, client.ScheduleOptions{
		ID:     "yearly-greeting",
		Spec:   &client.ScheduleSpec{CronString: []string{"0 0 1 1 *"}},
		Action: client.StartWorkflowAction(greetWorkflow, "ada", client.StartWorkflowOptions{TaskQueue: "greetings"}),
		Note:   "created by the test",
		Memo:   map[string]any{"owner": "ada"},
	})
	if err != nil {
		t.Fatal(err)
	}

	// Describe shows the canonical spec, the typed action and the state.
	d := describe(t, ctx, h)
	if cals := d.GetSchedule().GetSpec().GetStructuredCalendar(); len(cals) != 1 || len(d.GetSchedule().GetSpec().GetCronString()) != 0 {
		t.Errorf("spec = %v, want the cron string as one structured calendar", d.GetSchedule().GetSpec())
	}
	start := d.GetSchedule().GetAction().GetStartWorkflow()
	if start.GetWorkflowType().GetName() != greetWorkflow.Name() || start.GetWorkflowId() != "yearly-greeting" || start.GetTaskQueue().GetName() != "greetings" {
		t.Errorf("action = %v", start)
	}
	var input string
	if err := converter.GetDefaultDataConverter().FromPayloads(start.GetInput(), &input); err != nil || input != "ada" {
		t.Errorf("action input = %q, %v; want ada", input, err)
	}
	if notes := d.GetSchedule().GetState().GetNotes(); notes != "created by the test" {
		t.Errorf("notes = %q", notes)
	}

	// A second create with the same id fails.
	if _, err := schedules.Create(ctx, client.ScheduleOptions{ID: "yearly-greeting", Spec: &client.ScheduleSpec{}, Action: client.StartWorkflowAction(greetWorkflow, "bob", client.StartWorkflowOptions{TaskQueue: "greetings"})}); err == nil {
		t.Error("a second create with the same id succeeded")
	}

	// Trigger starts the workflow now; its result comes back typed.
	if err := h.Trigger(ctx, enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL); err != nil {
		t.Fatal(err)
	}
	var workflowID string
	waitFor(t, func() bool {
		recent := describe(t, ctx, h).GetInfo().GetRecentActions()
		if len(recent) == 0 {
			return false
		}
		workflowID = recent[0].GetStartWorkflowResult().GetWorkflowId()
		return true
	})
	if got, err := client.GetWorkflowFunc(ctx, c, greetWorkflow, workflowID, "").Result(ctx); err != nil || got != "hello ada" {
		t.Errorf("scheduled workflow result = %q, %v", got, err)
	}

	// Backfill takes the action of 1 January 2025.
	if err := h.Backfill(ctx, client.ScheduleBackfill{Start: time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return describe(t, ctx, h).GetInfo().GetActionCount() == 2 })

	// Pause and unpause carry notes.
	if err := h.Pause(ctx, "maintenance"); err != nil {
		t.Fatal(err)
	}
	if st := describe(t, ctx, h).GetSchedule().GetState(); !st.GetPaused() || st.GetNotes() != "maintenance" {
		t.Errorf("after Pause: state = %v", st)
	}
	if err := h.Unpause(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if st := describe(t, ctx, h).GetSchedule().GetState(); st.GetPaused() || st.GetNotes() != "Unpaused via Go SDK" {
		t.Errorf("after Unpause: state = %v", st)
	}

	// Update changes what the function changes; a skipped update changes nothing.
	err = h.Update(ctx, func(s *schedulepb.Schedule) (*schedulepb.Schedule, error) {
		s.Policies.OverlapPolicy = enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE
		return s, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if p := describe(t, ctx, h).GetSchedule().GetPolicies().GetOverlapPolicy(); p != enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE {
		t.Errorf("overlap policy after Update = %v", p)
	}
	if err := h.Update(ctx, func(*schedulepb.Schedule) (*schedulepb.Schedule, error) { return nil, client.ErrScheduleUpdateSkipped }); err != nil {
		t.Errorf("skipped update: %v", err)
	}

	// The server computes matching times with the schedule's spec.
	times, err := h.MatchingTimes(ctx, time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(times) != 3 || !times[0].Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) || !times[2].Equal(time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("matching times = %v, want the first of January of 2027-2029", times)
	}

	// List finds it.
	waitFor(t, func() bool {
		for entry, err := range schedules.List(ctx, "") {
			if err != nil {
				t.Fatal(err)
			}
			if entry.GetScheduleId() == "yearly-greeting" {
				return true
			}
		}
		return false
	})

	// Delete removes it.
	if err := h.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	var notFound *serviceerror.NotFound
	if _, err := h.Describe(ctx); !errors.As(err, &notFound) {
		t.Errorf("Describe after Delete = %v, want NotFound", err)
	}
}

func TestScheduleClientRefusesIncompleteOptions(t *testing.T) {
	c := startSundial(t)
	ctx := typedTestContext(t)
	action := client.StartWorkflowAction(greetWorkflow, "ada", client.StartWorkflowOptions{TaskQueue: "greetings"})
	for name, opts := range map[string]client.ScheduleOptions{
		"no id":         {Spec: &client.ScheduleSpec{}, Action: action},
		"no spec":       {ID: "s", Action: action},
		"no action":     {ID: "s", Spec: &client.ScheduleSpec{}},
		"no task queue": {ID: "s", Spec: &client.ScheduleSpec{}, Action: client.StartWorkflowAction(greetWorkflow, "ada", client.StartWorkflowOptions{})},
		"start signal":  {ID: "s", Spec: &client.ScheduleSpec{}, Action: client.StartWorkflowAction(greetWorkflow, "ada", client.StartWorkflowOptions{TaskQueue: "q", StartSignal: "go"})},
		"invalid spec":  {ID: "s", Spec: &client.ScheduleSpec{CronString: []string{"not a cron"}}, Action: action},
		"bad time zone": {ID: "s", Spec: &client.ScheduleSpec{TimezoneName: "Nowhere/City"}, Action: action},
	} {
		_, err := c.ScheduleClient().Create(ctx, opts)
		if err == nil {
			t.Errorf("%s: Create succeeded", name)
		}
		var invalid *serviceerror.InvalidArgument
		if server := name == "invalid spec" || name == "bad time zone"; server && !errors.As(err, &invalid) {
			t.Errorf("%s: Create error = %v, want InvalidArgument", name, err)
		}
	}
}
