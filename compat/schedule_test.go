package compat

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// ScheduledTarget is the workflow the schedule tests start. With "wait" it
// blocks until signaled "release" (and fails when the signal says "fail");
// "fail" fails at once; anything else completes at once.
func ScheduledTarget(ctx workflow.Context, mode string) (string, error) {
	switch mode {
	case "fail":
		return "", temporal.NewApplicationError("scheduled target failed on purpose", "Boom")
	case "wait":
		var how string
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(workflow.GetSignalChannel(ctx, "release"), func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, &how) })
		sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {})
		sel.Select(ctx)
		if err := ctx.Err(); err != nil {
			return "", err // canceled
		}
		if how == "fail" {
			return "", temporal.NewApplicationError("released to fail", "Boom")
		}
	}
	return "done " + workflow.GetInfo(ctx).WorkflowExecution.ID, nil
}

// scheduleFixture is a schedule test's server, clients and task queue, with
// a worker running ScheduledTarget.
type scheduleFixture struct {
	tg    target
	c     client.Client
	svc   workflowservice.WorkflowServiceClient
	queue string
	ctx   context.Context
}

func newScheduleFixture(t *testing.T) *scheduleFixture {
	tg, c := setup(t)
	f := &scheduleFixture{tg: tg, c: c, svc: dialRaw(t, tg), queue: uniqueName(t, "sched"), ctx: testContext(t, 3*time.Minute)}
	startWorker(t, c, f.queue, func(r worker.Registry) { r.RegisterWorkflow(ScheduledTarget) })
	return f
}

// action is a ScheduledTarget start on the fixture's queue.
func (f *scheduleFixture) action(id, mode string) *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{ID: id, Workflow: ScheduledTarget, Args: []any{mode}, TaskQueue: f.queue}
}

// describe reads a schedule with the raw API (it shows the buffer size).
func (f *scheduleFixture) describe(t *testing.T, id string) *workflowservice.DescribeScheduleResponse {
	t.Helper()
	d, err := f.svc.DescribeSchedule(f.ctx, &workflowservice.DescribeScheduleRequest{Namespace: f.tg.Namespace, ScheduleId: id})
	if err != nil {
		t.Fatalf("DescribeSchedule %s: %v", id, err)
	}
	return d
}

// waitInfo waits until the schedule's info satisfies cond.
func (f *scheduleFixture) waitInfo(t *testing.T, id, what string, cond func(*schedulepb.ScheduleInfo) bool) *schedulepb.ScheduleInfo {
	t.Helper()
	var info *schedulepb.ScheduleInfo
	eventually(t, 30*time.Second, what, func() bool {
		info = f.describe(t, id).GetInfo()
		return cond(info)
	})
	return info
}

// waitStatus waits until a workflow has the status.
func (f *scheduleFixture) waitStatus(t *testing.T, workflowID string, want enumspb.WorkflowExecutionStatus) {
	t.Helper()
	eventually(t, 30*time.Second, workflowID+" "+want.String(), func() bool {
		d, err := f.c.DescribeWorkflowExecution(f.ctx, workflowID, "")
		return err == nil && d.GetWorkflowExecutionInfo().GetStatus() == want
	})
}

// release signals a waiting ScheduledTarget.
func (f *scheduleFixture) release(t *testing.T, workflowID, how string) {
	t.Helper()
	if err := f.c.SignalWorkflow(f.ctx, workflowID, "", "release", how); err != nil {
		t.Fatalf("releasing %s: %v", workflowID, err)
	}
}

// backfillBase is a minute the overlap tests backfill from: the schedule's
// spec is every minute, so backfilling n minutes from here makes n starts.
var backfillBase = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// backfill asks for the spec's times from backfillBase+from to
// backfillBase+to minutes.
func (f *scheduleFixture) backfill(t *testing.T, h client.ScheduleHandle, from, to int, policy enumspb.ScheduleOverlapPolicy) {
	t.Helper()
	err := h.Backfill(f.ctx, client.ScheduleBackfillOptions{Backfill: []client.ScheduleBackfill{{
		Start: backfillBase.Add(time.Duration(from) * time.Minute), End: backfillBase.Add(time.Duration(to) * time.Minute), Overlap: policy,
	}}})
	if err != nil {
		t.Fatalf("backfill: %v", err)
	}
}

