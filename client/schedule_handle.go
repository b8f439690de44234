package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// ScheduleHandle acts on one schedule.
type ScheduleHandle struct {
	c  *Client
	id string
}

// ID returns the schedule id.
func (h *ScheduleHandle) ID() string { return h.id }

// Describe returns the schedule, its info, memo and search attributes.
func (h *ScheduleHandle) Describe(ctx context.Context) (*ScheduleDescription, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := h.c.service.DescribeSchedule(ctx, &workflowservice.DescribeScheduleRequest{
		Namespace:  h.c.opts.Namespace,
		ScheduleId: h.id,
	})
	if err != nil {
		return nil, fmt.Errorf("describing schedule %q: %w", h.id, err)
	}
	return resp, nil
}

// ErrScheduleUpdateSkipped may be returned by an Update function to leave
// the schedule as it is; Update then returns nil.
var ErrScheduleUpdateSkipped = errors.New("schedule update skipped")

// Update reads the schedule, calls update with a copy of it and writes back
// what update returns, failing (with the server's error) if the schedule
// changed in between. update may change its argument and return it.
//
//	err := handle.Update(ctx, func(s *schedulepb.Schedule) (*schedulepb.Schedule, error) {
//		s.Policies.OverlapPolicy = enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE
//		return s, nil
//	})
func (h *ScheduleHandle) Update(ctx context.Context, update func(current *schedulepb.Schedule) (*schedulepb.Schedule, error)) error {
	desc, err := h.Describe(ctx)
	if err != nil {
		return fmt.Errorf("updating schedule %q: %w", h.id, err)
	}
	next, err := update(proto.Clone(desc.GetSchedule()).(*schedulepb.Schedule))
	if errors.Is(err, ErrScheduleUpdateSkipped) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("updating schedule %q: %w", h.id, err)
	}
	if next == nil {
		return fmt.Errorf("updating schedule %q: the update function returned no schedule", h.id)
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err = h.c.service.UpdateSchedule(ctx, &workflowservice.UpdateScheduleRequest{
		Namespace:     h.c.opts.Namespace,
		ScheduleId:    h.id,
		Schedule:      next,
		ConflictToken: desc.GetConflictToken(),
		Identity:      h.c.opts.Identity,
		RequestId:     newUUID(),
	})
	if err != nil {
		return fmt.Errorf("updating schedule %q: %w", h.id, err)
	}
	return nil
}

// Trigger takes one action now; overlap overrides the schedule's overlap
// policy for it (unspecified keeps the schedule's).
func (h *ScheduleHandle) Trigger(ctx context.Context, overlap enumspb.ScheduleOverlapPolicy) error {
	return h.patch(ctx, "triggering", &schedulepb.SchedulePatch{
		TriggerImmediately: &schedulepb.TriggerImmediatelyRequest{OverlapPolicy: overlap},
	})
}

// Backfill takes, now, the actions the schedule would have taken in the
// given periods.
func (h *ScheduleHandle) Backfill(ctx context.Context, backfills ...ScheduleBackfill) error {
	if len(backfills) == 0 {
		return nil
	}
	return h.patch(ctx, "backfilling", &schedulepb.SchedulePatch{BackfillRequest: backfillRequests(backfills)})
}

// Pause stops the schedule from taking scheduled actions; note says why
// (Temporal's default note when empty).
func (h *ScheduleHandle) Pause(ctx context.Context, note string) error {
	if note == "" {
		note = "Paused via Go SDK"
	}
	return h.patch(ctx, "pausing", &schedulepb.SchedulePatch{Pause: note})
}

// Unpause resumes a paused schedule; note replaces its notes (Temporal's
// default note when empty).
func (h *ScheduleHandle) Unpause(ctx context.Context, note string) error {
	if note == "" {
		note = "Unpaused via Go SDK"
	}
	return h.patch(ctx, "unpausing", &schedulepb.SchedulePatch{Unpause: note})
}

func (h *ScheduleHandle) patch(ctx context.Context, doing string, patch *schedulepb.SchedulePatch) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err := h.c.service.PatchSchedule(ctx, &workflowservice.PatchScheduleRequest{
		Namespace:  h.c.opts.Namespace,
		ScheduleId: h.id,
		Patch:      patch,
		Identity:   h.c.opts.Identity,
		RequestId:  newUUID(),
	})
	if err != nil {
		return fmt.Errorf("%s schedule %q: %w", doing, h.id, err)
	}
	return nil
}

// Delete deletes the schedule; workflows it started keep running.
func (h *ScheduleHandle) Delete(ctx context.Context) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err := h.c.service.DeleteSchedule(ctx, &workflowservice.DeleteScheduleRequest{
		Namespace:  h.c.opts.Namespace,
		ScheduleId: h.id,
		Identity:   h.c.opts.Identity,
	})
	if err != nil {
		return fmt.Errorf("deleting schedule %q: %w", h.id, err)
	}
	return nil
}

// MatchingTimes returns the times the schedule would act after start and up
// to end, as the server computes them.
func (h *ScheduleHandle) MatchingTimes(ctx context.Context, start, end time.Time) ([]time.Time, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := h.c.service.ListScheduleMatchingTimes(ctx, &workflowservice.ListScheduleMatchingTimesRequest{
		Namespace:  h.c.opts.Namespace,
		ScheduleId: h.id,
		StartTime:  timestamppb.New(start),
		EndTime:    timestamppb.New(end),
	})
	if err != nil {
		return nil, fmt.Errorf("listing matching times of schedule %q: %w", h.id, err)
	}
	out := make([]time.Time, 0, len(resp.GetStartTime()))
	for _, t := range resp.GetStartTime() {
		out = append(out, t.AsTime())
	}
	return out, nil
}
