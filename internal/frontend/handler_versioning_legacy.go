package frontend

import (
	"context"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

// Sundial does not implement the deprecated build-id versioning (v0.1, by
// version sets; v0.2, by rules). Its RPCs answer as Temporal's server does
// when a namespace has them switched off (its default): PermissionDenied
// with Temporal's texts, which the SDKs and the CLI recognise.
var (
	errVersioningV01Disabled = serviceerror.NewPermissionDenied("Worker versioning v0.1 (Version Set-based, deprecated) is disabled on this namespace.", "")
	errVersioningV02Disabled = serviceerror.NewPermissionDenied("Worker versioning v0.2 (Rules-based, deprecated) is disabled on this namespace.", "")
)

func (h *Handler) UpdateWorkerBuildIdCompatibility(_ context.Context, req *workflowservice.UpdateWorkerBuildIdCompatibilityRequest) (*workflowservice.UpdateWorkerBuildIdCompatibilityResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	return nil, errVersioningV01Disabled
}

func (h *Handler) GetWorkerBuildIdCompatibility(_ context.Context, req *workflowservice.GetWorkerBuildIdCompatibilityRequest) (*workflowservice.GetWorkerBuildIdCompatibilityResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	return nil, errVersioningV01Disabled
}

func (h *Handler) UpdateWorkerVersioningRules(_ context.Context, req *workflowservice.UpdateWorkerVersioningRulesRequest) (*workflowservice.UpdateWorkerVersioningRulesResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	return nil, errVersioningV02Disabled
}

func (h *Handler) GetWorkerVersioningRules(_ context.Context, req *workflowservice.GetWorkerVersioningRulesRequest) (*workflowservice.GetWorkerVersioningRulesResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	return nil, errVersioningV02Disabled
}

func (h *Handler) GetWorkerTaskReachability(_ context.Context, req *workflowservice.GetWorkerTaskReachabilityRequest) (*workflowservice.GetWorkerTaskReachabilityResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	return nil, errVersioningV02Disabled
}