// backfilledID is the id of the workflow backfilled for minute m.
func backfilledID(base string, m int) string {
	return base + "-" + backfillBase.Add(time.Duration(m)*time.Minute).Format(time.RFC3339)
}

// pausedEveryMinute creates a paused every-minute schedule whose actions
// only come from backfills and triggers.
func (f *scheduleFixture) pausedEveryMinute(t *testing.T, wfBase, mode string, overlap enumspb.ScheduleOverlapPolicy) client.ScheduleHandle {
	t.Helper()
	h, err := f.c.ScheduleClient().Create(f.ctx, client.ScheduleOptions{
		ID:      uniqueName(t, "sched"),
		Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Minute}}},
		Action:  f.action(wfBase, mode),
		Overlap: overlap,
		Paused:  true,
		Note:    "backfills only",
	})
	if err != nil {
		t.Fatalf("creating schedule: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(context.Background()) })
	return h
}

// TestScheduleLifecycle drives the SDK's schedule client through create,
// describe, list, count, update (and a stale conflict token), pause and
// unpause, trigger, matching times and delete.
func TestScheduleLifecycle(t *testing.T) {
	f := newScheduleFixture(t)
	sc := f.c.ScheduleClient()
	id := uniqueName(t, "life")
	wfBase := uniqueName(t, "lifewf")
	h, err := sc.Create(f.ctx, client.ScheduleOptions{
		ID: id,
		Spec: client.ScheduleSpec{
			Intervals: []client.ScheduleIntervalSpec{{Every: time.Hour, Offset: 15 * time.Minute}},
		},
		Action: f.action(wfBase, "quick"),
		Paused: true,
		Note:   "created paused",
		Memo:   map[string]any{"owner": "compat"},
	})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := sc.Create(f.ctx, client.ScheduleOptions{ID: id, Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Hour}}}, Action: f.action(wfBase, "quick")}); !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		t.Errorf("second Create with the same id: %v, want ErrScheduleAlreadyRunning", err)
	}

	d, err := h.Describe(f.ctx)
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	if !d.Schedule.State.Paused || d.Schedule.State.Note != "created paused" {
		t.Errorf("state %+v, want paused with the note", d.Schedule.State)
	}
	if got := d.Schedule.Spec.Intervals; len(got) != 1 || got[0].Every != time.Hour || got[0].Offset != 15*time.Minute {
		t.Errorf("intervals %+v", got)
	}
	if d.Schedule.Policy.Overlap != enumspb.SCHEDULE_OVERLAP_POLICY_SKIP || d.Schedule.Policy.CatchupWindow != 365*24*time.Hour {
		t.Errorf("default policies %+v, want SKIP and a one-year catch-up window", d.Schedule.Policy)
	}
	if len(d.Info.NextActionTimes) != 10 {
		t.Errorf("next action times %v, want 10", d.Info.NextActionTimes)
	}
	for _, at := range d.Info.NextActionTimes {
		if at.Minute() != 15 || at.Second() != 0 {
			t.Errorf("next action time %v is not at a quarter past", at)
		}
	}
	if d.Info.CreatedAt.IsZero() || d.Info.NumActions != 0 {
		t.Errorf("info %+v", d.Info)
	}
	raw := f.describe(t, id)
	if len(raw.GetConflictToken()) == 0 {
		t.Error("DescribeSchedule returned no conflict token")
	}

	// A stale conflict token is refused.
	stale := raw.GetConflictToken()
	if err := h.Pause(f.ctx, client.SchedulePauseOptions{Note: "still paused"}); err != nil {
		t.Fatalf("Pause: %v", err)
	}
	_, err = f.svc.UpdateSchedule(f.ctx, &workflowservice.UpdateScheduleRequest{
		Namespace: f.tg.Namespace, ScheduleId: id, Schedule: raw.GetSchedule(), ConflictToken: stale, RequestId: uniqueName(t, "req"),
	})
	// Temporal's CHASM scheduler refuses it as Sundial does; its older
	// workflow-backed one (the test server's) accepts the call and drops the
	// update.
	var fp *serviceerror.FailedPrecondition
	if !errors.As(rawError(err), &fp) || fp.Message != "mismatched conflict token" {
		if !targetIsTemporal() || err != nil {
			t.Errorf("update with a stale conflict token: %v, want FailedPrecondition mismatched conflict token", err)
		}
	}

	// Update through the SDK (which reads the current token).
	err = h.Update(f.ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		s.Spec.Intervals = []client.ScheduleIntervalSpec{{Every: 2 * time.Hour}}
		s.Policy.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	d, err = h.Describe(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Schedule.Spec.Intervals; len(got) != 1 || got[0].Every != 2*time.Hour || d.Schedule.Policy.Overlap != enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL {
		t.Errorf("after the update: intervals %+v overlap %v", got, d.Schedule.Policy.Overlap)
	}
	if d.Info.LastUpdateAt.IsZero() {
		t.Error("LastUpdateAt not set after an update")
	}

	if err := h.Unpause(f.ctx, client.ScheduleUnpauseOptions{Note: "go"}); err != nil {
		t.Fatalf("Unpause: %v", err)
	}
	if d, err = h.Describe(f.ctx); err != nil || d.Schedule.State.Paused || d.Schedule.State.Note != "go" {
		t.Errorf("after unpause: %+v %v", d.Schedule.State, err)
	}

	// Trigger starts the action now, named by the trigger time.
	before := time.Now().UTC().Truncate(time.Second)
	if err := h.Trigger(f.ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatalf("Trigger: %v", err)
	}
	info := f.waitInfo(t, id, "the triggered action", func(i *schedulepb.ScheduleInfo) bool {
		return i.GetActionCount() == 1 && len(i.GetRecentActions()) == 1
	})
	started := info.GetRecentActions()[0].GetStartWorkflowResult().GetWorkflowId()
	stamp, ok := strings.CutPrefix(started, wfBase+"-")
	at, perr := time.Parse(time.RFC3339, stamp)
	if !ok || perr != nil || at.Before(before.Add(-time.Second)) || at.After(before.Add(time.Minute)) {
		t.Errorf("triggered workflow id %q, want %s-<trigger time>", started, wfBase)
	}
	desc, err := f.c.DescribeWorkflowExecution(f.ctx, started, "")
	if err != nil {
		t.Fatal(err)
	}
	fields := desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()
	if p := fields["TemporalScheduledById"]; p == nil || !strings.Contains(string(p.GetData()), id) {
		t.Errorf("TemporalScheduledById of the started workflow: %v", p)
	}
	if fields["TemporalScheduledStartTime"] == nil {
		t.Error("the started workflow has no TemporalScheduledStartTime")
	}

	// Matching times of a two-hourly spec over a day.
	from := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	mt, err := f.svc.ListScheduleMatchingTimes(f.ctx, &workflowservice.ListScheduleMatchingTimesRequest{
		Namespace: f.tg.Namespace, ScheduleId: id, StartTime: timestamppb.New(from), EndTime: timestamppb.New(from.Add(24 * time.Hour)),
	})
	if err != nil {
		t.Fatalf("ListScheduleMatchingTimes: %v", err)
	}
	if n := len(mt.GetStartTime()); n < 12 || n > 13 {
		t.Errorf("%d matching times in a day of a two-hourly spec: %v", n, mt.GetStartTime())
	}

	// List and count see it (Temporal's visibility is eventually consistent).
	eventually(t, 30*time.Second, "the schedule listed", func() bool {
		it, err := sc.List(f.ctx, client.ScheduleListOptions{PageSize: 100})
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				t.Fatalf("List page: %v", err)
			}
			if e.ID == id {
				return e.WorkflowType.Name == "ScheduledTarget" && !e.Paused && e.Note == "go"
			}
		}
		return false
	})
	eventually(t, 30*time.Second, "the schedule counted", func() bool {
		n, err := f.svc.CountSchedules(f.ctx, &workflowservice.CountSchedulesRequest{Namespace: f.tg.Namespace})
		return err == nil && n.GetCount() >= 1
	})

	if err := h.Delete(f.ctx); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	eventually(t, 30*time.Second, "the deleted schedule gone", func() bool {
		_, err := h.Describe(f.ctx)
		var nf *serviceerror.NotFound
		return errors.As(err, &nf)
	})
}

