package compat

import (
	"context"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"
)

// TestHardening14ScheduleToCloseOnlyNeverPolled: an activity with only a
// schedule-to-close timeout, on a task queue no worker polls. Its derived
// schedule-to-start deadline falls due with schedule-to-close, and Temporal
// reports the schedule-to-start timeout, with retry state TIMEOUT.
func TestHardening14ScheduleToCloseOnlyNeverPolled(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	run, _, err := runOneActivity(t, c, workflow.ActivityOptions{
		TaskQueue:              uniqueName(t, "nobody"),
		ScheduleToCloseTimeout: 2 * time.Second,
	}, func(ctx context.Context) (string, error) { return "never runs", nil })
	requireActivityError(t, err, enumspb.RETRY_STATE_TIMEOUT)
	requireTimeout(t, err, enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START)
	requireHistory(t, c, run.GetID(), run.GetRunID(),
		concat(startAndFirstTask, ev(evActivityScheduled, evActivityTimedOut), workflowTask, ev(evWorkflowFailed)))
}
