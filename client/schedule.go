package client

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// ScheduleSpec says when a schedule acts: intervals, calendars, cron strings,
// exclusions, start and end times, jitter and time zone (Temporal's message).
type ScheduleSpec = schedulepb.ScheduleSpec

// ScheduleListEntry is one schedule in List results.
type ScheduleListEntry = schedulepb.ScheduleListEntry

// ScheduleDescription is what Describe returns: the schedule (with its spec in
// canonical form), its info (action counts, recent and future actions,
// running workflows), memo, search attributes and conflict token.
type ScheduleDescription = workflowservice.DescribeScheduleResponse

// ScheduleClient creates, finds and lists the schedules of the client's
// namespace.
type ScheduleClient struct {
	c *Client
}

// ScheduleClient returns the schedule client of c.
func (c *Client) ScheduleClient() *ScheduleClient { return &ScheduleClient{c: c} }

// ScheduleOptions configure Create.
type ScheduleOptions struct {
	// ID is the schedule id; required.
	ID string
	// Spec says when the schedule acts; required.
	Spec *ScheduleSpec
	// Action is what the schedule does at each action time; required. Make
	// one with StartWorkflowAction (typed) or ScheduleWorkflowAction.
	Action ScheduleAction
	// Overlap decides what happens when an action is due while the previous
	// one's workflow still runs; the server's default skips it.
	Overlap enumspb.ScheduleOverlapPolicy
	// CatchupWindow is how late a missed action may still be taken after the
	// server was down; the server's default is a year.
	CatchupWindow time.Duration
	// PauseOnFailure pauses the schedule when a workflow it started fails.
	PauseOnFailure bool
	// KeepOriginalWorkflowID starts workflows with the action's id as is,
	// instead of appending the action time.
	KeepOriginalWorkflowID bool
	// Paused creates the schedule paused, with Note as the reason.
	Paused bool
	// Note is the schedule's notes, such as why it is paused.
	Note string
	// RemainingActions, when positive, limits the schedule to that many
	// scheduled actions.
	RemainingActions int64
	// TriggerImmediately takes one action as soon as the schedule exists.
	TriggerImmediately bool
	// Backfills take the actions of past periods as soon as the schedule exists.
	Backfills []ScheduleBackfill
	// Memo is non-indexed data shown with the schedule, encoded with the
	// DataConverter.
	Memo map[string]any
	// SearchAttributes are indexed values for List queries.
	SearchAttributes map[string]any
	// RequestID deduplicates retried creates; a random UUID when empty.
	RequestID string
}

// ScheduleBackfill asks a schedule to take, now, the actions it would have
// taken after Start and up to End.
type ScheduleBackfill struct {
	Start, End time.Time
	// Overlap overrides the schedule's overlap policy for these actions.
	Overlap enumspb.ScheduleOverlapPolicy
}

// Create creates a schedule and returns its handle. A schedule with the same
// id gives the server's *serviceerror.WorkflowExecutionAlreadyStarted.
func (s *ScheduleClient) Create(ctx context.Context, opts ScheduleOptions) (*ScheduleHandle, error) {
	req, err := s.createRequest(opts)
	if err != nil {
		return nil, fmt.Errorf("creating schedule %q: %w", opts.ID, err)
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	if _, err := s.c.service.CreateSchedule(ctx, req); err != nil {
		return nil, fmt.Errorf("creating schedule %q: %w", opts.ID, err)
	}
	return s.GetHandle(opts.ID), nil
}

// createRequest builds the CreateSchedule request.
func (s *ScheduleClient) createRequest(opts ScheduleOptions) (*workflowservice.CreateScheduleRequest, error) {
	if opts.ID == "" {
		return nil, errors.New("the schedule id is empty")
	}
	if opts.Spec == nil {
		return nil, errors.New("the schedule has no spec")
	}
	if opts.Action == nil {
		return nil, errors.New("the schedule has no action")
	}
	action, err := opts.Action.scheduleAction(s.c, opts.ID)
	if err != nil {
		return nil, err
	}
	memo, err := encodeMemo(s.c.opts.DataConverter, opts.Memo)
	if err != nil {
		return nil, err
	}
	searchAttributes, err := encodeSearchAttributes(opts.SearchAttributes)
	if err != nil {
		return nil, err
	}
	requestID := opts.RequestID
	if requestID == "" {
		requestID = newUUID()
	}
	var patch *schedulepb.SchedulePatch
	if opts.TriggerImmediately || len(opts.Backfills) > 0 {
		patch = &schedulepb.SchedulePatch{BackfillRequest: backfillRequests(opts.Backfills)}
		if opts.TriggerImmediately {
			patch.TriggerImmediately = &schedulepb.TriggerImmediatelyRequest{OverlapPolicy: opts.Overlap}
		}
	}
	return &workflowservice.CreateScheduleRequest{
		Namespace:  s.c.opts.Namespace,
		ScheduleId: opts.ID,
		Schedule: &schedulepb.Schedule{
			Spec:   opts.Spec,
			Action: action,
			Policies: &schedulepb.SchedulePolicies{
				OverlapPolicy:          opts.Overlap,
				CatchupWindow:          durationOrNil(opts.CatchupWindow),
				PauseOnFailure:         opts.PauseOnFailure,
				KeepOriginalWorkflowId: opts.KeepOriginalWorkflowID,
			},
			State: &schedulepb.ScheduleState{
				Notes:            opts.Note,
				Paused:           opts.Paused,
				LimitedActions:   opts.RemainingActions > 0,
				RemainingActions: max(opts.RemainingActions, 0),
			},
		},
		InitialPatch:     patch,
		Identity:         s.c.opts.Identity,
		RequestId:        requestID,
		Memo:             memo,
		SearchAttributes: searchAttributes,
	}, nil
}

func backfillRequests(backfills []ScheduleBackfill) []*schedulepb.BackfillRequest {
	out := make([]*schedulepb.BackfillRequest, 0, len(backfills))
	for _, b := range backfills {
		out = append(out, &schedulepb.BackfillRequest{
			StartTime:     timestamppb.New(b.Start),
			EndTime:       timestamppb.New(b.End),
			OverlapPolicy: b.Overlap,
		})
	}
	return out
}

// GetHandle returns a handle to the schedule with the given id; it does not
// check that the schedule exists.
func (s *ScheduleClient) GetHandle(id string) *ScheduleHandle {
	return &ScheduleHandle{c: s.c, id: id}
}

// List returns the schedules matching query, in the visibility query
// language (empty matches every schedule), fetching pages as the loop asks
// for more. An error ends the sequence.
func (s *ScheduleClient) List(ctx context.Context, query string) iter.Seq2[*ScheduleListEntry, error] {
	return func(yield func(*ScheduleListEntry, error) bool) {
		var token []byte
		for {
			resp, err := s.listPage(ctx, query, token)
			if err != nil {
				yield(nil, fmt.Errorf("listing schedules matching %q: %w", query, err))
				return
			}
			for _, entry := range resp.GetSchedules() {
				if !yield(entry, nil) {
					return
				}
			}
			if token = resp.GetNextPageToken(); len(token) == 0 {
				return
			}
		}
	}
}

func (s *ScheduleClient) listPage(ctx context.Context, query string, token []byte) (*workflowservice.ListSchedulesResponse, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	return s.c.service.ListSchedules(ctx, &workflowservice.ListSchedulesRequest{
		Namespace:     s.c.opts.Namespace,
		Query:         query,
		NextPageToken: token,
	})
}