// TestScheduleCreateIdempotent: a repeated CreateSchedule with the same
// request id succeeds; another request id conflicts.
func TestScheduleCreateIdempotent(t *testing.T) {
	f := newScheduleFixture(t)
	id := uniqueName(t, "idem")
	req := &workflowservice.CreateScheduleRequest{
		Namespace: f.tg.Namespace, ScheduleId: id, RequestId: uniqueName(t, "req"), Identity: "compat",
		Schedule: &schedulepb.Schedule{
			Spec:   &schedulepb.ScheduleSpec{CronString: []string{"0 12 * * *"}},
			Action: scheduleRawAction(f, uniqueName(t, "idemwf")),
			State:  &schedulepb.ScheduleState{Paused: true},
		},
	}
	if _, err := f.svc.CreateSchedule(f.ctx, req); err != nil {
		t.Fatalf("CreateSchedule: %v", err)
	}
	t.Cleanup(func() {
		_, _ = f.svc.DeleteSchedule(context.Background(), &workflowservice.DeleteScheduleRequest{Namespace: f.tg.Namespace, ScheduleId: id})
	})
	if _, err := f.svc.CreateSchedule(f.ctx, req); err != nil {
		t.Errorf("repeated CreateSchedule with the same request id: %v", err)
	}
	req.RequestId = uniqueName(t, "other")
	_, err := f.svc.CreateSchedule(f.ctx, req)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if !errors.As(rawError(err), &started) || !strings.Contains(started.Message, "already registered") {
		t.Errorf("CreateSchedule of a taken id: %v, want WorkflowExecutionAlreadyStarted ... already registered", err)
	}
	_, err = f.svc.DescribeSchedule(f.ctx, &workflowservice.DescribeScheduleRequest{Namespace: f.tg.Namespace, ScheduleId: uniqueName(t, "missing")})
	var nf *serviceerror.NotFound
	if !errors.As(rawError(err), &nf) {
		t.Errorf("DescribeSchedule of a missing schedule: %v, want NotFound", err)
	}
}

