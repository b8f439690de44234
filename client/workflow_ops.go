package client

import (
	"context"
	"fmt"

	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/interceptor"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	querypb "go.temporal.io/api/query/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// QueryRejectedError is returned by QueryWorkflow when the server rejected the query
// because of the workflow's status.
type QueryRejectedError struct {
	Status enumspb.WorkflowExecutionStatus
}

func (e *QueryRejectedError) Error() string {
	return fmt.Sprintf("query rejected: workflow status %s", e.Status)
}

func execution(workflowID, runID string) *commonpb.WorkflowExecution {
	return &commonpb.WorkflowExecution{WorkflowId: workflowID, RunId: runID}
}

// SignalWorkflow sends a signal with one argument (nil for none) to a run; an empty
// runID means the latest run.
func (c *Client) SignalWorkflow(ctx context.Context, workflowID, runID, signalName string, arg any) error {
	var args []any
	if arg != nil {
		args = []any{arg}
	}
	input, err := c.opts.DataConverter.ToPayloads(args...)
	if err != nil {
		return fmt.Errorf("encoding signal %q argument: %w", signalName, err)
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	ctx, header, endSpan := c.startSpan(ctx, interceptor.OperationSignalWorkflow, signalName, map[string]string{interceptor.TagWorkflowID: workflowID})
	_, err = c.service.SignalWorkflowExecution(ctx, &workflowservice.SignalWorkflowExecutionRequest{
		Namespace:         c.opts.Namespace,
		WorkflowExecution: execution(workflowID, runID),
		SignalName:        signalName,
		Input:             input,
		Identity:          c.opts.Identity,
		RequestId:         newUUID(),
		Header:            header,
	})
	endSpan(err)
	if err != nil {
		return fmt.Errorf("signaling workflow %q with %q: %w", workflowID, signalName, err)
	}
	return nil
}

// QueryWorkflow runs a query handler of a run and returns its result, to decode with Get.
// A query the workflow code fails comes back as *serviceerror.QueryFailed.
func (c *Client) QueryWorkflow(ctx context.Context, workflowID, runID, queryType string, args ...any) (*converter.EncodedValue, error) {
	input, err := c.opts.DataConverter.ToPayloads(args...)
	if err != nil {
		return nil, fmt.Errorf("encoding query %q arguments: %w", queryType, err)
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	ctx, header, endSpan := c.startSpan(ctx, interceptor.OperationQueryWorkflow, queryType, map[string]string{interceptor.TagWorkflowID: workflowID})
	resp, err := c.service.QueryWorkflow(ctx, &workflowservice.QueryWorkflowRequest{
		Namespace: c.opts.Namespace,
		Execution: execution(workflowID, runID),
		Query:     &querypb.WorkflowQuery{QueryType: queryType, QueryArgs: input, Header: header},
	})
	endSpan(err)
	if err != nil {
		return nil, fmt.Errorf("querying workflow %q with %q: %w", workflowID, queryType, err)
	}
	if rejected := resp.GetQueryRejected(); rejected != nil {
		return nil, &QueryRejectedError{Status: rejected.GetStatus()}
	}
	var first *commonpb.Payload
	if ps := resp.GetQueryResult().GetPayloads(); len(ps) > 0 {
		first = ps[0]
	}
	return converter.NewEncodedValue(first, c.opts.DataConverter), nil
}

// CancelWorkflow asks a run to cancel; the workflow decides how to react. Asking twice
// is harmless.
func (c *Client) CancelWorkflow(ctx context.Context, workflowID, runID string) error {
	return c.cancelWorkflow(ctx, workflowID, runID, "")
}

// cancelWorkflow requests cancellation; a non-empty firstRunID restricts it to the
// chain of runs that began with that run.
func (c *Client) cancelWorkflow(ctx context.Context, workflowID, runID, firstRunID string) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err := c.service.RequestCancelWorkflowExecution(ctx, &workflowservice.RequestCancelWorkflowExecutionRequest{
		Namespace:           c.opts.Namespace,
		WorkflowExecution:   execution(workflowID, runID),
		Identity:            c.opts.Identity,
		RequestId:           newUUID(),
		FirstExecutionRunId: firstRunID,
	})
	if err != nil {
		return fmt.Errorf("canceling workflow %q: %w", workflowID, err)
	}
	return nil
}

// TerminateWorkflow ends a run at once, without running any more workflow code.
func (c *Client) TerminateWorkflow(ctx context.Context, workflowID, runID, reason string, details ...any) error {
	return c.terminateWorkflow(ctx, workflowID, runID, "", reason, details...)
}

// terminateWorkflow terminates a run; a non-empty firstRunID restricts it to the chain
// of runs that began with that run.
func (c *Client) terminateWorkflow(ctx context.Context, workflowID, runID, firstRunID, reason string, details ...any) error {
	payloads, err := c.opts.DataConverter.ToPayloads(details...)
	if err != nil {
		return fmt.Errorf("encoding termination details: %w", err)
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err = c.service.TerminateWorkflowExecution(ctx, &workflowservice.TerminateWorkflowExecutionRequest{
		Namespace:           c.opts.Namespace,
		WorkflowExecution:   execution(workflowID, runID),
		Reason:              reason,
		Details:             payloads,
		Identity:            c.opts.Identity,
		FirstExecutionRunId: firstRunID,
	})
	if err != nil {
		return fmt.Errorf("terminating workflow %q: %w", workflowID, err)
	}
	return nil
}

// DescribeWorkflowExecution returns the server's description of a run: status, times,
// pending activities and children.
func (c *Client) DescribeWorkflowExecution(ctx context.Context, workflowID, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := c.service.DescribeWorkflowExecution(ctx, &workflowservice.DescribeWorkflowExecutionRequest{
		Namespace: c.opts.Namespace,
		Execution: execution(workflowID, runID),
	})
	if err != nil {
		return nil, fmt.Errorf("describing workflow %q: %w", workflowID, err)
	}
	return resp, nil
}
