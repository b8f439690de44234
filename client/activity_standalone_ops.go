package client

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/workflowservice/v1"
)

// Operator actions on a standalone activity, through its handle. They take
// the option types of the workflow-activity actions (PauseActivity and the
// others); options that only make sense for many activities are refused.

// Pause pauses the activity: no new attempt starts until Unpause or Reset,
// and a running attempt learns of the pause at its next heartbeat.
func (h *ActivityHandle) Pause(ctx context.Context, opts PauseActivityOptions) error {
	requestID := opts.RequestID
	if requestID == "" {
		requestID = newUUID()
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err := h.client.service.PauseActivityExecution(ctx, &workflowservice.PauseActivityExecutionRequest{
		Namespace: h.client.opts.Namespace, ActivityId: h.id, RunId: h.runID,
		Identity: h.client.opts.Identity, Reason: opts.Reason, RequestId: requestID,
	})
	if err != nil {
		return fmt.Errorf("pausing activity %q: %w", h.id, err)
	}
	return nil
}

// Unpause resumes the paused activity, at a random time within opts.Jitter.
// ResetAttempts and ResetHeartbeat are refused here: Reset does both.
func (h *ActivityHandle) Unpause(ctx context.Context, opts UnpauseActivityOptions) error {
	switch {
	case opts.ResetAttempts || opts.ResetHeartbeat:
		return errors.New("UnpauseActivityOptions: a standalone activity's attempts and heartbeat are reset by Reset, not Unpause")
	case opts.Jitter < 0:
		return errors.New("UnpauseActivityOptions.Jitter must not be negative")
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err := h.client.service.UnpauseActivityExecution(ctx, &workflowservice.UnpauseActivityExecutionRequest{
		Namespace: h.client.opts.Namespace, ActivityId: h.id, RunId: h.runID,
		Identity: h.client.opts.Identity, Jitter: durationOrNil(opts.Jitter), RequestId: newUUID(),
	})
	if err != nil {
		return fmt.Errorf("unpausing activity %q: %w", h.id, err)
	}
	return nil
}

// Reset sets the activity back to its first attempt; a running attempt
// learns of it at its next heartbeat.
func (h *ActivityHandle) Reset(ctx context.Context, opts ResetActivityOptions) error {
	if opts.Jitter < 0 {
		return errors.New("ResetActivityOptions.Jitter must not be negative")
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err := h.client.service.ResetActivityExecution(ctx, &workflowservice.ResetActivityExecutionRequest{
		Namespace: h.client.opts.Namespace, ActivityId: h.id, RunId: h.runID, Identity: h.client.opts.Identity,
		ResetHeartbeat: opts.ResetHeartbeat, KeepPaused: opts.KeepPaused, Jitter: durationOrNil(opts.Jitter),
		RestoreOriginalOptions: opts.RestoreOriginalOptions, RequestId: newUUID(),
	})
	if err != nil {
		return fmt.Errorf("resetting activity %q: %w", h.id, err)
	}
	return nil
}

// UpdateOptions changes the activity's options and returns the options that
// result.
func (h *ActivityHandle) UpdateOptions(ctx context.Context, update ActivityOptionsUpdate) (ActivityOptions, error) {
	options, mask, err := update.request()
	if err != nil {
		return ActivityOptions{}, err
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := h.client.service.UpdateActivityExecutionOptions(ctx, &workflowservice.UpdateActivityExecutionOptionsRequest{
		Namespace: h.client.opts.Namespace, ActivityId: h.id, RunId: h.runID, Identity: h.client.opts.Identity,
		ActivityOptions: options, UpdateMask: mask, RestoreOriginal: update.RestoreOriginal, RequestId: newUUID(),
	})
	if err != nil {
		return ActivityOptions{}, fmt.Errorf("updating options of activity %q: %w", h.id, err)
	}
	return ActivityOptionsFromProto(resp.GetActivityOptions()), nil
}