// scheduleRawAction is a raw ScheduledTarget action that completes at once.
func scheduleRawAction(f *scheduleFixture, wfID string) *schedulepb.ScheduleAction {
	input, err := converter.GetDefaultDataConverter().ToPayloads("quick")
	if err != nil {
		panic(err)
	}
	return &schedulepb.ScheduleAction{Action: &schedulepb.ScheduleAction_StartWorkflow{StartWorkflow: &workflowpb.NewWorkflowExecutionInfo{
		WorkflowId: wfID, WorkflowType: &commonpb.WorkflowType{Name: "ScheduledTarget"},
		TaskQueue: &taskqueuepb.TaskQueue{Name: f.queue}, Input: input,
	}}}
}

// TestScheduleOverlapPolicies backfills three minutes at once, and then
// more while a workflow runs, under each overlap policy.
func TestScheduleOverlapPolicies(t *testing.T) {
	f := newScheduleFixture(t)

	t.Run("Skip", func(t *testing.T) {
		wf := uniqueName(t, "skip")
		h := f.pausedEveryMinute(t, wf, "wait", enumspb.SCHEDULE_OVERLAP_POLICY_SKIP)
		f.backfill(t, h, 0, 2, enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED)
		info := f.waitInfo(t, h.GetID(), "one start, two skipped", func(i *schedulepb.ScheduleInfo) bool {
			return i.GetActionCount() == 1 && i.GetOverlapSkipped() == 2
		})
		if len(info.GetRunningWorkflows()) != 1 || info.GetRunningWorkflows()[0].GetWorkflowId() != backfilledID(wf, 0) {
			t.Errorf("running %v, want the first minute's", info.GetRunningWorkflows())
		}
		f.release(t, backfilledID(wf, 0), "ok")
		f.waitInfo(t, h.GetID(), "nothing running", func(i *schedulepb.ScheduleInfo) bool { return len(i.GetRunningWorkflows()) == 0 })
	})

	t.Run("BufferOne", func(t *testing.T) {
		wf := uniqueName(t, "one")
		h := f.pausedEveryMinute(t, wf, "wait", enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE)
		f.backfill(t, h, 0, 2, enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED)
		info := f.waitInfo(t, h.GetID(), "one start, one buffered, one skipped", func(i *schedulepb.ScheduleInfo) bool {
			return i.GetActionCount() == 1 && i.GetOverlapSkipped() == 1 && i.GetBufferSize() == 1
		})
		_ = info
		f.release(t, backfilledID(wf, 0), "ok")
		f.waitInfo(t, h.GetID(), "the buffered start taken", func(i *schedulepb.ScheduleInfo) bool {
			return i.GetActionCount() == 2 && i.GetBufferSize() == 0
		})
		f.waitStatus(t, backfilledID(wf, 1), enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING)
		f.release(t, backfilledID(wf, 1), "ok")
	})

	t.Run("BufferAll", func(t *testing.T) {
		wf := uniqueName(t, "all")
		h := f.pausedEveryMinute(t, wf, "wait", enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL)
		f.backfill(t, h, 0, 2, enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED)
		f.waitInfo(t, h.GetID(), "one start, two buffered", func(i *schedulepb.ScheduleInfo) bool {
			return i.GetActionCount() == 1 && i.GetBufferSize() == 2 && i.GetOverlapSkipped() == 0
		})
		for m := range 3 {
			f.waitStatus(t, backfilledID(wf, m), enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING)
			f.release(t, backfilledID(wf, m), "ok")
		}
		f.waitInfo(t, h.GetID(), "all three taken", func(i *schedulepb.ScheduleInfo) bool {
			return i.GetActionCount() == 3 && i.GetBufferSize() == 0 && len(i.GetRunningWorkflows()) == 0
		})
	})

	t.Run("CancelOther", func(t *testing.T) {
		wf := uniqueName(t, "cancel")
		h := f.pausedEveryMinute(t, wf, "wait", enumspb.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER)
		f.backfill(t, h, 0, 0, enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED)
		f.waitStatus(t, backfilledID(wf, 0), enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING)
		f.backfill(t, h, 1, 1, enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED)
		f.waitStatus(t, backfilledID(wf, 0), enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED)
		f.waitStatus(t, backfilledID(wf, 1), enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING)
		f.waitInfo(t, h.GetID(), "two actions, the second running", func(i *schedulepb.ScheduleInfo) bool {
			return i.GetActionCount() == 2 && len(i.GetRunningWorkflows()) == 1 && i.GetRunningWorkflows()[0].GetWorkflowId() == backfilledID(wf, 1)
		})
		f.release(t, backfilledID(wf, 1), "ok")
	})

	t.Run("TerminateOther", func(t *testing.T) {
		wf := uniqueName(t, "term")
		h := f.pausedEveryMinute(t, wf, "wait", enumspb.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER)
		f.backfill(t, h, 0, 0, enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED)
		f.waitStatus(t, backfilledID(wf, 0), enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING)
		f.backfill(t, h, 1, 1, enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED)
		f.waitStatus(t, backfilledID(wf, 0), enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED)
		f.waitStatus(t, backfilledID(wf, 1), enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING)
		f.waitInfo(t, h.GetID(), "two actions", func(i *schedulepb.ScheduleInfo) bool { return i.GetActionCount() == 2 })
		f.release(t, backfilledID(wf, 1), "ok")
	})

	t.Run("AllowAll", func(t *testing.T) {
		wf := uniqueName(t, "allow")
		h := f.pausedEveryMinute(t, wf, "wait", enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL)
		f.backfill(t, h, 0, 2, enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED)
		f.waitInfo(t, h.GetID(), "three starts", func(i *schedulepb.ScheduleInfo) bool { return i.GetActionCount() == 3 })
		for m := range 3 {
			f.waitStatus(t, backfilledID(wf, m), enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING)
			f.release(t, backfilledID(wf, m), "ok")
		}
	})

	t.Run("TriggerOverridesPolicy", func(t *testing.T) {
		wf := uniqueName(t, "trig")
		h := f.pausedEveryMinute(t, wf, "wait", enumspb.SCHEDULE_OVERLAP_POLICY_SKIP)
		f.backfill(t, h, 0, 0, enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED)
		f.waitStatus(t, backfilledID(wf, 0), enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING)
		if err := h.Trigger(f.ctx, client.ScheduleTriggerOptions{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER}); err != nil {
			t.Fatalf("Trigger: %v", err)
		}
		f.waitStatus(t, backfilledID(wf, 0), enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED)
		info := f.waitInfo(t, h.GetID(), "the triggered start", func(i *schedulepb.ScheduleInfo) bool { return i.GetActionCount() == 2 })
		last := info.GetRecentActions()[len(info.GetRecentActions())-1].GetStartWorkflowResult().GetWorkflowId()
		f.release(t, last, "ok")
	})
}

