package client

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// StartNexusOperationOptions configure a standalone Nexus operation: one a
// client starts directly through an endpoint, without a workflow
// (StartNexusOperation). The server sends the start request to the
// endpoint's handler, retries it, applies the timeouts and receives the
// outcome of an asynchronous operation by callback.
type StartNexusOperationOptions struct {
	// ID identifies the operation in its namespace; required.
	ID string
	// Endpoint and Service name where the operation is; required.
	Endpoint, Service string
	// ScheduleToCloseTimeout bounds the whole operation, retries included.
	ScheduleToCloseTimeout time.Duration
	// ScheduleToStartTimeout bounds how long the operation may take to start
	// (or, for a synchronous one, to complete).
	ScheduleToStartTimeout time.Duration
	// StartToCloseTimeout bounds an asynchronous operation once started.
	StartToCloseTimeout time.Duration
	// IDReusePolicy decides whether the id of a closed operation may be
	// reused (default: allowed).
	IDReusePolicy enumspb.NexusOperationIdReusePolicy
	// IDConflictPolicy decides what happens when an operation with the id is
	// running (default: the start fails with
	// *serviceerror.NexusOperationExecutionAlreadyStarted).
	IDConflictPolicy enumspb.NexusOperationIdConflictPolicy
	// SearchAttributes are indexed values for ListNexusOperations and
	// CountNexusOperations queries, encoded with the default data converter.
	SearchAttributes map[string]any
	// Header is sent to the handler with the request (tracing, for example).
	Header map[string]string
	// Summary is a short description user interfaces show.
	Summary string
	// RequestID deduplicates retried starts; a random UUID when empty.
	RequestID string
}

// NexusOperationHandle is a handle to a standalone Nexus operation.
type NexusOperationHandle struct {
	client    *Client
	id, runID string
}

// ID is the operation id.
func (h *NexusOperationHandle) ID() string { return h.id }

// RunID is the operation's run id; empty for a handle to the latest run of
// an id (GetNexusOperation with no run id).
func (h *NexusOperationHandle) RunID() string { return h.runID }

