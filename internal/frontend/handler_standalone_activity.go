package frontend

import (
	"context"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

// Standalone activities: activities started by a client rather than by a
// workflow (StartActivityExecution and the RPCs that observe and control
// them). The engine keeps each as a run of its own; see
// internal/engine/standalone_start.go.

// StartActivityExecution starts a standalone activity.
func (h *Handler) StartActivityExecution(ctx context.Context, req *workflowservice.StartActivityExecutionRequest) (*workflowservice.StartActivityExecutionResponse, error) {
	return serve(ctx, h, req, validateStartActivityExecution, h.engine.StartActivityExecution)
}

// DescribeActivityExecution reports a standalone activity's state.
func (h *Handler) DescribeActivityExecution(ctx context.Context, req *workflowservice.DescribeActivityExecutionRequest) (*workflowservice.DescribeActivityExecutionResponse, error) {
	return serve(ctx, h, req, validateDescribeActivityExecution, h.engine.DescribeActivityExecution)
}

// PollActivityExecution waits for a standalone activity's outcome.
func (h *Handler) PollActivityExecution(ctx context.Context, req *workflowservice.PollActivityExecutionRequest) (*workflowservice.PollActivityExecutionResponse, error) {
	return serve(ctx, h, req, func(r *workflowservice.PollActivityExecutionRequest, lim Limits) error {
		return validateActivityRef(r, lim, r.GetActivityId(), r.GetRunId())
	}, h.engine.PollActivityExecution)
}

// ListActivityExecutions lists standalone activities matching a query.
func (h *Handler) ListActivityExecutions(ctx context.Context, req *workflowservice.ListActivityExecutionsRequest) (*workflowservice.ListActivityExecutionsResponse, error) {
	return serve(ctx, h, req, func(r *workflowservice.ListActivityExecutionsRequest, lim Limits) error {
		if r == nil {
			return errNilRequest()
		}
		c := newChecker(lim, scopeRequest)
		return firstError(c.namespace(r.GetNamespace()), c.pageSize("PageSize", r.GetPageSize()))
	}, h.engine.ListActivityExecutions)
}

// CountActivityExecutions counts standalone activities matching a query.
func (h *Handler) CountActivityExecutions(ctx context.Context, req *workflowservice.CountActivityExecutionsRequest) (*workflowservice.CountActivityExecutionsResponse, error) {
	return serve(ctx, h, req, func(r *workflowservice.CountActivityExecutionsRequest, lim Limits) error {
		if r == nil {
			return errNilRequest()
		}
		return newChecker(lim, scopeRequest).namespace(r.GetNamespace())
	}, h.engine.CountActivityExecutions)
}

// RequestCancelActivityExecution asks a standalone activity to stop.
func (h *Handler) RequestCancelActivityExecution(ctx context.Context, req *workflowservice.RequestCancelActivityExecutionRequest) (*workflowservice.RequestCancelActivityExecutionResponse, error) {
	return serve(ctx, h, req, func(r *workflowservice.RequestCancelActivityExecutionRequest, lim Limits) error {
		return validateActivityControl(r, lim, r.GetActivityId(), r.GetRunId(), r.GetIdentity(), r.GetRequestId(), r.GetReason())
	}, h.engine.RequestCancelActivityExecution)
}

// TerminateActivityExecution ends a standalone activity.
func (h *Handler) TerminateActivityExecution(ctx context.Context, req *workflowservice.TerminateActivityExecutionRequest) (*workflowservice.TerminateActivityExecutionResponse, error) {
	return serve(ctx, h, req, func(r *workflowservice.TerminateActivityExecutionRequest, lim Limits) error {
		return validateActivityControl(r, lim, r.GetActivityId(), r.GetRunId(), r.GetIdentity(), r.GetRequestId(), r.GetReason())
	}, h.engine.TerminateActivityExecution)
}

// DeleteActivityExecution removes a standalone activity.
func (h *Handler) DeleteActivityExecution(ctx context.Context, req *workflowservice.DeleteActivityExecutionRequest) (*workflowservice.DeleteActivityExecutionResponse, error) {
	return serve(ctx, h, req, func(r *workflowservice.DeleteActivityExecutionRequest, lim Limits) error {
		return validateActivityRef(r, lim, r.GetActivityId(), r.GetRunId())
	}, h.engine.DeleteActivityExecution)
}

func validateStartActivityExecution(req *workflowservice.StartActivityExecutionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(
		c.namespace(req.GetNamespace()),
		activityIDRequired(c, req.GetActivityId()),
		typeRequired(c, req.GetActivityType().GetName()),
		c.taskQueue("TaskQueue", req.GetTaskQueue()),
		c.optional("RequestId", req.GetRequestId()),
		c.optional("Identity", req.GetIdentity()),
		c.duration("ScheduleToCloseTimeout", req.GetScheduleToCloseTimeout()),
		c.duration("ScheduleToStartTimeout", req.GetScheduleToStartTimeout()),
		c.duration("StartToCloseTimeout", req.GetStartToCloseTimeout()),
		c.duration("HeartbeatTimeout", req.GetHeartbeatTimeout()),
		c.duration("StartDelay", req.GetStartDelay()),
		c.retryPolicy(req.GetRetryPolicy()),
		c.priority("Priority", req.GetPriority()),
		knownEnum("IdReusePolicy", req.GetIdReusePolicy()),
		knownEnum("IdConflictPolicy", req.GetIdConflictPolicy()),
		c.blob("Input", req.GetInput()),
		c.blob("SearchAttributes", req.GetSearchAttributes()),
		c.blob("Header", req.GetHeader()),
		c.blob("UserMetadata", req.GetUserMetadata()),
	); err != nil {
		return err
	}
	if len(req.GetCompletionCallbacks()) > 0 {
		return serviceerror.NewInvalidArgument("completion callbacks are not enabled for this namespace")
	}
	switch req.GetIdConflictPolicy() {
	case enumspb.ACTIVITY_ID_CONFLICT_POLICY_UNSPECIFIED, enumspb.ACTIVITY_ID_CONFLICT_POLICY_FAIL, enumspb.ACTIVITY_ID_CONFLICT_POLICY_USE_EXISTING:
	default:
		return serviceerror.NewInvalidArgumentf("unsupported ID conflict policy: %v", req.GetIdConflictPolicy())
	}
	return nil
}

// activityIDRequired and typeRequired answer Temporal's texts for a missing
// activity id and type.
func activityIDRequired(c checker, id string) error {
	if id == "" {
		return serviceerror.NewInvalidArgument("activityId is not set")
	}
	return c.optional("ActivityId", id)
}

func typeRequired(c checker, name string) error {
	if name == "" {
		return serviceerror.NewInvalidArgument("activityType is not set")
	}
	return c.optional("ActivityType", name)
}

type namespaced interface{ GetNamespace() string }

// validateActivityRef checks a request that names a standalone activity.
func validateActivityRef(req namespaced, lim Limits, activityID, runID string) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := c.namespace(req.GetNamespace()); err != nil {
		return err
	}
	if activityID == "" {
		return serviceerror.NewInvalidArgument("activity ID is required")
	}
	return firstError(c.optional("ActivityId", activityID), c.runID("RunId", runID))
}

func validateDescribeActivityExecution(req *workflowservice.DescribeActivityExecutionRequest, lim Limits) error {
	if err := validateActivityRef(req, lim, req.GetActivityId(), req.GetRunId()); err != nil {
		return err
	}
	if len(req.GetLongPollToken()) > 0 && req.GetRunId() == "" {
		return serviceerror.NewInvalidArgument("run id is required when long poll token is provided")
	}
	return nil
}

func validateActivityControl(req namespaced, lim Limits, activityID, runID, identity, requestID, reason string) error {
	if err := validateActivityRef(req, lim, activityID, runID); err != nil {
		return err
	}
	c := newChecker(lim, scopeRequest)
	return firstError(c.optional("Identity", identity), c.optional("RequestId", requestID), c.optional("Reason", reason))
}
