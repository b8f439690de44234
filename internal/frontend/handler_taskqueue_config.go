package frontend

import (
	"context"
	"math"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/engine"
)

// UpdateTaskQueueConfig sets a task queue's rate limits and fairness weight
// overrides.
func (h *Handler) UpdateTaskQueueConfig(ctx context.Context, req *workflowservice.UpdateTaskQueueConfigRequest) (*workflowservice.UpdateTaskQueueConfigResponse, error) {
	return serve(ctx, h, req, validateUpdateTaskQueueConfig, h.engine.UpdateTaskQueueConfig)
}

// maxRateLimitReasonLength is Temporal's limit on the reason of a rate limit
// update (service/frontend).
const maxRateLimitReasonLength = 1000

// validateUpdateTaskQueueConfig checks an UpdateTaskQueueConfigRequest in the
// order and with the texts of Temporal's frontend. Beyond Temporal, it refuses
// rates and weights that are NaN or infinite, and a type other than workflow,
// activity or Nexus.
func validateUpdateTaskQueueConfig(req *workflowservice.UpdateTaskQueueConfigRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(
		c.namespace(req.GetNamespace()),
		c.taskQueueName("TaskQueue", req.GetTaskQueue()),
		knownEnum("TaskQueueType", req.GetTaskQueueType()),
	); err != nil {
		return err
	}
	if req.GetTaskQueueType() == enumspb.TASK_QUEUE_TYPE_UNSPECIFIED {
		return c.notSet("TaskQueueType")
	}
	workflow := req.GetTaskQueueType() == enumspb.TASK_QUEUE_TYPE_WORKFLOW
	queue := req.GetUpdateQueueRateLimit()
	if queue.GetRateLimit() != nil && workflow {
		return invalid("Setting rate limit on workflow task queues is not allowed.")
	}
	if err := validateRateLimitUpdate(queue, "UpdateQueueRateLimit"); err != nil {
		return err
	}
	perKey := req.GetUpdateFairnessKeyRateLimitDefault()
	if perKey.GetRateLimit() != nil && workflow {
		return invalid("Setting fairness key rate limit on workflow task queues is not allowed.")
	}
	if err := validateRateLimitUpdate(perKey, "UpdateFairnessKeyRateLimitDefault"); err != nil {
		return err
	}
	if err := fieldNotTooLong("Identity", req.GetIdentity(), c.lim.MaxIDLength); err != nil {
		return err
	}
	return validateFairnessWeightUpdate(req.GetSetFairnessWeightOverrides(), req.GetUnsetFairnessWeightOverrides())
}

// validateRateLimitUpdate checks one rate limit update: a rate, when given,
// that is finite and not negative, and a reason within Temporal's length.
func validateRateLimitUpdate(u *workflowservice.UpdateTaskQueueConfigRequest_RateLimitUpdate, label string) error {
	if u == nil {
		return nil
	}
	if r := u.GetRateLimit(); r != nil {
		rps := float64(r.GetRequestsPerSecond())
		if rps < 0 {
			return invalid("RequestsPerSecond for %s rate limit must be non-negative.", label)
		}
		if math.IsNaN(rps) || math.IsInf(rps, 0) {
			return invalid("RequestsPerSecond for %s rate limit must be a finite number.", label)
		}
	}
	return fieldNotTooLong(label+".Reason", u.GetReason(), maxRateLimitReasonLength)
}

// fieldNotTooLong refuses a string field over maxLen bytes in Temporal's words.
func fieldNotTooLong(field, value string, maxLen int) error {
	if len(value) > maxLen {
		return invalid("%s field too long (max %d characters).", field, maxLen)
	}
	return nil
}

// validateFairnessWeightUpdate checks the fairness weight overrides to set and
// to unset: not too many, keys not empty nor too long, weights positive and
// finite, no key in both.
func validateFairnessWeightUpdate(set map[string]float32, unset []string) error {
	if n := len(set) + len(unset); n > engine.MaxFairnessWeightOverrides {
		return invalid("too many fairness weight overrides in request: got %d, maximum %d", n, engine.MaxFairnessWeightOverrides)
	}
	for k, w := range set {
		if err := validateFairnessKey(k); err != nil {
			return err
		}
		if !(w > 0) || math.IsInf(float64(w), 0) {
			return invalid("invalid fairness weight weight for key %s: %s", quote(k), weightProblem(w))
		}
	}
	for _, k := range unset {
		if err := validateFairnessKey(k); err != nil {
			return err
		}
	}
	for _, k := range unset {
		if _, ok := set[k]; ok {
			return invalid("fairness weight override key %s present in both set and unset lists", quote(k))
		}
	}
	return nil
}

// weightProblem says what is wrong with a weight that is not positive and finite.
func weightProblem(w float32) string {
	if w <= 0 {
		return "must be greater than zero"
	}
	return "must be a finite number"
}

func validateFairnessKey(k string) error {
	if k == "" {
		return invalid("fairness weight override key must not be empty")
	}
	if len(k) > maxFairnessKeyLength {
		return invalid("fairness key length exceeds limit")
	}
	return nil
}
