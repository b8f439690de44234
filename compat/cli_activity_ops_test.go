package compat

import (
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/sdk/activity"
)

// TestTemporalCLIActivityOps drives `temporal activity pause|update-options|
// reset|unpause` (CLI v1.5.1, which has no `workflow pause`) against the
// server and checks their effect through Describe and the workflow's result.
func TestTemporalCLIActivityOps(t *testing.T) {
	t.Parallel()
	binary := temporalCLI(t)
	tg := startTarget(t)
	cli := newCLIRunner(t, binary, tg)
	act := newOpsActivity(func(_, call int32) bool { return call > 1 })
	c, run := startOps(t, tg, act, time.Hour)
	waitPending(t, c, run, "activity running", func(p *workflowpb.PendingActivityInfo) bool {
		return p.State == enumspb.PENDING_ACTIVITY_STATE_STARTED
	})
	wf := []string{"--workflow-id", run.GetID(), "--run-id", run.GetRunID()}

	cli.mustRun(t, append([]string{"activity", "pause", "--activity-id", "op-1"}, wf...)...)
	waitCause(t, act, activity.ErrActivityPaused)
	p := waitPending(t, c, run, "paused after the failed attempt", func(p *workflowpb.PendingActivityInfo) bool {
		return p.State == enumspb.PENDING_ACTIVITY_STATE_PAUSED && p.Attempt == 2
	})
	// CLI v1.5.1 sends its own identity ("temporal-cli:user@host").
	if got := p.GetPauseInfo().GetManual().GetIdentity(); !strings.HasPrefix(got, "temporal-cli") {
		t.Errorf("paused by %q, want the CLI's identity", got)
	}

	res := cli.mustRun(t, append([]string{"activity", "update-options", "--activity-id", "op-1",
		"--retry-initial-interval", "150ms", "--start-to-close-timeout", "45s", "--task-queue", p.GetActivityOptions().GetTaskQueue().GetName()}, wf...)...)
	if !strings.Contains(res.stdout, "45s") && !strings.Contains(res.stdout, "45") {
		t.Errorf("update-options does not print the new start-to-close timeout:\n%s", res)
	}
	p = describeOpsActivity(t, c, run)
	if o := p.GetActivityOptions(); o.GetStartToCloseTimeout().AsDuration() != 45*time.Second || o.GetRetryPolicy().GetInitialInterval().AsDuration() != 150*time.Millisecond {
		t.Errorf("options after update-options: %v", o)
	}

	cli.mustRun(t, append([]string{"activity", "reset", "--activity-id", "op-1", "--keep-paused"}, wf...)...)
	p = describeOpsActivity(t, c, run)
	if !p.Paused || p.Attempt != 1 {
		t.Errorf("after reset --keep-paused: paused %v attempt %d, want paused attempt 1", p.Paused, p.Attempt)
	}

	cli.mustRun(t, append([]string{"activity", "unpause", "--activity-id", "op-1"}, wf...)...)
	ctx := testContext(t, 30*time.Second)
	var result string
	if err := run.Get(ctx, &result); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if !strings.HasPrefix(result, "attempt 1 call 2") {
		t.Errorf("result %q, want attempt 1 on the second call", result)
	}
	// A missing activity is reported.
	if res := cli.run(t, append([]string{"activity", "pause", "--activity-id", "nope"}, wf...)...); res.exitCode == 0 {
		t.Errorf("pausing a missing activity succeeded:\n%s", res)
	}
}
