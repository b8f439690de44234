package compat

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/sundialdev/sundial/sundialtest"
)

const skipDay = 24 * time.Hour

// monthThenFlakyResult is what MonthThenFlaky reports, in workflow time.
type monthThenFlakyResult struct {
	Started    time.Time
	AfterSleep time.Time
	Finished   time.Time
	Attempts   int32
}

// FlakyHourActivity fails its first two attempts and succeeds on the third.
func FlakyHourActivity(ctx context.Context) (int32, error) {
	attempt := activity.GetInfo(ctx).Attempt
	if attempt < 3 {
		return 0, fmt.Errorf("attempt %d fails on purpose", attempt)
	}
	return attempt, nil
}

// MonthThenFlaky sleeps 30 days, then runs FlakyHourActivity with a one-hour
// start-to-close timeout and one-hour retry intervals.
func MonthThenFlaky(ctx workflow.Context) (monthThenFlakyResult, error) {
	res := monthThenFlakyResult{Started: workflow.Now(ctx)}
	if err := workflow.Sleep(ctx, 30*skipDay); err != nil {
		return res, err
	}
	res.AfterSleep = workflow.Now(ctx)
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Hour,
			BackoffCoefficient: 1,
			MaximumAttempts:    5,
		},
	})
	if err := workflow.ExecuteActivity(ctx, FlakyHourActivity).Get(ctx, &res.Attempts); err != nil {
		return res, err
	}
	res.Finished = workflow.Now(ctx)
	return res, nil
}

// runMonthThenFlaky runs MonthThenFlaky with the official Go SDK against a
// Sundial environment and checks its workflow times.
func runMonthThenFlaky(t *testing.T, skipping bool) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: skipping})
	c := dial(t, target{HostPort: env.HostPort(), Namespace: env.Namespace()})
	taskQueue := uniqueName(t, "skip")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflow(MonthThenFlaky)
		r.RegisterActivity(FlakyHourActivity)
	})
	ctx := testContext(t, time.Minute)

	wallStart := time.Now()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: taskQueue}, MonthThenFlaky)
	if err != nil {
		t.Fatalf("starting: %v", err)
	}
	var res monthThenFlakyResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatalf("MonthThenFlaky failed: %v", err)
	}
	elapsed := time.Since(wallStart)
	t.Logf("30 days and two hour-long retries took %v of wall time", elapsed)
	if skipping && elapsed > 2*time.Second {
		t.Errorf("took %v of wall time, want under 2s", elapsed)
	}
	if slept := res.AfterSleep.Sub(res.Started); slept < 30*skipDay || slept > 30*skipDay+time.Minute {
		t.Errorf("workflow.Now moved %v across a 30-day sleep", slept)
	}
	if retried := res.Finished.Sub(res.AfterSleep); retried < 2*time.Hour || retried > 2*time.Hour+time.Minute {
		t.Errorf("workflow.Now moved %v across two one-hour retry intervals", retried)
	}
	if res.Attempts != 3 {
		t.Errorf("activity succeeded on attempt %d, want 3", res.Attempts)
	}
	if skipping {
		if now := env.Now(); now.Before(res.Finished) {
			t.Errorf("env.Now() = %v, before the workflow's finish at %v", now, res.Finished)
		}
	}
}

func TestTimeSkippingMonthSleepAndHourlyRetries(t *testing.T) {
	runMonthThenFlaky(t, true)
}

// SleepBriefly sleeps d in workflow time and returns the workflow times around it.
func SleepBriefly(ctx workflow.Context, d time.Duration) ([2]time.Time, error) {
	before := workflow.Now(ctx)
	if err := workflow.Sleep(ctx, d); err != nil {
		return [2]time.Time{}, err
	}
	return [2]time.Time{before, workflow.Now(ctx)}, nil
}

// TestWithoutTimeSkippingTimersTakeWallTime is the counterpart of the month-long
// test above (which would take a month here): without time skipping an
// environment's timers wait in real time, so a one-second workflow sleep takes at
// least a second of wall time and moves workflow time by about as much.
func TestWithoutTimeSkippingTimersTakeWallTime(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: false})
	c := dial(t, target{HostPort: env.HostPort(), Namespace: env.Namespace()})
	taskQueue := uniqueName(t, "noskip")
	startWorker(t, c, taskQueue, func(r worker.Registry) { r.RegisterWorkflow(SleepBriefly) })
	ctx := testContext(t, time.Minute)

	const sleep = time.Second
	wallStart := time.Now()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: taskQueue}, SleepBriefly, sleep)
	if err != nil {
		t.Fatalf("starting: %v", err)
	}
	var times [2]time.Time
	if err := run.Get(ctx, &times); err != nil {
		t.Fatalf("SleepBriefly failed: %v", err)
	}
	if elapsed := time.Since(wallStart); elapsed < sleep {
		t.Errorf("a %v sleep without time skipping took %v of wall time", sleep, elapsed)
	}
	if moved := times[1].Sub(times[0]); moved < sleep || moved > sleep+30*time.Second {
		t.Errorf("workflow.Now moved %v across a %v sleep", moved, sleep)
	}
}

