package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/schedule/spec"
	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/uuid"
)

// maxMatchingTimes is how many times ListScheduleMatchingTimes returns at
// most, as Temporal's maxListMatchingTimesCount.
const maxMatchingTimes = 1000

// errScheduleNotFound is Temporal's answer for a schedule that does not
// exist.
func errScheduleNotFound() error { return serviceerror.NewNotFound("schedule not found") }

func newScheduleStateProto() *schedulepb.ScheduleState { return &schedulepb.ScheduleState{} }

// withScheduleDefaults fills the fields Temporal fills eagerly, so they
// show in DescribeSchedule: the overlap policy and the catch-up window.
func withScheduleDefaults(s *schedulepb.Schedule) *schedulepb.Schedule {
	s = proto.Clone(s).(*schedulepb.Schedule)
	if s.Spec == nil {
		s.Spec = &schedulepb.ScheduleSpec{}
	}
	if s.Action == nil {
		s.Action = &schedulepb.ScheduleAction{}
	}
	if s.Policies == nil {
		s.Policies = &schedulepb.SchedulePolicies{}
	}
	if s.State == nil {
		s.State = newScheduleStateProto()
	}
	st := &scheduleState{schedule: s}
	s.Policies.OverlapPolicy = st.overlapPolicy(s.Policies.OverlapPolicy)
	s.Policies.CatchupWindow = durationpb.New(st.catchupWindow())
	return s
}

// CreateSchedule records a schedule and arms it. A repeat of the request
// (same request id) answers as the first did.
func (e *Engine) CreateSchedule(ctx context.Context, req *workflowservice.CreateScheduleRequest) (*workflowservice.CreateScheduleResponse, error) {
	ns, err := e.namespace(ctx, req.GetNamespace())
	if err != nil {
		return nil, err
	}
	if _, err := spec.Compile(req.GetSchedule().GetSpec(), ns.id+"-"+req.GetScheduleId()); err != nil {
		return nil, err
	}
	k := scheduleKey{ns.id, req.GetScheduleId()}
	unlock := e.schedules.lock(k)
	defer unlock()
	alreadyRegistered := func() error {
		return serviceerror.NewWorkflowExecutionAlreadyStarted(fmt.Sprintf("schedule %q is already registered", req.GetScheduleId()), "", "")
	}
	if _, old, err := e.loadSchedule(ctx, k); err == nil {
		if req.GetRequestId() != "" && old.CreateRequestID == req.GetRequestId() {
			return &workflowservice.CreateScheduleResponse{ConflictToken: old.conflictToken()}, nil
		}
		return nil, alreadyRegistered()
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, unavailable("reading the schedule", err)
	}
	now := e.clock.Now()
	st := &scheduleState{
		schedule:        withScheduleDefaults(req.GetSchedule()),
		CreateRequestID: req.GetRequestId(),
		CreateTime:      now,
		Generation:      uuid.NewRandom(),
		ConflictToken:   1,
		Processed:       now,
	}
	if req.GetMemo() != nil {
		if st.Memo, err = proto.Marshal(req.GetMemo()); err != nil {
			return nil, fmt.Errorf("encoding the schedule's memo: %w", err)
		}
	}
	if req.GetSearchAttributes() != nil {
		if st.SearchAttributes, err = proto.Marshal(req.GetSearchAttributes()); err != nil {
			return nil, fmt.Errorf("encoding the schedule's search attributes: %w", err)
		}
	}
	if p := req.GetInitialPatch(); p != nil {
		if err := e.applySchedulePatch(k, st, p, now); err != nil {
			return nil, err
		}
	}
	data, err := st.encode()
	if err != nil {
		return nil, err
	}
	rec := &store.Record{NamespaceID: ns.id, Kind: scheduleRecordKind, ID: k.id, Data: data}
	if err := e.store.Write(ctx, &store.Transition{Records: []store.RecordWrite{{Record: rec}}}); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return nil, alreadyRegistered()
		}
		return nil, unavailable("recording the schedule", err)
	}
	e.schedules.arm(k, now)
	return &workflowservice.CreateScheduleResponse{ConflictToken: st.conflictToken()}, nil
}

// readSchedule reads one schedule of a namespace.
func (e *Engine) readSchedule(ctx context.Context, namespace, id string) (scheduleKey, *store.Record, *scheduleState, error) {
	ns, err := e.namespace(ctx, namespace)
	if err != nil {
		return scheduleKey{}, nil, nil, err
	}
	k := scheduleKey{ns.id, id}
	rec, st, err := e.loadSchedule(ctx, k)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return k, nil, nil, errScheduleNotFound()
	case err != nil:
		return k, nil, nil, unavailable("reading the schedule", err)
	}
	return k, rec, st, nil
}

