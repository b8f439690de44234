package frontend

import (
	"context"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

// The pre-release Deployment RPCs, replaced by worker deployments, are gone
// from Temporal's server: it answers them Unimplemented with this text, and
// so does Sundial.
const deploymentsDeprecatedText = "Deployments are deprecated and no longer supported, use Worker Deployments instead"

func errDeploymentsDeprecated() error {
	return serviceerror.NewUnimplemented(deploymentsDeprecatedText)
}

func (h *Handler) DescribeDeployment(_ context.Context, req *workflowservice.DescribeDeploymentRequest) (*workflowservice.DescribeDeploymentResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	return nil, errDeploymentsDeprecated()
}

func (h *Handler) ListDeployments(_ context.Context, req *workflowservice.ListDeploymentsRequest) (*workflowservice.ListDeploymentsResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	return nil, errDeploymentsDeprecated()
}

func (h *Handler) GetDeploymentReachability(_ context.Context, req *workflowservice.GetDeploymentReachabilityRequest) (*workflowservice.GetDeploymentReachabilityResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	return nil, errDeploymentsDeprecated()
}

func (h *Handler) GetCurrentDeployment(_ context.Context, req *workflowservice.GetCurrentDeploymentRequest) (*workflowservice.GetCurrentDeploymentResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	return nil, errDeploymentsDeprecated()
}

func (h *Handler) SetCurrentDeployment(_ context.Context, req *workflowservice.SetCurrentDeploymentRequest) (*workflowservice.SetCurrentDeploymentResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	return nil, errDeploymentsDeprecated()
}
