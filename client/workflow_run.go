package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// WorkflowRun is a handle to a workflow: it waits for the result and sends the
// workflow signals, queries, updates, cancellation and termination.
//
// A handle returned by ExecuteWorkflow follows the chain of runs it started (retries,
// cron and continue-as-new): its calls go to the chain's latest run, and Cancel and
// Terminate only act while that run belongs to the chain. A handle from GetWorkflow
// addresses the run it names, or the latest run for an empty run id.
type WorkflowRun interface {
	// GetID is the workflow id.
	GetID() string
	// GetRunID is the run id the handle was made for; empty means the latest run.
	GetRunID() string
	// Get waits for the workflow to close and decodes its result into valuePtr (which may
	// be nil to discard it). It follows the chain of runs created by retries, cron and
	// continue-as-new. If the last run did not complete it returns a
	// *sundial.WorkflowExecutionError whose cause is the failure's error, a
	// *sundial.CanceledError, *sundial.TerminatedError or *sundial.TimeoutError.
	Get(ctx context.Context, valuePtr any) error
	// Signal sends the workflow a signal with one argument (nil for none).
	Signal(ctx context.Context, signalName string, arg any) error
	// Query runs a query handler of the workflow and returns its result, to decode
	// with Get. A query the workflow code fails comes back as
	// *serviceerror.QueryFailed.
	Query(ctx context.Context, queryType string, args ...any) (*converter.EncodedValue, error)
	// Update sends the workflow an update and waits until it reaches
	// opts.WaitForStage (by default until it completed). See UpdateWorkflowOptions.
	Update(ctx context.Context, opts UpdateWorkflowOptions) (WorkflowUpdateHandle, error)
	// Cancel asks the workflow to cancel; the workflow code decides how to react.
	Cancel(ctx context.Context) error
	// Terminate ends the workflow at once, without running any more workflow code.
	Terminate(ctx context.Context, reason string, details ...any) error
	// Describe returns the server's description of the run: status, times, pending
	// activities and children.
	Describe(ctx context.Context) (*workflowservice.DescribeWorkflowExecutionResponse, error)
}

type workflowRun struct {
	client       *Client
	workflowID   string
	runID        string
	workflowType string
	// firstRunID, when set, is the first run of the chain this handle started: calls
	// then go to the chain's latest run.
	firstRunID string
}

func (c *Client) newRun(workflowID, runID, workflowType string) *workflowRun {
	return &workflowRun{client: c, workflowID: workflowID, runID: runID, workflowType: workflowType}
}

// newStartedRun is the handle of a chain of runs this client started.
func (c *Client) newStartedRun(workflowID, runID, workflowType string) *workflowRun {
	r := c.newRun(workflowID, runID, workflowType)
	r.firstRunID = runID
	return r
}

// GetWorkflow returns a handle to an existing run; an empty runID means the latest run.
func (c *Client) GetWorkflow(ctx context.Context, workflowID, runID string) WorkflowRun {
	return c.newRun(workflowID, runID, "")
}

func (r *workflowRun) GetID() string    { return r.workflowID }
func (r *workflowRun) GetRunID() string { return r.runID }

// targetRunID is the run id the handle's calls address: none (the latest run) for a
// handle that follows its chain.
func (r *workflowRun) targetRunID() string {
	if r.firstRunID != "" {
		return ""
	}
	return r.runID
}

func (r *workflowRun) Signal(ctx context.Context, signalName string, arg any) error {
	return r.client.SignalWorkflow(ctx, r.workflowID, r.targetRunID(), signalName, arg)
}

func (r *workflowRun) Query(ctx context.Context, queryType string, args ...any) (*converter.EncodedValue, error) {
	return r.client.QueryWorkflow(ctx, r.workflowID, r.targetRunID(), queryType, args...)
}

func (r *workflowRun) Update(ctx context.Context, opts UpdateWorkflowOptions) (WorkflowUpdateHandle, error) {
	return r.client.updateWorkflow(ctx, r.workflowID, r.targetRunID(), r.firstRunID, opts)
}

func (r *workflowRun) Cancel(ctx context.Context) error {
	return r.client.cancelWorkflow(ctx, r.workflowID, r.targetRunID(), r.firstRunID)
}