// DescribeSchedule returns a schedule, its canonical spec, its info and
// its conflict token.
func (e *Engine) DescribeSchedule(ctx context.Context, req *workflowservice.DescribeScheduleRequest) (*workflowservice.DescribeScheduleResponse, error) {
	k, _, st, err := e.readSchedule(ctx, req.GetNamespace(), req.GetScheduleId())
	if err != nil {
		return nil, err
	}
	sched := proto.Clone(st.schedule).(*schedulepb.Schedule)
	if canonical, err := spec.Canonical(sched.GetSpec()); err == nil {
		sched.Spec = canonical
	}
	info := &schedulepb.ScheduleInfo{
		ActionCount:         st.ActionCount,
		MissedCatchupWindow: st.MissedCatchupWindow,
		OverlapSkipped:      st.OverlapSkipped,
		BufferDropped:       st.BufferDropped,
		BufferSize:          int64(len(st.Buffer)),
		RecentActions:       st.recentActions(scheduleRecentActions),
		FutureActionTimes:   e.futureActionTimes(k, st, scheduleFutureActions),
		CreateTime:          timestamppb.New(st.CreateTime),
	}
	if !st.UpdateTime.IsZero() {
		info.UpdateTime = timestamppb.New(st.UpdateTime)
	}
	for _, r := range st.Running {
		info.RunningWorkflows = append(info.RunningWorkflows, &commonpb.WorkflowExecution{WorkflowId: r.WorkflowID, RunId: r.RunID})
	}
	return &workflowservice.DescribeScheduleResponse{
		Schedule:         sched,
		Info:             info,
		Memo:             st.memo(),
		SearchAttributes: st.searchAttributes(),
		ConflictToken:    st.conflictToken(),
	}, nil
}

// futureActionTimes is the schedule's next n action times (fewer when its
// actions are limited).
func (e *Engine) futureActionTimes(k scheduleKey, st *scheduleState, n int) []*timestamppb.Timestamp {
	sp, err := e.schedules.compiled(k, st)
	if err != nil {
		return nil
	}
	if state := st.schedule.GetState(); state.GetLimitedActions() {
		n = min(n, int(max(0, state.GetRemainingActions())))
	}
	out := make([]*timestamppb.Timestamp, 0, n)
	t := st.Processed
	for len(out) < n {
		nominal, actual, ok := sp.Next(t)
		if !ok {
			break
		}
		out = append(out, timestamppb.New(actual))
		t = nominal
	}
	return out
}

// UpdateSchedule replaces a schedule's spec, action, policies and state
// (and its search attributes and memo when given), if the conflict token,
// when given, is current.
func (e *Engine) UpdateSchedule(ctx context.Context, req *workflowservice.UpdateScheduleRequest) (*workflowservice.UpdateScheduleResponse, error) {
	ns, err := e.namespace(ctx, req.GetNamespace())
	if err != nil {
		return nil, err
	}
	if _, err := spec.Compile(req.GetSchedule().GetSpec(), ns.id+"-"+req.GetScheduleId()); err != nil {
		return nil, err
	}
	err = e.changeSchedule(ctx, req.GetNamespace(), req.GetScheduleId(), func(k scheduleKey, st *scheduleState, now time.Time) error {
		if tok := req.GetConflictToken(); len(tok) >= 8 {
			if v := int64(binary.BigEndian.Uint64(tok)); v != 0 && v != st.ConflictToken {
				return serviceerror.NewFailedPrecondition("mismatched conflict token")
			}
		}
		st.schedule = withScheduleDefaults(req.GetSchedule())
		if req.GetSearchAttributes() != nil {
			b, err := proto.Marshal(req.GetSearchAttributes())
			if err != nil {
				return fmt.Errorf("encoding the schedule's search attributes: %w", err)
			}
			st.SearchAttributes = b
		}
		if req.GetMemo() != nil {
			b, err := proto.Marshal(req.GetMemo())
			if err != nil {
				return fmt.Errorf("encoding the schedule's memo: %w", err)
			}
			st.Memo = b
		}
		// Times before the update are not taken under the new spec.
		if st.Processed.Before(now) {
			st.Processed = now
		}
		st.UpdateTime = now
		st.ConflictToken++
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &workflowservice.UpdateScheduleResponse{}, nil
}

// PatchSchedule triggers an action now, buffers backfills, or pauses or
// unpauses the schedule.
func (e *Engine) PatchSchedule(ctx context.Context, req *workflowservice.PatchScheduleRequest) (*workflowservice.PatchScheduleResponse, error) {
	err := e.changeSchedule(ctx, req.GetNamespace(), req.GetScheduleId(), func(k scheduleKey, st *scheduleState, now time.Time) error {
		return e.applySchedulePatch(k, st, req.GetPatch(), now)
	})
	if err != nil {
		return nil, err
	}
	return &workflowservice.PatchScheduleResponse{}, nil
}

// changeSchedule reads a schedule, lets change modify it, saves it and
// makes it look at itself at once.
func (e *Engine) changeSchedule(ctx context.Context, namespace, id string, change func(k scheduleKey, st *scheduleState, now time.Time) error) error {
	ns, err := e.namespace(ctx, namespace)
	if err != nil {
		return err
	}
	k := scheduleKey{ns.id, id}
	unlock := e.schedules.lock(k)
	defer unlock()
	_, rec, st, err := e.readSchedule(ctx, namespace, id)
	if err != nil {
		return err
	}
	now := e.clock.Now()
	if err := change(k, st, now); err != nil {
		return err
	}
	if err := e.saveSchedule(ctx, rec, st); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errScheduleNotFound()
		}
		return unavailable("saving the schedule", err)
	}
	e.schedules.arm(k, now)
	return nil
}

