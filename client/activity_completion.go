package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/sundialdev/sundial"
	commonpb "go.temporal.io/api/common/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// CompleteActivity reports the outcome of an activity that returned
// sundial.ErrResultPending, identified by its task token. A nil err completes it with
// result; a *sundial.CanceledError (anywhere in err's chain) reports it canceled with
// that error's details; any other error fails it.
func (c *Client) CompleteActivity(ctx context.Context, taskToken []byte, result any, err error) error {
	if len(taskToken) == 0 {
		return errors.New("completing activity: task token is empty")
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	outcome, convErr := c.activityOutcome(result, err)
	if convErr != nil {
		return fmt.Errorf("completing activity: %w", convErr)
	}
	var rpcErr error
	switch {
	case outcome.canceled:
		_, rpcErr = c.service.RespondActivityTaskCanceled(ctx, &workflowservice.RespondActivityTaskCanceledRequest{
			TaskToken: taskToken, Details: outcome.details, Identity: c.opts.Identity, Namespace: c.opts.Namespace,
		})
	case outcome.failure != nil:
		_, rpcErr = c.service.RespondActivityTaskFailed(ctx, &workflowservice.RespondActivityTaskFailedRequest{
			TaskToken: taskToken, Failure: outcome.failure, Identity: c.opts.Identity, Namespace: c.opts.Namespace,
		})
	default:
		_, rpcErr = c.service.RespondActivityTaskCompleted(ctx, &workflowservice.RespondActivityTaskCompletedRequest{
			TaskToken: taskToken, Result: outcome.result, Identity: c.opts.Identity, Namespace: c.opts.Namespace,
		})
	}
	if rpcErr != nil {
		return fmt.Errorf("completing activity: %w", rpcErr)
	}
	return nil
}

// CompleteActivityByID is CompleteActivity for an activity identified by namespace
// (empty means the client's), workflow id, run id (empty means the latest run) and
// activity id.
func (c *Client) CompleteActivityByID(ctx context.Context, namespace, workflowID, runID, activityID string, result any, err error) error {
	if namespace == "" {
		namespace = c.opts.Namespace
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	outcome, convErr := c.activityOutcome(result, err)
	if convErr != nil {
		return fmt.Errorf("completing activity %q: %w", activityID, convErr)
	}
	var rpcErr error
	switch {
	case outcome.canceled:
		_, rpcErr = c.service.RespondActivityTaskCanceledById(ctx, &workflowservice.RespondActivityTaskCanceledByIdRequest{
			Namespace: namespace, WorkflowId: workflowID, RunId: runID, ActivityId: activityID,
			Details: outcome.details, Identity: c.opts.Identity,
		})
	case outcome.failure != nil:
		_, rpcErr = c.service.RespondActivityTaskFailedById(ctx, &workflowservice.RespondActivityTaskFailedByIdRequest{
			Namespace: namespace, WorkflowId: workflowID, RunId: runID, ActivityId: activityID,
			Failure: outcome.failure, Identity: c.opts.Identity,
		})
	default:
		_, rpcErr = c.service.RespondActivityTaskCompletedById(ctx, &workflowservice.RespondActivityTaskCompletedByIdRequest{
			Namespace: namespace, WorkflowId: workflowID, RunId: runID, ActivityId: activityID,
			Result: outcome.result, Identity: c.opts.Identity,
		})
	}
	if rpcErr != nil {
		return fmt.Errorf("completing activity %q: %w", activityID, rpcErr)
	}
	return nil
}

// activityOutcome is what CompleteActivity sends: a result, canceled details, or a failure.
type activityOutcome struct {
	result   *commonpb.Payloads
	canceled bool
	details  *commonpb.Payloads
	failure  *failurepb.Failure
}

func (c *Client) activityOutcome(result any, err error) (activityOutcome, error) {
	if errors.Is(err, sundial.ErrResultPending) {
		return activityOutcome{}, errors.New("sundial.ErrResultPending is not an outcome")
	}
	if err == nil {
		var payloads *commonpb.Payloads
		if result != nil {
			var encErr error
			if payloads, encErr = c.opts.DataConverter.ToPayloads(result); encErr != nil {
				return activityOutcome{}, fmt.Errorf("encoding result: %w", encErr)
			}
		}
		return activityOutcome{result: payloads}, nil
	}
	var canceled *sundial.CanceledError
	if errors.As(err, &canceled) {
		details, encErr := c.encodeErrorDetails(canceled)
		if encErr != nil {
			return activityOutcome{}, fmt.Errorf("encoding cancellation details: %w", encErr)
		}
		return activityOutcome{canceled: true, details: details}, nil
	}
	return activityOutcome{failure: c.opts.FailureConverter.ErrorToFailure(err)}, nil
}

// encodeErrorDetails encodes the details of one of sundial's errors, passing details
// decoded from payloads through untouched.
func (c *Client) encodeErrorDetails(err error) (*commonpb.Payloads, error) {
	values := sundial.DetailValues(err)
	if len(values) == 1 {
		if ev, ok := values[0].(interface{ Payloads() *commonpb.Payloads }); ok {
			return ev.Payloads(), nil
		}
	}
	return c.opts.DataConverter.ToPayloads(values...)
}

// RecordActivityHeartbeat records progress details for a running activity identified by
// its task token. It returns a *sundial.CanceledError when cancellation of the activity
// was requested, sundial.ErrActivityPaused or sundial.ErrActivityReset when it was
// paused or reset; the activity should then stop.
func (c *Client) RecordActivityHeartbeat(ctx context.Context, taskToken []byte, details ...any) error {
	payloads, err := c.opts.DataConverter.ToPayloads(details...)
	if err != nil {
		return fmt.Errorf("encoding heartbeat details: %w", err)
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := c.service.RecordActivityTaskHeartbeat(ctx, &workflowservice.RecordActivityTaskHeartbeatRequest{
		TaskToken: taskToken, Details: payloads, Identity: c.opts.Identity, Namespace: c.opts.Namespace,
	})
	if err != nil {
		return fmt.Errorf("recording activity heartbeat: %w", err)
	}
	return heartbeatVerdict(resp.GetCancelRequested(), resp.GetActivityPaused(), resp.GetActivityReset())
}

// RecordActivityHeartbeatByID is RecordActivityHeartbeat for an activity identified by
// namespace (empty means the client's), workflow id, run id and activity id.
func (c *Client) RecordActivityHeartbeatByID(ctx context.Context, namespace, workflowID, runID, activityID string, details ...any) error {
	if namespace == "" {
		namespace = c.opts.Namespace
	}
	payloads, err := c.opts.DataConverter.ToPayloads(details...)
	if err != nil {
		return fmt.Errorf("encoding heartbeat details: %w", err)
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := c.service.RecordActivityTaskHeartbeatById(ctx, &workflowservice.RecordActivityTaskHeartbeatByIdRequest{
		Namespace: namespace, WorkflowId: workflowID, RunId: runID, ActivityId: activityID,
		Details: payloads, Identity: c.opts.Identity,
	})
	if err != nil {
		return fmt.Errorf("recording heartbeat of activity %q: %w", activityID, err)
	}
	return heartbeatVerdict(resp.GetCancelRequested(), resp.GetActivityPaused(), resp.GetActivityReset())
}

// heartbeatVerdict turns the flags of a heartbeat response into the error the activity sees.
func heartbeatVerdict(cancelRequested, paused, reset bool) error {
	switch {
	case cancelRequested:
		return sundial.NewCanceledError()
	case paused:
		return sundial.ErrActivityPaused
	case reset:
		return sundial.ErrActivityReset
	default:
		return nil
	}
}
