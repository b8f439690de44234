package frontend

import (
	"context"

	computepb "go.temporal.io/api/compute/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// maxScalingGroupsPerRequest bounds the scaling groups one compute config
// request may name (added, changed or removed).
const maxScalingGroupsPerRequest = 100

func (h *Handler) UpdateWorkerDeploymentVersionComputeConfig(ctx context.Context, req *workflowservice.UpdateWorkerDeploymentVersionComputeConfigRequest) (*workflowservice.UpdateWorkerDeploymentVersionComputeConfigResponse, error) {
	return serve(ctx, h, req, validateUpdateComputeConfig, h.engine.UpdateWorkerDeploymentVersionComputeConfig)
}

func (h *Handler) ValidateWorkerDeploymentVersionComputeConfig(ctx context.Context, req *workflowservice.ValidateWorkerDeploymentVersionComputeConfigRequest) (*workflowservice.ValidateWorkerDeploymentVersionComputeConfigResponse, error) {
	return serve(ctx, h, req, validateValidateComputeConfig, h.engine.ValidateWorkerDeploymentVersionComputeConfig)
}

// validateUpdateComputeConfig checks the request with Temporal's texts.
func validateUpdateComputeConfig(req *workflowservice.UpdateWorkerDeploymentVersionComputeConfigRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(c.namespace(req.GetNamespace()), c.optional("Identity", req.GetIdentity()), c.optional("RequestId", req.GetRequestId())); err != nil {
		return err
	}
	if req.GetDeploymentVersion().GetDeploymentName() == "" {
		return invalid("deployment name cannot be empty")
	}
	if req.GetDeploymentVersion().GetBuildId() == "" {
		return invalid("build ID cannot be empty")
	}
	return scalingGroupChanges(lim, req.GetComputeConfigScalingGroups(), req.GetRemoveComputeConfigScalingGroups())
}

func validateValidateComputeConfig(req *workflowservice.ValidateWorkerDeploymentVersionComputeConfigRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(c.namespace(req.GetNamespace()), c.optional("Identity", req.GetIdentity())); err != nil {
		return err
	}
	return scalingGroupChanges(lim, req.GetComputeConfigScalingGroups(), req.GetRemoveComputeConfigScalingGroups())
}

// scalingGroupChanges bounds the scaling groups a request names.
func scalingGroupChanges(lim Limits, upserts map[string]*computepb.ComputeConfigScalingGroupUpdate, removes []string) error {
	if len(upserts)+len(removes) > maxScalingGroupsPerRequest {
		return invalid("a request may name at most %d scaling groups", maxScalingGroupsPerRequest)
	}
	max := lim.withDefaults().MaxIDLength
	for name := range upserts {
		if len(name) > max {
			return invalid("scaling group name is longer than %d bytes", max)
		}
	}
	for _, name := range removes {
		if len(name) > max {
			return invalid("scaling group name is longer than %d bytes", max)
		}
	}
	return nil
}
