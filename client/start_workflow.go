package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/interceptor"
	"github.com/sundialdev/sundial/internal/sdk/startinfo"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// StartWorkflowOptions configure ExecuteWorkflow.
type StartWorkflowOptions struct {
	// ID is the workflow id; a random UUID when empty.
	ID string
	// TaskQueue is the queue the workflow's tasks go to; required.
	TaskQueue string
	// WorkflowExecutionTimeout bounds the whole execution, retries and continue-as-new included.
	WorkflowExecutionTimeout time.Duration
	// WorkflowRunTimeout bounds one run.
	WorkflowRunTimeout time.Duration
	// WorkflowTaskTimeout bounds one workflow task; the server's default is 10s.
	WorkflowTaskTimeout time.Duration
	// WorkflowIDReusePolicy decides whether a closed workflow's id may be reused.
	WorkflowIDReusePolicy enumspb.WorkflowIdReusePolicy
	// WorkflowIDConflictPolicy decides what happens when a workflow with the id is running.
	WorkflowIDConflictPolicy enumspb.WorkflowIdConflictPolicy
	// WorkflowExecutionErrorWhenAlreadyStarted makes ExecuteWorkflow return the server's
	// *serviceerror.WorkflowExecutionAlreadyStarted instead of a handle to the running
	// workflow when the id is taken.
	WorkflowExecutionErrorWhenAlreadyStarted bool
	// RetryPolicy retries the whole workflow on failure; nil means no retries.
	RetryPolicy *sundial.RetryPolicy
	// CronSchedule starts the workflow on a cron schedule.
	CronSchedule string
	// Memo is non-indexed data shown with the workflow, encoded with the DataConverter.
	Memo map[string]any
	// SearchAttributes are indexed values for List/Count queries, encoded with the
	// default data converter (the server reads them).
	SearchAttributes map[string]any
	// StartDelay postpones the first workflow task.
	StartDelay time.Duration
	// Priority orders the workflow's tasks and, by inheritance, its activities'.
	Priority *sundial.Priority
	// RequestID deduplicates retried starts; a random UUID when empty.
	RequestID string
	// StartSignal, when set, starts the workflow with this signal already delivered
	// (signal-with-start): if the workflow is running, it is only signaled; otherwise
	// it is started, with the signal as its first event after the start. The id is
	// required then, and WorkflowExecutionErrorWhenAlreadyStarted does not apply.
	StartSignal string
	// StartSignalArgs are the start signal's arguments.
	StartSignalArgs []any
	// CompletionCallbacks are called by the server with the workflow's outcome once it
	// closes for good; a Nexus handler (package nexusop) sets them so that an
	// asynchronous operation's caller learns the outcome. Not used by signal-with-start.
	CompletionCallbacks []*commonpb.Callback
	// Links are references to other executions recorded with the start, such as the
	// Nexus caller's scheduled event.
	Links []*commonpb.Link
	// OnConflictOptions say what a start that finds the workflow already running
	// attaches to it (request id, completion callbacks, links), with
	// WorkflowIDConflictPolicy USE_EXISTING. Not used by signal-with-start.
	OnConflictOptions *workflowpb.OnConflictOptions
}

// ExecuteWorkflow starts a workflow of the given type (a name, as registered by whatever
// SDK implements it) with args, and returns a handle to its run. If the id is already
// running, it returns a handle to that run unless
// WorkflowExecutionErrorWhenAlreadyStarted is set.
func (c *Client) ExecuteWorkflow(ctx context.Context, opts StartWorkflowOptions, workflowType string, args ...any) (WorkflowRun, error) {
	req, err := c.startRequest(opts, workflowType, args)
	if err != nil {
		return nil, fmt.Errorf("starting workflow %q: %w", workflowType, err)
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	operation := interceptor.OperationStartWorkflow
	if opts.StartSignal != "" {
		operation = interceptor.OperationSignalWithStartWorkflow
	}
	ctx, header, endSpan := c.startSpan(ctx, operation, workflowType, map[string]string{interceptor.TagWorkflowID: req.GetWorkflowId()})
	req.Header = header
	run, err := c.startWorkflow(ctx, req, opts, workflowType)
	endSpan(err)
	return run, err
}

// startWorkflow sends the start request, or the signal-with-start one.
func (c *Client) startWorkflow(ctx context.Context, req *workflowservice.StartWorkflowExecutionRequest, opts StartWorkflowOptions, workflowType string) (WorkflowRun, error) {
	if opts.StartSignal != "" {
		return c.signalWithStart(ctx, req, opts)
	}
	resp, err := c.service.StartWorkflowExecution(ctx, req)
	startinfo.Record(ctx, resp.GetLink())
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case err == nil && resp.GetStarted():
		return c.newStartedRun(req.GetWorkflowId(), resp.GetRunId(), workflowType), nil
	case err == nil: // the id conflict policy chose the running workflow
		return c.newRun(req.GetWorkflowId(), resp.GetRunId(), workflowType), nil
	case errors.As(err, &already) && !opts.WorkflowExecutionErrorWhenAlreadyStarted:
		return c.newRun(req.GetWorkflowId(), already.RunId, workflowType), nil
	default:
		return nil, fmt.Errorf("starting workflow %q id %q: %w", workflowType, req.GetWorkflowId(), err)
	}
}