// TestSchedulePauseOnFailure: a failed workflow pauses a schedule whose
// policy asks, with Temporal's note.
func TestSchedulePauseOnFailure(t *testing.T) {
	f := newScheduleFixture(t)
	wf := uniqueName(t, "pof")
	h, err := f.c.ScheduleClient().Create(f.ctx, client.ScheduleOptions{
		ID:             uniqueName(t, "pof"),
		Spec:           client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: 24 * time.Hour}}},
		Action:         f.action(wf, "fail"),
		PauseOnFailure: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Delete(context.Background()) })
	if err := h.Trigger(f.ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	var d *client.ScheduleDescription
	eventually(t, 30*time.Second, "the schedule paused by the failure", func() bool {
		d, err = h.Describe(f.ctx)
		return err == nil && d.Schedule.State.Paused
	})
	if !strings.HasPrefix(d.Schedule.State.Note, "paused due to workflow failure: "+wf+"-") || !strings.HasSuffix(d.Schedule.State.Note, ": scheduled target failed on purpose") {
		t.Errorf("note %q", d.Schedule.State.Note)
	}
	if len(d.Info.RecentActions) != 1 || d.Info.RecentActions[0].StartWorkflowResult == nil {
		t.Fatalf("recent actions %+v", d.Info.RecentActions)
	}
	raw := f.describe(t, h.GetID())
	if st := raw.GetInfo().GetRecentActions()[0].GetStartWorkflowStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_FAILED {
		t.Errorf("recent action status %v, want FAILED", st)
	}
}

