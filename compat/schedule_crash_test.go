package compat

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	enumspb "go.temporal.io/api/enums/v1"
)

// TestScheduleCrashRecovery runs an every-second schedule on a `sundial
// server` process and kills it with SIGKILL twice, restarting it each time
// a little later on the same database. Every second from the schedule's
// creation to its pause must have started exactly one workflow: the
// seconds while the server was down are caught up at the restart, and an
// action repeated after a crash finds the workflow it started before.
func TestScheduleCrashRecovery(t *testing.T) {
	if targetIsTemporal() {
		t.Log("the crash test runs the sundial binary, whatever COMPAT_TARGET says")
	}
	dir := t.TempDir()
	proc := &sundialProcess{
		t: t, binary: buildSundial(t), addr: freeLoopbackAddr(t),
		db: testDatabaseFlag(t, dir), logPath: filepath.Join(dir, "server.log"),
	}
	proc.start()
	running := true
	t.Cleanup(func() {
		if running {
			proc.kill()
		}
	})
	tg := target{HostPort: proc.addr, Namespace: "default"}
	c := dial(t, tg)
	svc := dialRaw(t, tg)
	ctx := testContext(t, 2*time.Minute)

	id := uniqueName(t, "crash")
	wf := uniqueName(t, "crashwf")
	h, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:      id,
		Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Second}}},
		Action:  &client.ScheduleWorkflowAction{ID: wf, Workflow: "NobodyRunsThis", TaskQueue: uniqueName(t, "idle")},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
	})
	if err != nil {
		t.Fatalf("creating the schedule: %v", err)
	}
	created := time.Now()
	actions := func() int64 {
		d, err := svc.DescribeSchedule(ctx, &workflowservice.DescribeScheduleRequest{Namespace: tg.Namespace, ScheduleId: id})
		if err != nil {
			return -1
		}
		return d.GetInfo().GetActionCount()
	}
	for kill := range 2 {
		before := actions()
		eventually(t, 30*time.Second, "actions taken before the kill", func() bool { return actions() >= before+3 })
		taken := actions()
		proc.kill()
		running = false
		t.Logf("kill %d after %d actions; down for 2s", kill+1, taken)
		time.Sleep(2 * time.Second) // the outage the schedule must catch up on
		proc.start()
		running = true
	}
	before := actions()
	eventually(t, 30*time.Second, "actions after the last restart", func() bool { return actions() >= before+3 })
	if err := h.Pause(ctx, client.SchedulePauseOptions{Note: "counting"}); err != nil {
		t.Fatalf("pausing: %v", err)
	}
	paused := time.Now()
	total := actions()

	// Count the runs of each workflow id the schedule started.
	perID := map[string]int{}
	var token []byte
	for {
		page, err := svc.ListWorkflowExecutions(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: tg.Namespace, Query: fmt.Sprintf("TemporalScheduledById = '%s'", id), PageSize: 1000, NextPageToken: token,
		})
		if err != nil {
			t.Fatalf("listing the scheduled workflows: %v", err)
		}
		for _, e := range page.GetExecutions() {
			perID[e.GetExecution().GetWorkflowId()]++
		}
		if token = page.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	runs := 0
	for wid, n := range perID {
		runs += n
		if n != 1 {
			t.Errorf("%s started %d times", wid, n)
		}
		if !strings.HasPrefix(wid, wf+"-") {
			t.Errorf("unexpected workflow id %s", wid)
		}
	}
	if int64(runs) != total {
		t.Errorf("%d runs started, the schedule counts %d actions", runs, total)
	}
	// Every whole second after the creation and before the pause (less a
	// second for the pause racing the last action) has its workflow.
	first := created.Truncate(time.Second).Add(time.Second)
	missing := 0
	for s := first; s.Before(paused.Add(-time.Second)); s = s.Add(time.Second) {
		if perID[wf+"-"+s.UTC().Format(time.RFC3339)] == 0 {
			missing++
			t.Errorf("no workflow for %s", s.UTC().Format(time.RFC3339))
		}
	}
	t.Logf("%d actions over %v with two SIGKILLs, %d seconds missing", total, paused.Sub(created).Round(time.Second), missing)
	if t.Failed() {
		t.Logf("server log:\n%s", proc.log())
	}
}

// TestScheduleCatchupWindowAfterRestart: an every-second schedule with the
// shortest catch-up window (10 s) on a server down for 14 s takes, at the
// restart, the actions of the last 10 s and counts the older ones as
// missed.
func TestScheduleCatchupWindowAfterRestart(t *testing.T) {
	dir := t.TempDir()
	proc := &sundialProcess{
		t: t, binary: buildSundial(t), addr: freeLoopbackAddr(t),
		db: testDatabaseFlag(t, dir), logPath: filepath.Join(dir, "server.log"),
	}
	proc.start()
	running := true
	t.Cleanup(func() {
		if running {
			proc.kill()
		}
	})
	tg := target{HostPort: proc.addr, Namespace: "default"}
	c := dial(t, tg)
	svc := dialRaw(t, tg)
	ctx := testContext(t, 2*time.Minute)
	id := uniqueName(t, "catchup")
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:            id,
		Spec:          client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Second}}},
		Action:        &client.ScheduleWorkflowAction{ID: uniqueName(t, "catchupwf"), Workflow: "NobodyRunsThis", TaskQueue: uniqueName(t, "idle")},
		Overlap:       enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
		CatchupWindow: 10 * time.Second,
	})
	if err != nil {
		t.Fatalf("creating the schedule: %v", err)
	}
	info := func() (actions, missed int64) {
		d, err := svc.DescribeSchedule(ctx, &workflowservice.DescribeScheduleRequest{Namespace: tg.Namespace, ScheduleId: id})
		if err != nil {
			return -1, -1
		}
		return d.GetInfo().GetActionCount(), d.GetInfo().GetMissedCatchupWindow()
	}
	eventually(t, 30*time.Second, "two actions", func() bool { a, _ := info(); return a >= 2 })
	proc.kill()
	running = false
	down := time.Now()
	time.Sleep(14 * time.Second) // longer than the catch-up window
	proc.start()
	running = true
	restarted := time.Now()
	var actions, missed int64
	eventually(t, 30*time.Second, "the missed actions counted", func() bool {
		actions, missed = info()
		return missed > 0
	})
	outage := restarted.Sub(down)
	t.Logf("down %v: %d actions, %d missed the catch-up window", outage.Round(time.Millisecond), actions, missed)
	// The seconds more than 10 s before the restart are missed (about 4);
	// the last 10 s of the outage are caught up.
	if missed < 2 || float64(missed) > (outage-10*time.Second).Seconds()+2 {
		t.Errorf("%d actions missed the window after a %v outage", missed, outage)
	}
	if float64(actions) < 2+9 {
		t.Errorf("%d actions: the last 10 s of the outage were not caught up", actions)
	}
}