func (r *workflowRun) Terminate(ctx context.Context, reason string, details ...any) error {
	return r.client.terminateWorkflow(ctx, r.workflowID, r.targetRunID(), r.firstRunID, reason, details...)
}

func (r *workflowRun) Describe(ctx context.Context) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	return r.client.DescribeWorkflowExecution(ctx, r.workflowID, r.targetRunID())
}

func (r *workflowRun) Get(ctx context.Context, valuePtr any) error {
	runID := r.runID
	for {
		event, err := r.client.waitCloseEvent(ctx, r.workflowID, runID)
		if err != nil {
			return fmt.Errorf("waiting for workflow %q run %q: %w", r.workflowID, runID, err)
		}
		if next := nextRunID(event); next != "" {
			runID = next
			continue
		}
		return r.client.closeEventResult(event, r.workflowID, runID, r.workflowType, valuePtr)
	}
}

// nextRunID returns the run that continues the closed one, if any.
func nextRunID(event *historypb.HistoryEvent) string {
	switch event.GetEventType() {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
		return event.GetWorkflowExecutionCompletedEventAttributes().GetNewExecutionRunId()
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
		return event.GetWorkflowExecutionFailedEventAttributes().GetNewExecutionRunId()
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
		return event.GetWorkflowExecutionTimedOutEventAttributes().GetNewExecutionRunId()
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
		return event.GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()
	default:
		return ""
	}
}

// waitCloseEvent long-polls the run's history for its close event. The server answers a
// poll that times out with no events and a page token, which is polled again.
func (c *Client) waitCloseEvent(ctx context.Context, workflowID, runID string) (*historypb.HistoryEvent, error) {
	req := &workflowservice.GetWorkflowExecutionHistoryRequest{
		Namespace:              c.opts.Namespace,
		Execution:              &commonpb.WorkflowExecution{WorkflowId: workflowID, RunId: runID},
		WaitNewEvent:           true,
		HistoryEventFilterType: enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
		SkipArchival:           true,
	}
	for {
		resp, err := c.pollHistory(ctx, req)
		if err != nil {
			return nil, err
		}
		if events := resp.GetHistory().GetEvents(); len(events) > 0 {
			return events[len(events)-1], nil
		}
		if len(resp.GetNextPageToken()) == 0 {
			return nil, errors.New("server returned neither a close event nor a page token")
		}
		req.NextPageToken = resp.GetNextPageToken()
	}
}

func (c *Client) pollHistory(ctx context.Context, req *workflowservice.GetWorkflowExecutionHistoryRequest) (*workflowservice.GetWorkflowExecutionHistoryResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, historyLongPollTimeout)
	defer cancel()
	return c.service.GetWorkflowExecutionHistory(ctx, req)
}

// closeEventResult decodes a completed run's result, or turns another close into an error.
func (c *Client) closeEventResult(event *historypb.HistoryEvent, workflowID, runID, workflowType string, valuePtr any) error {
	var cause error
	switch event.GetEventType() {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
		result := event.GetWorkflowExecutionCompletedEventAttributes().GetResult()
		if valuePtr == nil || result == nil {
			return nil
		}
		if err := c.opts.DataConverter.FromPayloads(result, valuePtr); err != nil {
			return fmt.Errorf("decoding result of workflow %q: %w", workflowID, err)
		}
		return nil
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
		cause = c.opts.FailureConverter.FailureToError(event.GetWorkflowExecutionFailedEventAttributes().GetFailure())
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
		cause = sundial.NewCanceledError(c.encodedDetails(event.GetWorkflowExecutionCanceledEventAttributes().GetDetails())...)
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
		attrs := event.GetWorkflowExecutionTerminatedEventAttributes()
		cause = sundial.NewTerminatedError(attrs.GetReason())
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
		cause = sundial.NewTimeoutError("workflow timed out", enumspb.TIMEOUT_TYPE_START_TO_CLOSE, nil)
	default:
		return fmt.Errorf("unexpected close event %s for workflow %q", event.GetEventType(), workflowID)
	}
	return sundial.NewWorkflowExecutionError(workflowID, runID, workflowType, cause)
}

// encodedDetails wraps payloads as error details decodable with the client's converter.
func (c *Client) encodedDetails(payloads *commonpb.Payloads) []any {
	if payloads == nil {
		return nil
	}
	return []any{converter.NewEncodedValues(payloads, c.opts.DataConverter)}
}