// TestScheduleLimitedActions: an every-second schedule with two remaining
// actions takes two and stops.
func TestScheduleLimitedActions(t *testing.T) {
	f := newScheduleFixture(t)
	wf := uniqueName(t, "limit")
	h, err := f.c.ScheduleClient().Create(f.ctx, client.ScheduleOptions{
		ID:               uniqueName(t, "limit"),
		Spec:             client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Second}}},
		Action:           f.action(wf, "quick"),
		RemainingActions: 2,
		Overlap:          enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Delete(context.Background()) })
	info := f.waitInfo(t, h.GetID(), "two actions and none remaining", func(i *schedulepb.ScheduleInfo) bool { return i.GetActionCount() >= 2 })
	d := f.describe(t, h.GetID())
	if d.GetSchedule().GetState().GetRemainingActions() != 0 || !d.GetSchedule().GetState().GetLimitedActions() {
		t.Errorf("state after two actions: %v", d.GetSchedule().GetState())
	}
	if len(d.GetInfo().GetFutureActionTimes()) != 0 {
		t.Errorf("future action times with no actions left: %v", d.GetInfo().GetFutureActionTimes())
	}
	// A witness schedule on the same every-second spec takes three actions
	// meanwhile; the limited one still has two.
	witness, err := f.c.ScheduleClient().Create(f.ctx, client.ScheduleOptions{
		ID:      uniqueName(t, "witness"),
		Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Second}}},
		Action:  f.action(uniqueName(t, "witness"), "quick"),
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = witness.Delete(context.Background()) })
	f.waitInfo(t, witness.GetID(), "three witness actions", func(i *schedulepb.ScheduleInfo) bool { return i.GetActionCount() >= 3 })
	if n := f.describe(t, h.GetID()).GetInfo().GetActionCount(); n != 2 {
		t.Fatalf("action count %d, want 2 (info %v)", n, info)
	}
}

// scheduleTeamAttr is the custom search attribute the list test sets on
// schedules.
var scheduleTeamAttr = temporal.NewSearchAttributeKeyKeyword("ScheduleTeam")