// signalWithStart sends req as a SignalWithStartWorkflowExecution with the start
// signal of opts.
func (c *Client) signalWithStart(ctx context.Context, req *workflowservice.StartWorkflowExecutionRequest, opts StartWorkflowOptions) (WorkflowRun, error) {
	if opts.ID == "" {
		return nil, fmt.Errorf("signal-with-start of workflow %q: the workflow id is required", req.GetWorkflowType().GetName())
	}
	signalInput, err := c.opts.DataConverter.ToPayloads(opts.StartSignalArgs...)
	if err != nil {
		return nil, fmt.Errorf("encoding arguments of start signal %q: %w", opts.StartSignal, err)
	}
	resp, err := c.service.SignalWithStartWorkflowExecution(ctx, &workflowservice.SignalWithStartWorkflowExecutionRequest{
		Namespace:                req.Namespace,
		WorkflowId:               req.WorkflowId,
		WorkflowType:             req.WorkflowType,
		TaskQueue:                req.TaskQueue,
		Input:                    req.Input,
		WorkflowExecutionTimeout: req.WorkflowExecutionTimeout,
		WorkflowRunTimeout:       req.WorkflowRunTimeout,
		WorkflowTaskTimeout:      req.WorkflowTaskTimeout,
		Identity:                 req.Identity,
		RequestId:                req.RequestId,
		WorkflowIdReusePolicy:    req.WorkflowIdReusePolicy,
		WorkflowIdConflictPolicy: req.WorkflowIdConflictPolicy,
		SignalName:               opts.StartSignal,
		SignalInput:              signalInput,
		RetryPolicy:              req.RetryPolicy,
		CronSchedule:             req.CronSchedule,
		Memo:                     req.Memo,
		SearchAttributes:         req.SearchAttributes,
		WorkflowStartDelay:       req.WorkflowStartDelay,
		Priority:                 req.Priority,
		Header:                   req.Header,
		Links:                    req.Links,
	})
	if err != nil {
		return nil, fmt.Errorf("signal-with-start of workflow %q id %q: %w", req.GetWorkflowType().GetName(), req.GetWorkflowId(), err)
	}
	if resp.GetStarted() {
		return c.newStartedRun(req.GetWorkflowId(), resp.GetRunId(), req.GetWorkflowType().GetName()), nil
	}
	return c.newRun(req.GetWorkflowId(), resp.GetRunId(), req.GetWorkflowType().GetName()), nil
}

// startRequest builds the StartWorkflowExecution request.
func (c *Client) startRequest(opts StartWorkflowOptions, workflowType string, args []any) (*workflowservice.StartWorkflowExecutionRequest, error) {
	if workflowType == "" {
		return nil, errors.New("workflow type is empty")
	}
	if opts.TaskQueue == "" {
		return nil, errors.New("task queue is empty")
	}
	input, err := c.opts.DataConverter.ToPayloads(args...)
	if err != nil {
		return nil, fmt.Errorf("encoding arguments: %w", err)
	}
	memo, err := encodeMemo(c.opts.DataConverter, opts.Memo)
	if err != nil {
		return nil, err
	}
	searchAttributes, err := encodeSearchAttributes(opts.SearchAttributes)
	if err != nil {
		return nil, err
	}
	id := opts.ID
	if id == "" {
		id = newUUID()
	}
	requestID := opts.RequestID
	if requestID == "" {
		requestID = newUUID()
	}
	return &workflowservice.StartWorkflowExecutionRequest{
		Namespace:                c.opts.Namespace,
		WorkflowId:               id,
		WorkflowType:             &commonpb.WorkflowType{Name: workflowType},
		TaskQueue:                &taskqueuepb.TaskQueue{Name: opts.TaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		Input:                    input,
		WorkflowExecutionTimeout: durationOrNil(opts.WorkflowExecutionTimeout),
		WorkflowRunTimeout:       durationOrNil(opts.WorkflowRunTimeout),
		WorkflowTaskTimeout:      durationOrNil(opts.WorkflowTaskTimeout),
		Identity:                 c.opts.Identity,
		RequestId:                requestID,
		WorkflowIdReusePolicy:    opts.WorkflowIDReusePolicy,
		WorkflowIdConflictPolicy: opts.WorkflowIDConflictPolicy,
		RetryPolicy:              opts.RetryPolicy.ToProto(),
		CronSchedule:             opts.CronSchedule,
		Memo:                     memo,
		SearchAttributes:         searchAttributes,
		WorkflowStartDelay:       durationOrNil(opts.StartDelay),
		Priority:                 opts.Priority.ToProto(),
		CompletionCallbacks:      opts.CompletionCallbacks,
		Links:                    opts.Links,
		OnConflictOptions:        opts.OnConflictOptions,
	}, nil
}

func encodeMemo(dc converter.DataConverter, memo map[string]any) (*commonpb.Memo, error) {
	if len(memo) == 0 {
		return nil, nil
	}
	fields, err := encodeMap(dc, memo)
	if err != nil {
		return nil, fmt.Errorf("encoding memo: %w", err)
	}
	return &commonpb.Memo{Fields: fields}, nil
}

func encodeSearchAttributes(attrs map[string]any) (*commonpb.SearchAttributes, error) {
	if len(attrs) == 0 {
		return nil, nil
	}
	fields, err := encodeMap(converter.GetDefaultDataConverter(), attrs)
	if err != nil {
		return nil, fmt.Errorf("encoding search attributes: %w", err)
	}
	return &commonpb.SearchAttributes{IndexedFields: fields}, nil
}

func encodeMap(dc converter.DataConverter, values map[string]any) (map[string]*commonpb.Payload, error) {
	fields := make(map[string]*commonpb.Payload, len(values))
	for k, v := range values {
		p, err := dc.ToPayload(v)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", k, err)
		}
		fields[k] = p
	}
	return fields, nil
}

func durationOrNil(d time.Duration) *durationpb.Duration {
	if d == 0 {
		return nil
	}
	return durationpb.New(d)
}
