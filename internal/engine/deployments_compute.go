package engine

import (
	"context"
	"slices"

	computepb "go.temporal.io/api/compute/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

// Compute configs ask the server to run a version's workers itself (serverless
// workers) through a compute provider. Temporal's server v1.32.0, as shipped,
// has no compute provider: it refuses every scaling group that names one with
// this text, and accepts a change that only removes groups. Sundial launches
// no workers either and answers the same way, so it never holds a compute
// config and Describe shows none.
const errTextNoComputeProvider = "%s: Could not instantiate compute provider with type '%s'"

// errTextNoProviderInGroup answers a scaling group without a provider, which
// Temporal v1.32.0 fails with an Internal error.
const errTextNoProviderInGroup = "%s: a scaling group needs a compute provider"

// refuseScalingGroups is the answer to scaling groups to add or change: the
// first, by name, is refused.
func refuseScalingGroups(groups map[string]*computepb.ComputeConfigScalingGroup) error {
	names := make([]string, 0, len(groups))
	for name := range groups {
		names = append(names, name)
	}
	if len(names) == 0 {
		return nil
	}
	first := slices.Min(names)
	if p := groups[first].GetProvider(); p != nil {
		return serviceerror.NewInvalidArgumentf(errTextNoComputeProvider, first, p.GetType())
	}
	return serviceerror.NewInvalidArgumentf(errTextNoProviderInGroup, first)
}

// scalingGroupsOfUpdates are the groups an update adds or changes.
func scalingGroupsOfUpdates(updates map[string]*computepb.ComputeConfigScalingGroupUpdate) map[string]*computepb.ComputeConfigScalingGroup {
	out := make(map[string]*computepb.ComputeConfigScalingGroup, len(updates))
	for name, u := range updates {
		out[name] = u.GetScalingGroup()
	}
	return out
}

// requireVersion answers NotFound, with Temporal's text, unless the version
// exists.
func (e *Engine) requireVersion(nsID, deployment, buildID string) error {
	d := e.deploys.get(nsID, deployment)
	if d == nil || d.doc.Versions[buildID] == nil {
		return serviceerror.NewNotFoundf(errTextVersionNotFound, buildID, deployment)
	}
	return nil
}

// UpdateWorkerDeploymentVersionComputeConfig changes a version's compute
// config: removing scaling groups is accepted (there are none), adding or
// changing one is refused as Temporal's server refuses it.
func (e *Engine) UpdateWorkerDeploymentVersionComputeConfig(ctx context.Context, req *workflowservice.UpdateWorkerDeploymentVersionComputeConfigRequest) (*workflowservice.UpdateWorkerDeploymentVersionComputeConfigResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	v := req.GetDeploymentVersion()
	if err := e.requireVersion(ns.id, v.GetDeploymentName(), v.GetBuildId()); err != nil {
		return nil, err
	}
	if err := refuseScalingGroups(scalingGroupsOfUpdates(req.GetComputeConfigScalingGroups())); err != nil {
		return nil, err
	}
	return &workflowservice.UpdateWorkerDeploymentVersionComputeConfigResponse{}, nil
}

// ValidateWorkerDeploymentVersionComputeConfig answers what
// UpdateWorkerDeploymentVersionComputeConfig would, changing nothing.
// (Temporal's server v1.32.0 waits on its controller for scaling groups
// with a provider until the request times out.)
func (e *Engine) ValidateWorkerDeploymentVersionComputeConfig(ctx context.Context, req *workflowservice.ValidateWorkerDeploymentVersionComputeConfigRequest) (*workflowservice.ValidateWorkerDeploymentVersionComputeConfigResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	if v := req.GetDeploymentVersion(); v != nil {
		if err := e.requireVersion(ns.id, v.GetDeploymentName(), v.GetBuildId()); err != nil {
			return nil, err
		}
	}
	if err := refuseScalingGroups(scalingGroupsOfUpdates(req.GetComputeConfigScalingGroups())); err != nil {
		return nil, err
	}
	return &workflowservice.ValidateWorkerDeploymentVersionComputeConfigResponse{}, nil
}
