package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sundialdev/sundial/interceptor"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	updatepb "go.temporal.io/api/update/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// UpdateStage is how far an update has come: admitted by the server, accepted by the
// workflow's validator (and its handler started), or completed by the handler.
type UpdateStage = enumspb.UpdateWorkflowExecutionLifecycleStage

// Update stages to wait for.
const (
	UpdateStageAdmitted  = enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED
	UpdateStageAccepted  = enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED
	UpdateStageCompleted = enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED
)

// UpdateWorkflowOptions describe one update.
type UpdateWorkflowOptions struct {
	// UpdateName is the name the workflow registered its handler under. Required.
	UpdateName string
	// Args are the handler's arguments.
	Args []any
	// UpdateID identifies the update, so that sending it again is harmless; a random
	// UUID when empty.
	UpdateID string
	// WaitForStage is the stage the call waits for: UpdateStageAccepted returns once
	// the workflow accepted the update (use the handle's Get for the result);
	// UpdateStageCompleted (the default) once the handler returned. Admitted is not
	// supported by Temporal's servers yet.
	WaitForStage UpdateStage
}

// WorkflowUpdateHandle is an update sent to a workflow.
type WorkflowUpdateHandle interface {
	// UpdateID identifies the update.
	UpdateID() string
	// WorkflowID and RunID identify the run the update went to.
	WorkflowID() string
	RunID() string
	// Get waits for the update's outcome and decodes its result into valuePtr (nil
	// discards it). An update the validator rejected, or whose handler failed, returns
	// the workflow's error (usually a *sundial.ApplicationError).
	Get(ctx context.Context, valuePtr any) error
}

// UpdateWorkflow sends an update to a run (runID empty: the latest run) and waits for
// opts.WaitForStage.
func (c *Client) UpdateWorkflow(ctx context.Context, workflowID, runID string, opts UpdateWorkflowOptions) (WorkflowUpdateHandle, error) {
	return c.updateWorkflow(ctx, workflowID, runID, "", opts)
}

func (c *Client) updateWorkflow(ctx context.Context, workflowID, runID, firstRunID string, opts UpdateWorkflowOptions) (WorkflowUpdateHandle, error) {
	if opts.UpdateName == "" {
		return nil, errors.New("updating workflow: the update name is empty")
	}
	stage := opts.WaitForStage
	if stage == enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_UNSPECIFIED {
		stage = UpdateStageCompleted
	}
	input, err := c.opts.DataConverter.ToPayloads(opts.Args...)
	if err != nil {
		return nil, fmt.Errorf("encoding arguments of update %q: %w", opts.UpdateName, err)
	}
	updateID := opts.UpdateID
	if updateID == "" {
		updateID = newUUID()
	}
	ctx, header, endSpan := c.startSpan(ctx, interceptor.OperationUpdateWorkflow, opts.UpdateName,
		map[string]string{interceptor.TagWorkflowID: workflowID, interceptor.TagUpdateID: updateID})
	handle, err := c.sendUpdateUntil(ctx, workflowID, runID, firstRunID, updateID, stage, input, header, opts)
	endSpan(err)
	return handle, err
}

// sendUpdateUntil sends the update, again while the server answers before stage.
func (c *Client) sendUpdateUntil(ctx context.Context, workflowID, runID, firstRunID, updateID string, stage enumspb.UpdateWorkflowExecutionLifecycleStage,
	input *commonpb.Payloads, header *commonpb.Header, opts UpdateWorkflowOptions) (WorkflowUpdateHandle, error) {
	req := &workflowservice.UpdateWorkflowExecutionRequest{
		Namespace:           c.opts.Namespace,
		WorkflowExecution:   execution(workflowID, runID),
		FirstExecutionRunId: firstRunID,
		WaitPolicy:          &updatepb.WaitPolicy{LifecycleStage: stage},
		Request: &updatepb.Request{
			Meta:  &updatepb.Meta{UpdateId: updateID, Identity: c.opts.Identity},
			Input: &updatepb.Input{Name: opts.UpdateName, Args: input, Header: header},
		},
	}
	// The server answers before the stage is reached when its own long-poll limit
	// passes; the update id makes asking again safe.
	pause := newResendPause()
	for {
		resp, err := c.sendUpdate(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("updating workflow %q with %q: %w", workflowID, opts.UpdateName, err)
		}
		if resp.GetOutcome() != nil || resp.GetStage() >= stage {
			ref := resp.GetUpdateRef()
			return &updateHandle{
				client: c, updateID: updateID,
				workflowID: orDefault(ref.GetWorkflowExecution().GetWorkflowId(), workflowID),
				runID:      orDefault(ref.GetWorkflowExecution().GetRunId(), runID),
				outcome:    resp.GetOutcome(),
			}, nil
		}
		if err := pause.wait(ctx); err != nil {
			return nil, fmt.Errorf("updating workflow %q with %q: %w", workflowID, opts.UpdateName, err)
		}
	}
}