// SilentActivity never heartbeats and waits to be cancelled.
func SilentActivity(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// HeartbeatAfterTenDays sleeps ten days, then runs SilentActivity with a
// one-second heartbeat timeout and no retries; it returns when that timed out.
func HeartbeatAfterTenDays(ctx workflow.Context) (time.Time, error) {
	if err := workflow.Sleep(ctx, 10*skipDay); err != nil {
		return time.Time{}, err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		HeartbeatTimeout:    time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	err := workflow.ExecuteActivity(ctx, SilentActivity).Get(ctx, nil)
	var timeoutErr *temporal.TimeoutError
	if !errors.As(err, &timeoutErr) || timeoutErr.TimeoutType() != enumspb.TIMEOUT_TYPE_HEARTBEAT {
		return time.Time{}, fmt.Errorf("activity ended with %v, want a heartbeat timeout", err)
	}
	return workflow.Now(ctx), nil
}

// TestTimeSkippingHeartbeatTimeoutOnVirtualClock checks that a heartbeat timeout
// is measured on the skipping clock: a running activity holds time still, so the
// timeout takes its one second of wall time, and it fires one second after the
// skipped ten days, not ten days early.
func TestTimeSkippingHeartbeatTimeoutOnVirtualClock(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: true})
	c := dial(t, target{HostPort: env.HostPort(), Namespace: env.Namespace()})
	taskQueue := uniqueName(t, "skip")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflow(HeartbeatAfterTenDays)
		r.RegisterActivity(SilentActivity)
	})
	ctx := testContext(t, time.Minute)
	started := env.Now()
	wallStart := time.Now()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: taskQueue}, HeartbeatAfterTenDays)
	if err != nil {
		t.Fatalf("starting: %v", err)
	}
	var timedOutAt time.Time
	if err := run.Get(ctx, &timedOutAt); err != nil {
		t.Fatalf("HeartbeatAfterTenDays failed: %v", err)
	}
	if elapsed := time.Since(wallStart); elapsed > 10*time.Second {
		t.Errorf("took %v of wall time", elapsed)
	}
	if d := timedOutAt.Sub(started); d < 10*skipDay+time.Second || d > 10*skipDay+time.Minute {
		t.Errorf("heartbeat timeout observed %v after the start, want just over ten days", d)
	}
	events := fetchHistory(t, c, run.GetID(), run.GetRunID())
	timedOut := eventsOfType(events, enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT)
	if len(timedOut) != 1 {
		t.Fatalf("history has %d ActivityTaskTimedOut events, want 1", len(timedOut))
	}
	if at := timedOut[0].GetEventTime().AsTime(); at.Sub(started) < 10*skipDay {
		t.Errorf("ActivityTaskTimedOut at %v, before the ten days skipped from %v", at, started)
	}
}

// MonthLongSleeper sleeps 30 days.
func MonthLongSleeper(ctx workflow.Context) error {
	return workflow.Sleep(ctx, 30*skipDay)
}

func TestTimeSkippingWorkflowRunTimeout(t *testing.T) {
	env := sundialtest.NewWorkflowEnvironment(t, sundialtest.WorkflowEnvironmentOptions{TimeSkipping: true})
	c := dial(t, target{HostPort: env.HostPort(), Namespace: env.Namespace()})
	taskQueue := uniqueName(t, "skip")
	startWorker(t, c, taskQueue, func(r worker.Registry) { r.RegisterWorkflow(MonthLongSleeper) })
	ctx := testContext(t, time.Minute)
	started := env.Now()
	wallStart := time.Now()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: taskQueue, WorkflowRunTimeout: 7 * skipDay}, MonthLongSleeper)
	if err != nil {
		t.Fatalf("starting: %v", err)
	}
	err = run.Get(ctx, nil)
	var timeoutErr *temporal.TimeoutError
	if !errors.As(err, &timeoutErr) {
		t.Fatalf("Get = %v, want a workflow timeout", err)
	}
	if elapsed := time.Since(wallStart); elapsed > 5*time.Second {
		t.Errorf("a seven-day run timeout took %v of wall time", elapsed)
	}
	events := fetchHistory(t, c, run.GetID(), run.GetRunID())
	closing := events[len(events)-1]
	if closing.GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT {
		t.Fatalf("last event %v, want WorkflowExecutionTimedOut", closing.GetEventType())
	}
	if d := closing.GetEventTime().AsTime().Sub(started); d < 7*skipDay || d > 7*skipDay+time.Minute {
		t.Errorf("run timed out %v after the start, want seven days", d)
	}
}

