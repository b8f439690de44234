package frontend

import (
	"context"

	activitypb "go.temporal.io/api/activity/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/sundialdev/sundial/internal/engine"
)

// Operator actions on a workflow's pending activities.

// PauseActivity pauses pending activities of a workflow.
func (h *Handler) PauseActivity(ctx context.Context, req *workflowservice.PauseActivityRequest) (*workflowservice.PauseActivityResponse, error) {
	return serve(ctx, h, req, validatePauseActivity, h.engine.PauseActivity)
}

// UnpauseActivity resumes paused activities of a workflow.
func (h *Handler) UnpauseActivity(ctx context.Context, req *workflowservice.UnpauseActivityRequest) (*workflowservice.UnpauseActivityResponse, error) {
	return serve(ctx, h, req, validateUnpauseActivity, h.engine.UnpauseActivity)
}

// ResetActivity sets pending activities of a workflow back to their first attempt.
func (h *Handler) ResetActivity(ctx context.Context, req *workflowservice.ResetActivityRequest) (*workflowservice.ResetActivityResponse, error) {
	return serve(ctx, h, req, validateResetActivity, h.engine.ResetActivity)
}

// UpdateActivityOptions changes the options of pending activities of a workflow.
func (h *Handler) UpdateActivityOptions(ctx context.Context, req *workflowservice.UpdateActivityOptionsRequest) (*workflowservice.UpdateActivityOptionsResponse, error) {
	return serve(ctx, h, req, validateUpdateActivityOptions, h.engine.UpdateActivityOptions)
}

// errActivityIDOrTypeNotSet is Temporal's text for a request that names no
// activity (service/frontend/errors.go).
func errActivityIDOrTypeNotSet() error {
	return invalid("Either Activity.Id or Activity.Type should be set on request.")
}

// activityOpCommon checks the fields every activity operation carries.
func (c checker) activityOpCommon(namespace string, ex interface {
	GetWorkflowId() string
	GetRunId() string
}, identity string) error {
	return firstError(
		c.namespace(namespace),
		c.required("WorkflowId", ex.GetWorkflowId()),
		c.runID("RunId", ex.GetRunId()),
		c.optional("Identity", identity),
	)
}

// activitySelector checks how an operation names its activities: a non-empty
// id or type, or "all" set to true where the request has it.
func (c checker) activitySelector(set bool, id, typ string, all bool) error {
	switch {
	case !set:
		return errActivityIDOrTypeNotSet()
	case id != "":
		return c.optional("Activity.Id", id)
	case typ != "":
		return c.optional("Activity.Type", typ)
	case all:
		return nil
	}
	return errActivityIDOrTypeNotSet()
}

// jitter checks an optional jitter: a well formed, non-negative duration.
func (c checker) jitter(d *durationpb.Duration) error {
	return c.duration("Jitter", d)
}

func validatePauseActivity(req *workflowservice.PauseActivityRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.activityOpCommon(req.GetNamespace(), req.GetExecution(), req.GetIdentity()),
		c.activitySelector(req.GetActivity() != nil, req.GetId(), req.GetType(), false),
		c.optional("Reason", req.GetReason()),
		c.optional("RequestId", req.GetRequestId()),
	)
}

func validateUnpauseActivity(req *workflowservice.UnpauseActivityRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.activityOpCommon(req.GetNamespace(), req.GetExecution(), req.GetIdentity()),
		c.activitySelector(req.GetActivity() != nil, req.GetId(), req.GetType(), req.GetUnpauseAll()),
		c.jitter(req.GetJitter()),
	)
}

func validateResetActivity(req *workflowservice.ResetActivityRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.activityOpCommon(req.GetNamespace(), req.GetExecution(), req.GetIdentity()),
		c.activitySelector(req.GetActivity() != nil, req.GetId(), req.GetType(), req.GetMatchAll()),
		c.jitter(req.GetJitter()),
	)
}

func validateUpdateActivityOptions(req *workflowservice.UpdateActivityOptionsRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(
		c.activityOpCommon(req.GetNamespace(), req.GetExecution(), req.GetIdentity()),
		c.activitySelector(req.GetActivity() != nil, req.GetId(), req.GetType(), req.GetMatchAll()),
	); err != nil {
		return err
	}
	return c.activityOptionsUpdate(req.GetActivityOptions(), req.GetUpdateMask(), req.GetRestoreOriginal())
}

// activityOptionsUpdate checks new activity options and the mask that
// picks which of them apply, or a request to restore the original ones.
func (c checker) activityOptionsUpdate(options *activitypb.ActivityOptions, mask *fieldmaskpb.FieldMask, restoreOriginal bool) error {
	paths := mask.GetPaths()
	if restoreOriginal {
		if len(paths) > 0 {
			// Temporal's text (history/api/updateactivityoptions).
			return invalid("Both UpdateMask and RestoreOriginal are provided")
		}
		return nil
	}
	if options == nil {
		return invalid("ActivityOptions are not provided")
	}
	if mask == nil {
		return invalid("UpdateMask is not provided")
	}
	if len(paths) > len(engine.ActivityOptionsPaths) {
		return invalid("UpdateMask has %d paths; there are only %d activity options.", len(paths), len(engine.ActivityOptionsPaths))
	}
	for _, p := range paths {
		if _, ok := engine.CanonicalOptionsPath(p); !ok {
			return invalid("UpdateMask path %q is not an activity option that can be updated; known paths: %v.", p, engine.ActivityOptionsPaths)
		}
	}
	return c.activityOptions(options)
}

// activityOptions checks each value of new activity options; which of them
// apply is the mask's business, and their combination the engine's.
func (c checker) activityOptions(o *activitypb.ActivityOptions) error {
	return firstError(
		c.optionalTaskQueueName("ActivityOptions.TaskQueue.Name", o.GetTaskQueue().GetName()),
		c.duration("ActivityOptions.ScheduleToCloseTimeout", o.GetScheduleToCloseTimeout()),
		c.duration("ActivityOptions.ScheduleToStartTimeout", o.GetScheduleToStartTimeout()),
		c.duration("ActivityOptions.StartToCloseTimeout", o.GetStartToCloseTimeout()),
		c.duration("ActivityOptions.HeartbeatTimeout", o.GetHeartbeatTimeout()),
		c.duration("ActivityOptions.StartDelay", o.GetStartDelay()),
		c.retryPolicy(o.GetRetryPolicy()),
		c.priority("ActivityOptions.Priority", o.GetPriority()),
	)
}