// resendPause spaces calls that are repeated because the server answered before the
// awaited stage: at once if the answer took a while (a long poll ended), else after a
// delay growing from 50ms to 1s, so a server that answers at once is not flooded.
type resendPause struct {
	delay time.Duration
	since time.Time
}

func newResendPause() *resendPause { return &resendPause{since: time.Now()} }

func (p *resendPause) wait(ctx context.Context) error {
	if time.Since(p.since) > time.Second {
		p.delay = 0
	} else {
		p.delay = min(max(2*p.delay, 50*time.Millisecond), time.Second)
		timer := time.NewTimer(p.delay)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
		}
	}
	p.since = time.Now()
	return ctx.Err()
}

func (c *Client) sendUpdate(ctx context.Context, req *workflowservice.UpdateWorkflowExecutionRequest) (*workflowservice.UpdateWorkflowExecutionResponse, error) {
	ctx, cancel := withTimeoutIfNone(ctx, historyLongPollTimeout)
	defer cancel()
	return c.service.UpdateWorkflowExecution(ctx, req)
}

type updateHandle struct {
	client     *Client
	updateID   string
	workflowID string
	runID      string
	// outcome is set when the update had completed when the handle was made; the
	// handle is never changed afterwards, so it is safe for concurrent use.
	outcome *updatepb.Outcome
}

func (h *updateHandle) UpdateID() string   { return h.updateID }
func (h *updateHandle) WorkflowID() string { return h.workflowID }
func (h *updateHandle) RunID() string      { return h.runID }

func (h *updateHandle) Get(ctx context.Context, valuePtr any) error {
	outcome := h.outcome
	pause := newResendPause()
	for outcome == nil {
		resp, err := h.client.pollUpdate(ctx, h)
		if err != nil {
			return fmt.Errorf("waiting for update %q of workflow %q: %w", h.updateID, h.workflowID, err)
		}
		outcome = resp.GetOutcome()
		if outcome == nil {
			if err := pause.wait(ctx); err != nil {
				return fmt.Errorf("waiting for update %q of workflow %q: %w", h.updateID, h.workflowID, err)
			}
		}
	}
	if failure := outcome.GetFailure(); failure != nil {
		return h.client.opts.FailureConverter.FailureToError(failure)
	}
	if valuePtr == nil {
		return nil
	}
	payloads := outcome.GetSuccess()
	if len(payloads.GetPayloads()) == 0 {
		return nil
	}
	if err := h.client.opts.DataConverter.FromPayloads(payloads, valuePtr); err != nil {
		return fmt.Errorf("decoding result of update %q: %w", h.updateID, err)
	}
	return nil
}

func (c *Client) pollUpdate(ctx context.Context, h *updateHandle) (*workflowservice.PollWorkflowExecutionUpdateResponse, error) {
	ctx, cancel := withTimeoutIfNone(ctx, historyLongPollTimeout)
	defer cancel()
	return c.service.PollWorkflowExecutionUpdate(ctx, &workflowservice.PollWorkflowExecutionUpdateRequest{
		Namespace: c.opts.Namespace,
		UpdateRef: &updatepb.UpdateRef{
			WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: h.workflowID, RunId: h.runID},
			UpdateId:          h.updateID,
		},
		Identity:   c.opts.Identity,
		WaitPolicy: &updatepb.WaitPolicy{LifecycleStage: UpdateStageCompleted},
	})
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