// tsTimeSkippingWorkflows are the TypeScript workflows of the TypeScript check.
const tsTimeSkippingWorkflows = `
const { proxyActivities, sleep } = require('@temporalio/workflow');
const { flaky } = proxyActivities({
  startToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 hour', backoffCoefficient: 1, maximumAttempts: 5 },
});
async function monthThenFlaky() {
  const started = Date.now();
  await sleep('30 days');
  const afterSleep = Date.now();
  const attempt = await flaky();
  return { started, afterSleep, finished: Date.now(), attempt };
}
async function tenDays() {
  await sleep('10 days');
  return Date.now();
}
module.exports = { monthThenFlaky, tenDays };
`

// tsTimeSkippingCheck drives Sundial through the TypeScript SDK's
// TestWorkflowEnvironment.createTimeSkipping, which launches the binary as
// Temporal's test server (` + "`<path> <port>`" + `).
const tsTimeSkippingCheck = `
const assert = require('assert');
const { TestWorkflowEnvironment } = require('@temporalio/testing');
const { Worker, Runtime, DefaultLogger } = require('@temporalio/worker');
const { Context } = require('@temporalio/activity');
const DAY = 24 * 3600 * 1000, HOUR = 3600 * 1000;

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.SUNDIAL_BIN } },
  });
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'ts-skip',
      workflowsPath: require.resolve('./workflows'),
      activities: {
        async flaky() {
          const attempt = Context.current().info.attempt;
          if (attempt < 3) throw new Error('attempt ' + attempt + ' fails on purpose');
          return attempt;
        },
      },
    });
    await worker.runUntil(async () => {
      const t0 = Date.now();
      const r = await env.client.workflow.execute('monthThenFlaky', { taskQueue: 'ts-skip', workflowId: 'ts-month' });
      const wall = Date.now() - t0;
      assert(r.afterSleep - r.started >= 30 * DAY, 'workflow time across the sleep: ' + (r.afterSleep - r.started));
      assert(r.finished - r.afterSleep >= 2 * HOUR, 'workflow time across the retries: ' + (r.finished - r.afterSleep));
      assert.strictEqual(r.attempt, 3);
      assert(wall < 5000, 'wall time ' + wall + 'ms');

      const before = Number(await env.currentTimeMs());
      await env.sleep('5 days');
      const after = Number(await env.currentTimeMs());
      assert(after - before >= 5 * DAY, 'env.sleep advanced ' + (after - before) + 'ms');

      const handle = await env.client.workflow.start('tenDays', { taskQueue: 'ts-skip', workflowId: 'ts-ten-days' });
      const doneAt = await handle.result();
      assert(doneAt - after >= 10 * DAY, 'ten-day workflow finished at ' + doneAt);
    });
  } finally {
    await env.teardown();
  }
  console.log('time skipping: ok');
}
main().catch((err) => { console.error(err); process.exit(1); });
`

// TestTypeScriptTimeSkippingEnvironment runs the TypeScript SDK's time-skipping
// test environment on Sundial. It needs node and @temporalio/testing next to the
// other TypeScript packages (compat/typescript/node_modules, or the directory in
// SUNDIAL_TS_NODE_MODULES), and is skipped without them.
func TestTypeScriptTimeSkippingEnvironment(t *testing.T) {
	if targetIsTemporal() {
		t.Skip("checks Sundial's test-server command line")
	}
	node := requireTool(t, "node")
	modules := os.Getenv("SUNDIAL_TS_NODE_MODULES")
	if modules == "" {
		requireTool(t, "npm")
		if testing.Short() {
			t.Skip("installs the TypeScript SDK; skipped with -short")
		}
		installTypeScriptDeps(t)
		modules = filepath.Join("typescript", "node_modules")
	}
	modules, err := filepath.Abs(modules)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(modules, "@temporalio", "testing")); err != nil {
		// package.json lists @temporalio/testing, so an install without it is broken.
		t.Fatalf("@temporalio/testing is not installed in %s: %v", modules, err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "sundial")
	build := exec.Command("go", "build", "-o", bin, "github.com/sundialdev/sundial/cmd/sundial")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building sundial: %v\n%s", err, out)
	}
	for name, text := range map[string]string{"workflows.js": tsTimeSkippingWorkflows, "check.js": tsTimeSkippingCheck} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "check.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SUNDIAL_BIN="+bin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("TypeScript time-skipping check failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "time skipping: ok") {
		t.Fatalf("TypeScript check did not report ok:\n%s", out)
	}
}
