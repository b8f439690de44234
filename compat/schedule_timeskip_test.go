package compat

import (
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/sundialdev/sundial/sundialtest"
)

// TestScheduleDaylightSavingTimeSkipping: a schedule at 09:00 in
// America/New_York on 12 to 16 March, on a time-skipping server, fires at
// 14:00 UTC before the 2027 change to daylight saving time (14 March) and
// at 13:00 UTC from it; time skipping takes the server there in moments.
func TestScheduleDaylightSavingTimeSkipping(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: true})
	tg := target{HostPort: env.HostPort(), Namespace: env.Namespace()}
	c := dial(t, tg)
	svc := dialRaw(t, tg)
	queue := uniqueName(t, "dst")
	startWorker(t, c, queue, func(r worker.Registry) { r.RegisterWorkflow(ScheduledTarget) })
	ctx := testContext(t, time.Minute)
	year := env.Now().Year()
	if env.Now().After(time.Date(year, 3, 12, 0, 0, 0, 0, time.UTC)) {
		year++
	}
	wf := uniqueName(t, "dstwf")
	h, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: uniqueName(t, "dst"),
		Spec: client.ScheduleSpec{
			Calendars: []client.ScheduleCalendarSpec{{
				Hour:       []client.ScheduleRange{{Start: 9}},
				DayOfMonth: []client.ScheduleRange{{Start: 12, End: 16}},
				Month:      []client.ScheduleRange{{Start: 3}},
				Year:       []client.ScheduleRange{{Start: year}},
			}},
			TimeZoneName: "America/New_York",
		},
		Action:  &client.ScheduleWorkflowAction{ID: wf, Workflow: ScheduledTarget, Args: []any{"quick"}, TaskQueue: queue},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
	})
	if err != nil {
		t.Fatalf("creating the schedule: %v", err)
	}
	wall := time.Now()
	var d *workflowservice.DescribeScheduleResponse
	eventually(t, 45*time.Second, "five actions", func() bool {
		d, err = svc.DescribeSchedule(ctx, &workflowservice.DescribeScheduleRequest{Namespace: tg.Namespace, ScheduleId: h.GetID()})
		return err == nil && d.GetInfo().GetActionCount() == 5
	})
	t.Logf("five March days skipped through in %v of wall time", time.Since(wall).Round(time.Millisecond))
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	recent := d.GetInfo().GetRecentActions()
	if len(recent) != 5 {
		t.Fatalf("recent actions %v", recent)
	}
	for i, a := range recent {
		day := 12 + i
		wantUTC := 14
		if day >= 14 { // daylight saving time from 14 March
			wantUTC = 13
		}
		got := a.GetScheduleTime().AsTime()
		want := time.Date(year, 3, day, wantUTC, 0, 0, 0, time.UTC)
		if !got.Equal(want) {
			t.Errorf("action %d at %v, want %v", i, got, want)
		}
		if local := got.In(ny); local.Hour() != 9 {
			t.Errorf("action %d at %v New York time, want 09:00", i, local)
		}
		if id := a.GetStartWorkflowResult().GetWorkflowId(); id != wf+"-"+want.Format(time.RFC3339) {
			t.Errorf("action %d started %s", i, id)
		}
	}
	if n := len(d.GetInfo().GetFutureActionTimes()); n != 0 {
		t.Errorf("%d future action times after the last year's days", n)
	}
}
