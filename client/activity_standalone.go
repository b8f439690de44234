package client

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	activitypb "go.temporal.io/api/activity/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial"
)

// StartActivityOptions configure a standalone activity: one a client starts
// directly, without a workflow (StartActivity, ExecuteActivity). Its worker
// runs it like any activity; retries, timeouts and heartbeats work as for an
// activity a workflow scheduled.
type StartActivityOptions struct {
	// ID identifies the activity in its namespace; required.
	ID string
	// TaskQueue is the queue the activity's tasks go to; required.
	TaskQueue string
	// ScheduleToCloseTimeout bounds the whole activity, retries included.
	// This or StartToCloseTimeout is required.
	ScheduleToCloseTimeout time.Duration
	// ScheduleToStartTimeout bounds how long an attempt waits for a worker.
	ScheduleToStartTimeout time.Duration
	// StartToCloseTimeout bounds one attempt.
	StartToCloseTimeout time.Duration
	// HeartbeatTimeout is the longest a running attempt may go without a heartbeat.
	HeartbeatTimeout time.Duration
	// RetryPolicy retries failed attempts; nil means the server's default
	// policy (retry with backoff, without an attempt limit).
	RetryPolicy *sundial.RetryPolicy
	// IDReusePolicy decides whether the id of a closed activity may be reused
	// (default: allowed).
	IDReusePolicy enumspb.ActivityIdReusePolicy
	// IDConflictPolicy decides what happens when an activity with the id is
	// running (default: the start fails with
	// *serviceerror.ActivityExecutionAlreadyStarted).
	IDConflictPolicy enumspb.ActivityIdConflictPolicy
	// SearchAttributes are indexed values for ListActivities/CountActivities
	// queries, encoded with the default data converter.
	SearchAttributes map[string]any
	// StartDelay postpones the first attempt.
	StartDelay time.Duration
	// Priority orders the activity's tasks.
	Priority *sundial.Priority
	// RequestID deduplicates retried starts; a random UUID when empty.
	RequestID string
}

// ActivityHandle is a handle to a standalone activity.
type ActivityHandle struct {
	client       *Client
	id, runID    string
	activityType string
}

// ID is the activity id.
func (h *ActivityHandle) ID() string { return h.id }

// RunID is the activity's run id; empty for a handle to the latest run of
// an id (GetActivity with no run id).
func (h *ActivityHandle) RunID() string { return h.runID }

