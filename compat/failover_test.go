//go:build unix

package compat

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/sundialdev/sundial/internal/store/postgres/pgtest"
)

// failoverTimerWorkflow sleeps, then returns its input: a run whose timer
// is due while the active node is frozen.
func failoverTimerWorkflow(ctx workflow.Context, in string, sleep time.Duration) (string, error) {
	if err := workflow.Sleep(ctx, sleep); err != nil {
		return "", err
	}
	return "slept " + in, nil
}

// failoverEchoWorkflow runs one activity.
func failoverEchoWorkflow(ctx workflow.Context, in string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var out string
	err := workflow.ExecuteActivity(ctx, failoverEchoActivity, in).Get(ctx, &out)
	return out, err
}

func failoverEchoActivity(_ context.Context, in string) (string, error) { return "echo " + in, nil }

// runEcho runs failoverEchoWorkflow to completion through c.
func runEcho(t *testing.T, c client.Client, taskQueue, id string) {
	t.Helper()
	ctx := testContext(t, failoverWait)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue}, failoverEchoWorkflow, id)
	if err != nil {
		t.Fatalf("starting %s: %v", id, err)
	}
	var out string
	if err := run.Get(ctx, &out); err != nil || out != "echo "+id {
		t.Fatalf("%s: result %q, %v; want %q", id, out, err, "echo "+id)
	}
}

// TestFailoverFencesFrozenActiveNode runs two `sundial server` processes on
// one PostgreSQL database. The standby forwards to the active node; the
// active node is frozen with SIGSTOP, the standby takes the lease over and
// serves; the frozen node, resumed, finds its writes refused (the renewal of
// its lease or a commit is fenced by the epoch), steps down and forwards.
func TestFailoverFencesFrozenActiveNode(t *testing.T) {
	if targetIsTemporal() {
		t.Skip("failover runs sundial processes on PostgreSQL")
	}
	url := pgtest.NewDatabase(t)
	binary := buildSundial(t)
	dir := t.TempDir()
	leases := openLeaseView(t, url)

	a := startFailoverNode(t, binary, url, dir, "a")
	firstEpoch := leases.waitHolder(t, a.addr)
	b := startFailoverNode(t, binary, url, dir, "b")
	waitLog(t, b, "role=standby")
	waitServing(t, b.addr) // a standby serves once it knows where to forward

	// Everything goes through the standby, which forwards to a.
	c := dial(t, target{HostPort: b.addr, Namespace: "default"})
	taskQueue := uniqueName(t, "failover")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflow(failoverEchoWorkflow)
		r.RegisterWorkflow(failoverTimerWorkflow)
		r.RegisterActivity(failoverEchoActivity)
	})
	runEcho(t, c, taskQueue, taskQueue+"-before")

	// A run whose timer falls due while a is frozen: a fires it when it
	// resumes, unless it has stepped down first, and b fires it too; the
	// fence lets only one of them commit.
	ctx := testContext(t, 2*failoverWait)
	timerRun, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: taskQueue + "-timer", TaskQueue: taskQueue},
		failoverTimerWorkflow, "timer", 2*time.Second)
	if err != nil {
		t.Fatalf("starting the timer run: %v", err)
	}
	eventually(t, failoverWait, "the timer run's timer is started", func() bool {
		for _, e := range fetchHistory(t, c, timerRun.GetID(), timerRun.GetRunID()) {
			if e.GetEventType() == enumspb.EVENT_TYPE_TIMER_STARTED {
				return true
			}
		}
		return false
	})

	frozen := time.Now()
	if err := a.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatalf("freezing a: %v", err)
	}
	secondEpoch := leases.waitHolder(t, b.addr)
	takeover := time.Since(frozen)
	t.Logf("b took the lease over %v after a froze (epoch %d -> %d)", takeover.Round(10*time.Millisecond), firstEpoch, secondEpoch)
	if secondEpoch <= firstEpoch {
		t.Fatalf("the takeover kept epoch %d (was %d); it must grow", secondEpoch, firstEpoch)
	}
	waitLog(t, b, "failover: this node is active")
	runEcho(t, c, taskQueue, taskQueue+"-during")

	if err := a.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatalf("resuming a: %v", err)
	}
	waitLog(t, a, "stepping down to standby")
	if !logHas(t, a, "was refused") {
		t.Fatalf("a stepped down without a refused write or renewal; log:\n%s", a.log())
	}
	if at, epoch := leases.holder(t); at != b.addr || epoch != secondEpoch {
		t.Fatalf("after a resumed the lease is at %q epoch %d; want b (%s) at epoch %d", at, epoch, b.addr, secondEpoch)
	}
	waitServing(t, a.addr)

	// a now forwards to b.
	ca := dial(t, target{HostPort: a.addr, Namespace: "default"})
	runEcho(t, ca, taskQueue, taskQueue+"-after")

	var slept string
	if err := timerRun.Get(ctx, &slept); err != nil || slept != "slept timer" {
		t.Fatalf("the timer run: %q, %v", slept, err)
	}
	events := fetchHistory(t, ca, timerRun.GetID(), timerRun.GetRunID())
	if n := len(eventsOfType(events, enumspb.EVENT_TYPE_TIMER_FIRED)); n != 1 {
		t.Fatalf("the timer run's history has %d TimerFired events, want 1", n)
	}
	if n := len(eventsOfType(events, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)); n != 1 {
		t.Fatalf("the timer run's history has %d completions, want 1", n)
	}
	refusal := "renewal"
	if strings.Contains(a.log(), "a write was refused") {
		refusal = "write"
	}
	t.Logf("a's %s was refused after it resumed; it stepped down and forwards to b", refusal)
}