// StartNexusOperation starts the operation of opts' endpoint and service
// with input and returns a handle to it.
func (c *Client) StartNexusOperation(ctx context.Context, opts StartNexusOperationOptions, operation string, input any) (*NexusOperationHandle, error) {
	req, err := c.startNexusOperationRequest(opts, operation, input)
	if err != nil {
		return nil, fmt.Errorf("starting Nexus operation %q: %w", operation, err)
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := c.service.StartNexusOperationExecution(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("starting Nexus operation %q id %q: %w", operation, opts.ID, err)
	}
	return &NexusOperationHandle{client: c, id: opts.ID, runID: resp.GetRunId()}, nil
}

// GetNexusOperation returns a handle to a standalone Nexus operation; an
// empty runID means the id's latest run.
func (c *Client) GetNexusOperation(operationID, runID string) *NexusOperationHandle {
	return &NexusOperationHandle{client: c, id: operationID, runID: runID}
}

func (c *Client) startNexusOperationRequest(opts StartNexusOperationOptions, operation string, input any) (*workflowservice.StartNexusOperationExecutionRequest, error) {
	switch {
	case operation == "":
		return nil, errors.New("operation name is empty")
	case opts.ID == "":
		return nil, errors.New("the operation id is required")
	case opts.Endpoint == "" || opts.Service == "":
		return nil, errors.New("the endpoint and the service are required")
	}
	payload, err := c.opts.DataConverter.ToPayload(input)
	if err != nil {
		return nil, fmt.Errorf("encoding the input: %w", err)
	}
	attrs, err := encodeSearchAttributes(opts.SearchAttributes)
	if err != nil {
		return nil, err
	}
	requestID := opts.RequestID
	if requestID == "" {
		requestID = newUUID()
	}
	req := &workflowservice.StartNexusOperationExecutionRequest{
		Namespace:              c.opts.Namespace,
		Identity:               c.opts.Identity,
		RequestId:              requestID,
		OperationId:            opts.ID,
		Endpoint:               opts.Endpoint,
		Service:                opts.Service,
		Operation:              operation,
		ScheduleToCloseTimeout: durationOrNil(opts.ScheduleToCloseTimeout),
		ScheduleToStartTimeout: durationOrNil(opts.ScheduleToStartTimeout),
		StartToCloseTimeout:    durationOrNil(opts.StartToCloseTimeout),
		Input:                  payload,
		IdReusePolicy:          opts.IDReusePolicy,
		IdConflictPolicy:       opts.IDConflictPolicy,
		SearchAttributes:       attrs,
		NexusHeader:            opts.Header,
	}
	if opts.Summary != "" {
		summary, err := c.opts.DataConverter.ToPayload(opts.Summary)
		if err != nil {
			return nil, fmt.Errorf("encoding the summary: %w", err)
		}
		req.UserMetadata = &sdkpb.UserMetadata{Summary: summary}
	}
	return req, nil
}

// Get waits for the operation to close and decodes its result into
// valuePtr (nil to ignore it). An operation that did not complete returns
// its failure as an error (*sundial.ApplicationError, *sundial.CanceledError,
// *sundial.TimeoutError, *sundial.TerminatedError, ...).
func (h *NexusOperationHandle) Get(ctx context.Context, valuePtr any) error {
	resp, err := h.client.pollNexusOperation(ctx, h.id, h.runID, enumspb.NEXUS_OPERATION_WAIT_STAGE_CLOSED)
	if err != nil {
		return fmt.Errorf("waiting for Nexus operation %q: %w", h.id, err)
	}
	if f := resp.GetFailure(); f != nil {
		return h.client.opts.FailureConverter.FailureToError(f)
	}
	result := resp.GetResult()
	if valuePtr == nil || result == nil {
		return nil
	}
	if err := h.client.opts.DataConverter.FromPayload(result, valuePtr); err != nil {
		return fmt.Errorf("decoding result of Nexus operation %q: %w", h.id, err)
	}
	return nil
}

// WaitStarted waits until the operation has started (an asynchronous one
// has its operation token) or closed, and returns its operation token, empty
// for a synchronous operation.
func (h *NexusOperationHandle) WaitStarted(ctx context.Context) (string, error) {
	resp, err := h.client.pollNexusOperation(ctx, h.id, h.runID, enumspb.NEXUS_OPERATION_WAIT_STAGE_STARTED)
	if err != nil {
		return "", fmt.Errorf("waiting for Nexus operation %q to start: %w", h.id, err)
	}
	return resp.GetOperationToken(), nil
}

// pollNexusOperation long-polls until the operation reaches stage.
func (c *Client) pollNexusOperation(ctx context.Context, operationID, runID string, stage enumspb.NexusOperationWaitStage) (*workflowservice.PollNexusOperationExecutionResponse, error) {
	req := &workflowservice.PollNexusOperationExecutionRequest{Namespace: c.opts.Namespace, OperationId: operationID, RunId: runID, WaitStage: stage}
	for {
		pollCtx, cancel := withTimeoutIfNone(ctx, historyLongPollTimeout)
		resp, err := c.service.PollNexusOperationExecution(pollCtx, req)
		cancel()
		if err != nil {
			return nil, err
		}
		if resp.GetWaitStage() != enumspb.NEXUS_OPERATION_WAIT_STAGE_UNSPECIFIED {
			return resp, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// NexusOperationDescription is a standalone operation's state, as Describe
// reports it.
type NexusOperationDescription struct {
	// Info is the server's description.
	*nexuspb.NexusOperationExecutionInfo
	// Input is the operation's input, as sent.
	Input *commonpb.Payload
	// Result or Failure is the outcome of a closed operation.
	Result  *commonpb.Payload
	Failure *failurepb.Failure
}

// Describe returns the operation's state, input and, once closed, outcome.
func (h *NexusOperationHandle) Describe(ctx context.Context) (*NexusOperationDescription, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := h.client.service.DescribeNexusOperationExecution(ctx, &workflowservice.DescribeNexusOperationExecutionRequest{
		Namespace: h.client.opts.Namespace, OperationId: h.id, RunId: h.runID, IncludeInput: true, IncludeOutcome: true,
	})
	if err != nil {
		return nil, fmt.Errorf("describing Nexus operation %q: %w", h.id, err)
	}
	return &NexusOperationDescription{NexusOperationExecutionInfo: resp.GetInfo(), Input: resp.GetInput(), Result: resp.GetResult(), Failure: resp.GetFailure()}, nil
}

// Cancel asks the operation's handler to cancel it; the request is sent
// once the operation has started.
func (h *NexusOperationHandle) Cancel(ctx context.Context, reason string) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err := h.client.service.RequestCancelNexusOperationExecution(ctx, &workflowservice.RequestCancelNexusOperationExecutionRequest{
		Namespace: h.client.opts.Namespace, OperationId: h.id, RunId: h.runID,
		Identity: h.client.opts.Identity, RequestId: newUUID(), Reason: reason,
	})
	if err != nil {
		return fmt.Errorf("canceling Nexus operation %q: %w", h.id, err)
	}
	return nil
}

// Terminate ends the operation at once, without telling its handler.
func (h *NexusOperationHandle) Terminate(ctx context.Context, reason string) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err := h.client.service.TerminateNexusOperationExecution(ctx, &workflowservice.TerminateNexusOperationExecutionRequest{
		Namespace: h.client.opts.Namespace, OperationId: h.id, RunId: h.runID,
		Identity: h.client.opts.Identity, RequestId: newUUID(), Reason: reason,
	})
	if err != nil {
		return fmt.Errorf("terminating Nexus operation %q: %w", h.id, err)
	}
	return nil
}

// Delete removes the operation, terminating it first if it is running.
func (h *NexusOperationHandle) Delete(ctx context.Context) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err := h.client.service.DeleteNexusOperationExecution(ctx, &workflowservice.DeleteNexusOperationExecutionRequest{
		Namespace: h.client.opts.Namespace, OperationId: h.id, RunId: h.runID,
	})
	if err != nil {
		return fmt.Errorf("deleting Nexus operation %q: %w", h.id, err)
	}
	return nil
}

// NexusOperationInfo describes one standalone operation in
// ListNexusOperations results.
type NexusOperationInfo = nexuspb.NexusOperationExecutionListInfo

// ListNexusOperations returns the standalone Nexus operations matching
// query, in the visibility query language (for example `Endpoint = 'billing'
// AND ExecutionStatus = 'Running'`), fetching pages as the loop asks for
// more. An error ends the sequence.
func (c *Client) ListNexusOperations(ctx context.Context, query string) iter.Seq2[*NexusOperationInfo, error] {
	return func(yield func(*NexusOperationInfo, error) bool) {
		var token []byte
		for {
			callCtx, cancel := withDefaultTimeout(ctx)
			resp, err := c.service.ListNexusOperationExecutions(callCtx, &workflowservice.ListNexusOperationExecutionsRequest{
				Namespace: c.opts.Namespace, Query: query, NextPageToken: token,
			})
			cancel()
			if err != nil {
				yield(nil, fmt.Errorf("listing Nexus operations matching %q: %w", query, err))
				return
			}
			for _, info := range resp.GetOperations() {
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

// CountNexusOperations returns how many standalone Nexus operations match
// query (see ListNexusOperations).
func (c *Client) CountNexusOperations(ctx context.Context, query string) (int64, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := c.service.CountNexusOperationExecutions(ctx, &workflowservice.CountNexusOperationExecutionsRequest{Namespace: c.opts.Namespace, Query: query})
	if err != nil {
		return 0, fmt.Errorf("counting Nexus operations matching %q: %w", query, err)
	}
	return resp.GetCount(), nil
}