// StartActivity starts a standalone activity of the given type with args and
// returns a handle to it.
func (c *Client) StartActivity(ctx context.Context, opts StartActivityOptions, activityType string, args ...any) (*ActivityHandle, error) {
	req, err := c.startActivityRequest(opts, activityType, args)
	if err != nil {
		return nil, fmt.Errorf("starting activity %q: %w", activityType, err)
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := c.service.StartActivityExecution(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("starting activity %q id %q: %w", activityType, opts.ID, err)
	}
	return &ActivityHandle{client: c, id: opts.ID, runID: resp.GetRunId(), activityType: activityType}, nil
}

// GetActivity returns a handle to a standalone activity; an empty runID
// means the id's latest run.
func (c *Client) GetActivity(activityID, runID string) *ActivityHandle {
	return &ActivityHandle{client: c, id: activityID, runID: runID}
}

func (c *Client) startActivityRequest(opts StartActivityOptions, activityType string, args []any) (*workflowservice.StartActivityExecutionRequest, error) {
	switch {
	case activityType == "":
		return nil, errors.New("activity type is empty")
	case opts.ID == "":
		return nil, errors.New("the activity id is required")
	case opts.TaskQueue == "":
		return nil, errors.New("the task queue is required")
	case opts.ScheduleToCloseTimeout <= 0 && opts.StartToCloseTimeout <= 0:
		return nil, errors.New("a ScheduleToCloseTimeout or StartToCloseTimeout is required")
	}
	input, err := c.opts.DataConverter.ToPayloads(args...)
	if err != nil {
		return nil, fmt.Errorf("encoding arguments: %w", err)
	}
	attrs, err := encodeSearchAttributes(opts.SearchAttributes)
	if err != nil {
		return nil, err
	}
	requestID := opts.RequestID
	if requestID == "" {
		requestID = newUUID()
	}
	req := &workflowservice.StartActivityExecutionRequest{
		Namespace:              c.opts.Namespace,
		Identity:               c.opts.Identity,
		RequestId:              requestID,
		ActivityId:             opts.ID,
		ActivityType:           &commonpb.ActivityType{Name: activityType},
		TaskQueue:              &taskqueuepb.TaskQueue{Name: opts.TaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		ScheduleToCloseTimeout: durationOrNil(opts.ScheduleToCloseTimeout),
		ScheduleToStartTimeout: durationOrNil(opts.ScheduleToStartTimeout),
		StartToCloseTimeout:    durationOrNil(opts.StartToCloseTimeout),
		HeartbeatTimeout:       durationOrNil(opts.HeartbeatTimeout),
		StartDelay:             durationOrNil(opts.StartDelay),
		Input:                  input,
		IdReusePolicy:          opts.IDReusePolicy,
		IdConflictPolicy:       opts.IDConflictPolicy,
		SearchAttributes:       attrs,
	}
	if opts.RetryPolicy != nil {
		req.RetryPolicy = opts.RetryPolicy.ToProto()
	}
	if opts.Priority != nil {
		req.Priority = opts.Priority.ToProto()
	}
	return req, nil
}

// Get waits for the activity to close and decodes its result into valuePtr
// (nil to ignore it). An activity that did not complete returns its failure
// as an error: *sundial.ApplicationError, *sundial.TimeoutError,
// *sundial.CanceledError or *sundial.TerminatedError.
func (h *ActivityHandle) Get(ctx context.Context, valuePtr any) error {
	outcome, err := h.client.pollActivityOutcome(ctx, h.id, h.runID)
	if err != nil {
		return fmt.Errorf("waiting for activity %q: %w", h.id, err)
	}
	if f := outcome.GetFailure(); f != nil {
		return h.client.opts.FailureConverter.FailureToError(f)
	}
	result := outcome.GetResult()
	if valuePtr == nil || result == nil {
		return nil
	}
	if err := h.client.opts.DataConverter.FromPayloads(result, valuePtr); err != nil {
		return fmt.Errorf("decoding result of activity %q: %w", h.id, err)
	}
	return nil
}

// pollActivityOutcome long-polls until the activity has an outcome.
func (c *Client) pollActivityOutcome(ctx context.Context, activityID, runID string) (*activitypb.ActivityExecutionOutcome, error) {
	req := &workflowservice.PollActivityExecutionRequest{Namespace: c.opts.Namespace, ActivityId: activityID, RunId: runID}
	for {
		pollCtx, cancel := withTimeoutIfNone(ctx, historyLongPollTimeout)
		resp, err := c.service.PollActivityExecution(pollCtx, req)
		cancel()
		if err != nil {
			return nil, err
		}
		if resp.GetOutcome() != nil {
			return resp.GetOutcome(), nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// Describe returns the activity's state, with its heartbeat details and
// last failure.
func (h *ActivityHandle) Describe(ctx context.Context) (*activitypb.ActivityExecutionInfo, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := h.client.service.DescribeActivityExecution(ctx, &workflowservice.DescribeActivityExecutionRequest{
		Namespace: h.client.opts.Namespace, ActivityId: h.id, RunId: h.runID,
		IncludeHeartbeatDetails: true, IncludeLastFailure: true,
	})
	if err != nil {
		return nil, fmt.Errorf("describing activity %q: %w", h.id, err)
	}
	return resp.GetInfo(), nil
}

// Cancel asks the activity to stop: one waiting for a worker is canceled at
// once, a running attempt learns of it through its next heartbeat.
func (h *ActivityHandle) Cancel(ctx context.Context, reason string) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err := h.client.service.RequestCancelActivityExecution(ctx, &workflowservice.RequestCancelActivityExecutionRequest{
		Namespace: h.client.opts.Namespace, ActivityId: h.id, RunId: h.runID,
		Identity: h.client.opts.Identity, RequestId: newUUID(), Reason: reason,
	})
	if err != nil {
		return fmt.Errorf("canceling activity %q: %w", h.id, err)
	}
	return nil
}

// Terminate ends the activity at once; its running attempt's completion is
// refused.
func (h *ActivityHandle) Terminate(ctx context.Context, reason string) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err := h.client.service.TerminateActivityExecution(ctx, &workflowservice.TerminateActivityExecutionRequest{
		Namespace: h.client.opts.Namespace, ActivityId: h.id, RunId: h.runID,
		Identity: h.client.opts.Identity, RequestId: newUUID(), Reason: reason,
	})
	if err != nil {
		return fmt.Errorf("terminating activity %q: %w", h.id, err)
	}
	return nil
}

// ActivityExecutionInfo describes one standalone activity in ListActivities
// results.
type ActivityExecutionInfo = activitypb.ActivityExecutionListInfo

// ListActivities returns the standalone activities matching query, in the
// visibility query language (for example `ActivityType = 'chargeCard' AND
// ExecutionStatus = 'Running'`), fetching pages as the loop asks for more.
// An error ends the sequence.
func (c *Client) ListActivities(ctx context.Context, query string) iter.Seq2[*ActivityExecutionInfo, error] {
	return func(yield func(*ActivityExecutionInfo, error) bool) {
		var token []byte
		for {
			callCtx, cancel := withDefaultTimeout(ctx)
			resp, err := c.service.ListActivityExecutions(callCtx, &workflowservice.ListActivityExecutionsRequest{
				Namespace: c.opts.Namespace, Query: query, NextPageToken: token,
			})
			cancel()
			if err != nil {
				yield(nil, fmt.Errorf("listing activities matching %q: %w", query, err))
				return
			}
			for _, info := range resp.GetExecutions() {
				if !yield(info, nil) {
					return
				}
			}
			if token = resp.GetNextPageToken(); len(token) == 0 {
				return
			}
		}
	}
}

// CountActivities returns how many standalone activities match query (see
// ListActivities).
func (c *Client) CountActivities(ctx context.Context, query string) (int64, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := c.service.CountActivityExecutions(ctx, &workflowservice.CountActivityExecutionsRequest{Namespace: c.opts.Namespace, Query: query})
	if err != nil {
		return 0, fmt.Errorf("counting activities matching %q: %w", query, err)
	}
	return resp.GetCount(), nil
}
