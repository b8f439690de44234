package compat

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// TestTemporalCLISchedules drives `temporal schedule create|describe|list|
// toggle|trigger|backfill|delete` against the server.
func TestTemporalCLISchedules(t *testing.T) {
	binary := temporalCLI(t)
	f := newScheduleFixture(t)
	cli := newCLIRunner(t, binary, f.tg)
	id := uniqueName(t, "cli")
	wf := uniqueName(t, "cliwf")

	cli.mustRun(t, "schedule", "create", "--schedule-id", id, "--interval", "1h/5m",
		"--workflow-id", wf, "--type", "ScheduledTarget", "--task-queue", f.queue, "--input", `"quick"`,
		"--overlap-policy", "AllowAll", "--paused", "--notes", "made by the CLI")

	type description struct {
		Schedule struct {
			Spec struct {
				Interval []struct {
					Interval string `json:"interval"`
					Phase    string `json:"phase"`
				} `json:"interval"`
			} `json:"spec"`
			State struct {
				Notes  string `json:"notes"`
				Paused bool   `json:"paused"`
			} `json:"state"`
		} `json:"schedule"`
		Info struct {
			ActionCount protoInt `json:"actionCount"`
		} `json:"info"`
	}
	var desc description
	cli.mustRunJSON(t, &desc, "schedule", "describe", "--schedule-id", id, "-o", "json")
	if !desc.Schedule.State.Paused || desc.Schedule.State.Notes != "made by the CLI" {
		t.Errorf("described state %+v", desc.Schedule.State)
	}
	if iv := desc.Schedule.Spec.Interval; len(iv) != 1 || iv[0].Interval != "3600s" || iv[0].Phase != "300s" {
		t.Errorf("described intervals %+v", iv)
	}

	cli.mustRun(t, "schedule", "toggle", "--schedule-id", id, "--unpause", "--reason", "go on")
	desc = description{}
	cli.mustRunJSON(t, &desc, "schedule", "describe", "--schedule-id", id, "-o", "json")
	if desc.Schedule.State.Paused || desc.Schedule.State.Notes != "go on" {
		t.Errorf("after toggle --unpause: %+v", desc.Schedule.State)
	}
	cli.mustRun(t, "schedule", "toggle", "--schedule-id", id, "--pause", "--reason", "hold")

	cli.mustRun(t, "schedule", "trigger", "--schedule-id", id)
	f.waitInfo(t, id, "the CLI's trigger taken", func(i *schedulepb.ScheduleInfo) bool { return i.GetActionCount() == 1 })

	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	cli.mustRun(t, "schedule", "backfill", "--schedule-id", id,
		"--start-time", start.Format(time.RFC3339), "--end-time", start.Add(3*time.Hour).Format(time.RFC3339), "--overlap-policy", "AllowAll")
	// 00:05, 01:05 and 02:05 match the spec within the three hours.
	f.waitInfo(t, id, "the CLI's backfill taken", func(i *schedulepb.ScheduleInfo) bool { return i.GetActionCount() == 4 })
	for _, h := range []int{0, 1, 2} {
		at := start.Add(time.Duration(h)*time.Hour + 5*time.Minute)
		f.waitStatus(t, wf+"-"+at.Format(time.RFC3339), enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	}

	cliEventually(t, 30*time.Second, func() error {
		res := cli.run(t, "schedule", "list")
		if res.exitCode != 0 {
			return fmt.Errorf("schedule list failed:\n%s", res)
		}
		if !strings.Contains(res.stdout, id) {
			return fmt.Errorf("schedule list does not show %s:\n%s", id, res)
		}
		return nil
	})

	cli.mustRun(t, "schedule", "delete", "--schedule-id", id)
	res := cli.run(t, "schedule", "describe", "--schedule-id", id)
	if res.exitCode == 0 || !regexp.MustCompile(`(?i)not found`).MatchString(res.stdout+res.stderr) {
		t.Errorf("describe after delete:\n%s", res)
	}
	_, err := f.svc.DescribeSchedule(f.ctx, &workflowservice.DescribeScheduleRequest{Namespace: f.tg.Namespace, ScheduleId: id})
	if err == nil {
		t.Error("the deleted schedule is still described")
	}
}