// applySchedulePatch applies a patch to st: a trigger and backfills are
// buffered as manual starts (which pausing and limits do not hold back).
func (e *Engine) applySchedulePatch(k scheduleKey, st *scheduleState, p *schedulepb.SchedulePatch, now time.Time) error {
	if t := p.GetTriggerImmediately(); t != nil {
		at := now
		if t.GetScheduledTime() != nil {
			at = t.GetScheduledTime().AsTime()
		}
		st.ManualSeq++
		st.buffer(bufferedStart{Nominal: at, Actual: at, Overlap: t.GetOverlapPolicy(), Manual: true, Seq: st.ManualSeq})
	}
	if len(p.GetBackfillRequest()) > 0 {
		sp, err := spec.Compile(st.schedule.GetSpec(), k.nsID+"-"+k.id)
		if err != nil {
			return err
		}
		for _, b := range p.GetBackfillRequest() {
			// The start is inclusive, as in Temporal.
			t, end := b.GetStartTime().AsTime().Add(-time.Millisecond), b.GetEndTime().AsTime()
			for {
				nominal, actual, ok := sp.Next(t)
				if !ok || actual.After(end) {
					break
				}
				t = nominal
				if len(st.Buffer) >= scheduleMaxBuffer {
					st.BufferDropped++
					break
				}
				st.ManualSeq++
				st.buffer(bufferedStart{Nominal: nominal, Actual: actual, Overlap: b.GetOverlapPolicy(), Manual: true, Seq: st.ManualSeq})
			}
		}
	}
	if st.schedule.State == nil {
		st.schedule.State = newScheduleStateProto()
	}
	if p.GetPause() != "" {
		st.schedule.State.Paused, st.schedule.State.Notes = true, p.GetPause()
		st.ConflictToken++
	}
	if p.GetUnpause() != "" {
		st.schedule.State.Paused, st.schedule.State.Notes = false, p.GetUnpause()
		st.ConflictToken++
	}
	return nil
}

// DeleteSchedule deletes a schedule; the workflows it started keep running.
func (e *Engine) DeleteSchedule(ctx context.Context, req *workflowservice.DeleteScheduleRequest) (*workflowservice.DeleteScheduleResponse, error) {
	ns, err := e.namespace(ctx, req.GetNamespace())
	if err != nil {
		return nil, err
	}
	if err := e.deleteScheduleRecord(ctx, scheduleKey{ns.id, req.GetScheduleId()}); err != nil {
		return nil, err
	}
	return &workflowservice.DeleteScheduleResponse{}, nil
}

// deleteScheduleRecord deletes one stored schedule and forgets its timers.
func (e *Engine) deleteScheduleRecord(ctx context.Context, k scheduleKey) error {
	unlock := e.schedules.lock(k)
	defer unlock()
	rec, st, err := e.loadSchedule(ctx, k)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errScheduleNotFound()
	case err != nil:
		return unavailable("reading the schedule", err)
	}
	del := store.RecordWrite{Record: &store.Record{NamespaceID: k.nsID, Kind: scheduleRecordKind, ID: k.id}, ExpectedVersion: rec.Version, Delete: true}
	if err := e.store.Write(ctx, &store.Transition{Records: []store.RecordWrite{del}}); err != nil {
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
			return errScheduleNotFound()
		}
		return unavailable("deleting the schedule", err)
	}
	e.schedules.forget(k, st)
	return nil
}

// ListScheduleMatchingTimes lists the times a schedule's spec matches in a
// range, at most maxMatchingTimes.
func (e *Engine) ListScheduleMatchingTimes(ctx context.Context, req *workflowservice.ListScheduleMatchingTimesRequest) (*workflowservice.ListScheduleMatchingTimesResponse, error) {
	k, _, st, err := e.readSchedule(ctx, req.GetNamespace(), req.GetScheduleId())
	if err != nil {
		return nil, err
	}
	sp, err := e.schedules.compiled(k, st)
	if err != nil {
		return nil, err
	}
	resp := &workflowservice.ListScheduleMatchingTimesResponse{}
	for _, t := range sp.MatchingTimes(req.GetStartTime().AsTime(), req.GetEndTime().AsTime(), maxMatchingTimes) {
		resp.StartTime = append(resp.StartTime, timestamppb.New(t))
	}
	return resp, nil
}