// TestScheduleListFilter: ListSchedules and CountSchedules filter on the
// schedule's search attributes and ScheduleId.
func TestScheduleListFilter(t *testing.T) {
	f := newScheduleFixture(t)
	marker := uniqueName(t, "m")
	if _, err := f.c.OperatorService().AddSearchAttributes(f.ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        f.tg.Namespace,
		SearchAttributes: map[string]enumspb.IndexedValueType{scheduleTeamAttr.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD},
	}); err != nil {
		var exists *serviceerror.AlreadyExists
		if !errors.As(err, &exists) {
			t.Fatalf("adding the %s search attribute: %v", scheduleTeamAttr.GetName(), err)
		}
	}
	var ids []string
	for i := range 3 {
		opts := client.ScheduleOptions{
			ID:     uniqueName(t, fmt.Sprintf("lf%d", i)),
			Spec:   client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Hour}}},
			Action: f.action(uniqueName(t, "lfwf"), "quick"),
			Paused: true,
		}
		if i < 2 {
			opts.TypedSearchAttributes = temporal.NewSearchAttributes(scheduleTeamAttr.ValueSet(marker))
		}
		h, err := f.c.ScheduleClient().Create(f.ctx, opts)
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		t.Cleanup(func() { _ = h.Delete(context.Background()) })
		ids = append(ids, h.GetID())
	}
	query := fmt.Sprintf("%s = '%s'", scheduleTeamAttr.GetName(), marker)
	eventually(t, 30*time.Second, "two schedules match the query", func() bool {
		n, err := f.svc.CountSchedules(f.ctx, &workflowservice.CountSchedulesRequest{Namespace: f.tg.Namespace, Query: query})
		return err == nil && n.GetCount() == 2
	})
	var got []string
	var token []byte
	for {
		page, err := f.svc.ListSchedules(f.ctx, &workflowservice.ListSchedulesRequest{Namespace: f.tg.Namespace, Query: query, MaximumPageSize: 1, NextPageToken: token})
		if err != nil {
			t.Fatalf("ListSchedules: %v", err)
		}
		for _, e := range page.GetSchedules() {
			got = append(got, e.GetScheduleId())
		}
		if token = page.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	slices.Sort(got)
	want := slices.Clone(ids[:2])
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v", got, want)
	}
}

// TestScheduleValidation: malformed schedules are refused with Temporal's
// codes and texts.
func TestScheduleValidation(t *testing.T) {
	f := newScheduleFixture(t)
	create := func(id string, s *schedulepb.Schedule) error {
		_, err := f.svc.CreateSchedule(f.ctx, &workflowservice.CreateScheduleRequest{Namespace: f.tg.Namespace, ScheduleId: id, Schedule: s, RequestId: uniqueName(t, "req")})
		return rawError(err)
	}
	action := scheduleRawAction(f, uniqueName(t, "valwf"))
	var invalid *serviceerror.InvalidArgument
	// Temporal's own text here comes from the workflow it would start
	// ("WorkflowId not set"); Sundial answers with Temporal's
	// errScheduleIDNotSet.
	if err := create("", &schedulepb.Schedule{Action: action}); !errors.As(err, &invalid) || (!targetIsTemporal() && invalid.Message != "ScheduleId is not set on request.") {
		t.Errorf("no schedule id: %v", err)
	}
	cron := scheduleRawAction(f, uniqueName(t, "valwf"))
	cron.GetStartWorkflow().CronSchedule = "* * * * *"
	if err := create(uniqueName(t, "v"), &schedulepb.Schedule{Action: cron}); !errors.As(err, &invalid) || invalid.Message != "Scheduled workflow must not contain CronSchedule" {
		t.Errorf("cron in the action: %v", err)
	}
	bad := &schedulepb.Schedule{Action: action, Spec: &schedulepb.ScheduleSpec{CronString: []string{"not a cron"}}}
	if err := create(uniqueName(t, "v"), bad); !errors.As(err, &invalid) {
		t.Errorf("a malformed cron string: %v, want InvalidArgument", err)
	}
	_, err := f.svc.PatchSchedule(f.ctx, &workflowservice.PatchScheduleRequest{Namespace: f.tg.Namespace, ScheduleId: uniqueName(t, "v")})
	if err = rawError(err); !errors.As(err, &invalid) || invalid.Message != "Patch is not set on request." {
		t.Errorf("patch without a patch: %v", err)
	}
}
