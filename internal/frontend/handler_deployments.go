package frontend

import (
	"context"
	"math"
	"strings"

	deploymentpb "go.temporal.io/api/deployment/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// Worker deployment RPCs: validation with Temporal's texts (its
// worker_versioning.ValidateDeploymentVersionFields and frontend handler),
// then the engine (internal/engine/deployments*.go).

func (h *Handler) ListWorkerDeployments(ctx context.Context, req *workflowservice.ListWorkerDeploymentsRequest) (*workflowservice.ListWorkerDeploymentsResponse, error) {
	return serve(ctx, h, req, validateListWorkerDeployments, h.engine.ListWorkerDeployments)
}

func (h *Handler) DescribeWorkerDeployment(ctx context.Context, req *workflowservice.DescribeWorkerDeploymentRequest) (*workflowservice.DescribeWorkerDeploymentResponse, error) {
	return serve(ctx, h, req, validateDescribeWorkerDeployment, h.engine.DescribeWorkerDeployment)
}

func (h *Handler) DescribeWorkerDeploymentVersion(ctx context.Context, req *workflowservice.DescribeWorkerDeploymentVersionRequest) (*workflowservice.DescribeWorkerDeploymentVersionResponse, error) {
	return serve(ctx, h, req, validateDescribeWorkerDeploymentVersion, h.engine.DescribeWorkerDeploymentVersion)
}

func (h *Handler) SetWorkerDeploymentCurrentVersion(ctx context.Context, req *workflowservice.SetWorkerDeploymentCurrentVersionRequest) (*workflowservice.SetWorkerDeploymentCurrentVersionResponse, error) {
	return serve(ctx, h, req, validateSetWorkerDeploymentCurrentVersion, h.engine.SetWorkerDeploymentCurrentVersion)
}

func (h *Handler) SetWorkerDeploymentRampingVersion(ctx context.Context, req *workflowservice.SetWorkerDeploymentRampingVersionRequest) (*workflowservice.SetWorkerDeploymentRampingVersionResponse, error) {
	return serve(ctx, h, req, validateSetWorkerDeploymentRampingVersion, h.engine.SetWorkerDeploymentRampingVersion)
}

func (h *Handler) SetWorkerDeploymentManager(ctx context.Context, req *workflowservice.SetWorkerDeploymentManagerRequest) (*workflowservice.SetWorkerDeploymentManagerResponse, error) {
	return serve(ctx, h, req, validateSetWorkerDeploymentManager, h.engine.SetWorkerDeploymentManager)
}

func (h *Handler) UpdateWorkerDeploymentVersionMetadata(ctx context.Context, req *workflowservice.UpdateWorkerDeploymentVersionMetadataRequest) (*workflowservice.UpdateWorkerDeploymentVersionMetadataResponse, error) {
	return serve(ctx, h, req, validateUpdateWorkerDeploymentVersionMetadata, h.engine.UpdateWorkerDeploymentVersionMetadata)
}

func (h *Handler) DeleteWorkerDeploymentVersion(ctx context.Context, req *workflowservice.DeleteWorkerDeploymentVersionRequest) (*workflowservice.DeleteWorkerDeploymentVersionResponse, error) {
	return serve(ctx, h, req, validateDeleteWorkerDeploymentVersion, h.engine.DeleteWorkerDeploymentVersion)
}

func (h *Handler) DeleteWorkerDeployment(ctx context.Context, req *workflowservice.DeleteWorkerDeploymentRequest) (*workflowservice.DeleteWorkerDeploymentResponse, error) {
	return serve(ctx, h, req, validateDeleteWorkerDeployment, h.engine.DeleteWorkerDeployment)
}

func (h *Handler) CreateWorkerDeployment(ctx context.Context, req *workflowservice.CreateWorkerDeploymentRequest) (*workflowservice.CreateWorkerDeploymentResponse, error) {
	return serve(ctx, h, req, validateCreateWorkerDeployment, h.engine.CreateWorkerDeployment)
}

func (h *Handler) CreateWorkerDeploymentVersion(ctx context.Context, req *workflowservice.CreateWorkerDeploymentVersionRequest) (*workflowservice.CreateWorkerDeploymentVersionResponse, error) {
	return serve(ctx, h, req, validateCreateWorkerDeploymentVersion, h.engine.CreateWorkerDeploymentVersion)
}

func (h *Handler) UpdateWorkflowExecutionOptions(ctx context.Context, req *workflowservice.UpdateWorkflowExecutionOptionsRequest) (*workflowservice.UpdateWorkflowExecutionOptionsResponse, error) {
	return serve(ctx, h, req, validateUpdateWorkflowExecutionOptions, h.engine.UpdateWorkflowExecutionOptions)
}

// deploymentIDPrefixLength is the length of the prefix Temporal puts before
// a version in the id of the workflow that backs it ("temporal-sys-worker-
// deployment-version:"); a deployment name or build id may take half of the
// id length that remains.
const deploymentIDPrefixLength = 39

const (
	fieldDeploymentName = "WorkerDeploymentName"
	fieldBuildID        = "BuildID"
)

// deploymentField checks a deployment name or a build id as Temporal does.
func deploymentField(lim Limits, field, value string) error {
	if value == "" {
		return invalid("%s cannot be empty", field)
	}
	if len(value) > (lim.withDefaults().MaxIDLength-deploymentIDPrefixLength)/2 {
		return invalid("size of %s larger than the maximum allowed", field)
	}
	if field == fieldDeploymentName {
		for _, sep := range []string{".", ":"} {
			if strings.Contains(value, sep) {
				return invalid("worker deployment name cannot contain '%s'", sep)
			}
		}
	}
	if strings.HasPrefix(value, "__") {
		return invalid("%s cannot start with '__'", field)
	}
	return nil
}

// deploymentVersion checks a request's version: the structured field, else
// the deprecated version string ("deployment:build" or "deployment.build").
func deploymentVersion(lim Limits, v *deploymentpb.WorkerDeploymentVersion, legacy string) error {
	if v == nil {
		if legacy == "" {
			return invalid("deployment_version is required")
		}
		dep, build, ok := strings.Cut(legacy, ":")
		if !ok {
			dep, build, ok = strings.Cut(legacy, ".")
		}
		if !ok || dep == "" || build == "" {
			return invalid("invalid version string %q, expected format is \"<deployment_name>:<build_id>\"", legacy)
		}
		v = &deploymentpb.WorkerDeploymentVersion{DeploymentName: dep, BuildId: build}
	}
	return firstError(deploymentField(lim, fieldDeploymentName, v.GetDeploymentName()), deploymentField(lim, fieldBuildID, v.GetBuildId()))
}

func validateListWorkerDeployments(req *workflowservice.ListWorkerDeploymentsRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(c.namespace(req.GetNamespace()), c.pageSize("PageSize", req.GetPageSize()), c.optional("NextPageToken", string(req.GetNextPageToken())))
}

func validateDescribeWorkerDeployment(req *workflowservice.DescribeWorkerDeploymentRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	return firstError(newChecker(lim, scopeRequest).namespace(req.GetNamespace()), deploymentField(lim, fieldDeploymentName, req.GetDeploymentName()))
}

func validateDescribeWorkerDeploymentVersion(req *workflowservice.DescribeWorkerDeploymentVersionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	return firstError(newChecker(lim, scopeRequest).namespace(req.GetNamespace()), deploymentVersion(lim, req.GetDeploymentVersion(), req.GetVersion())) //nolint:staticcheck // deprecated form
}

// optionalBuildID checks a build id that may be empty (the unversioned
// workers).
func optionalBuildID(lim Limits, build string) error {
	if build == "" {
		return nil
	}
	return deploymentField(lim, fieldBuildID, build)
}

func validateSetWorkerDeploymentCurrentVersion(req *workflowservice.SetWorkerDeploymentCurrentVersionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(c.namespace(req.GetNamespace()), deploymentField(lim, fieldDeploymentName, req.GetDeploymentName()),
		optionalBuildID(lim, req.GetBuildId()), legacyVersionMatches(req.GetDeploymentName(), req.GetVersion()), //nolint:staticcheck // deprecated form
		c.optional("Identity", req.GetIdentity()), c.optional("ConflictToken", string(req.GetConflictToken())))
}

// legacyVersionMatches checks a deprecated version string names the
// request's deployment.
func legacyVersionMatches(deployment, version string) error {
	if version == "" || version == "__unversioned__" {
		return nil
	}
	dep, _, ok := strings.Cut(version, ":")
	if !ok {
		dep, _, ok = strings.Cut(version, ".")
	}
	if !ok {
		return invalid("invalid version string %q, expected format is \"<deployment_name>:<build_id>\"", version)
	}
	if dep != deployment {
		return invalid("invalid version string '%s' does not match deployment name '%s'", version, deployment)
	}
	return nil
}

func validateSetWorkerDeploymentRampingVersion(req *workflowservice.SetWorkerDeploymentRampingVersionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	pct := float64(req.GetPercentage())
	if math.IsNaN(pct) || pct < 0 || pct > 100 {
		return invalid("Percentage must be between 0 and 100 (inclusive)")
	}
	return firstError(c.namespace(req.GetNamespace()), deploymentField(lim, fieldDeploymentName, req.GetDeploymentName()),
		optionalBuildID(lim, req.GetBuildId()), legacyVersionMatches(req.GetDeploymentName(), req.GetVersion()), //nolint:staticcheck // deprecated form
		c.optional("Identity", req.GetIdentity()), c.optional("ConflictToken", string(req.GetConflictToken())))
}

func validateSetWorkerDeploymentManager(req *workflowservice.SetWorkerDeploymentManagerRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if req.GetNewManagerIdentity() == nil {
		return invalid("one of manager_identity or self must be set")
	}
	if req.GetSelf() && req.GetIdentity() == "" {
		return invalid("identity must be set when self is true")
	}
	return firstError(c.namespace(req.GetNamespace()), deploymentField(lim, fieldDeploymentName, req.GetDeploymentName()),
		c.optional("ManagerIdentity", req.GetManagerIdentity()), c.optional("Identity", req.GetIdentity()), c.optional("ConflictToken", string(req.GetConflictToken())))
}

func validateUpdateWorkerDeploymentVersionMetadata(req *workflowservice.UpdateWorkerDeploymentVersionMetadataRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(c.namespace(req.GetNamespace()), deploymentVersion(lim, req.GetDeploymentVersion(), req.GetVersion()), c.optional("Identity", req.GetIdentity())); err != nil { //nolint:staticcheck // deprecated form
		return err
	}
	for k, p := range req.GetUpsertEntries() {
		if err := c.optional("metadata key", k); err != nil {
			return err
		}
		if p == nil {
			return invalid("metadata entry %q has no value", k)
		}
	}
	for _, k := range req.GetRemoveEntries() {
		if err := c.optional("metadata key", k); err != nil {
			return err
		}
	}
	return nil
}

func validateDeleteWorkerDeploymentVersion(req *workflowservice.DeleteWorkerDeploymentVersionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(c.namespace(req.GetNamespace()), deploymentVersion(lim, req.GetDeploymentVersion(), req.GetVersion()), c.optional("Identity", req.GetIdentity())) //nolint:staticcheck // deprecated form
}

func validateDeleteWorkerDeployment(req *workflowservice.DeleteWorkerDeploymentRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(c.namespace(req.GetNamespace()), deploymentField(lim, fieldDeploymentName, req.GetDeploymentName()), c.optional("Identity", req.GetIdentity()))
}

func validateCreateWorkerDeployment(req *workflowservice.CreateWorkerDeploymentRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(c.namespace(req.GetNamespace()), deploymentField(lim, fieldDeploymentName, req.GetDeploymentName()),
		c.optional("Identity", req.GetIdentity()), c.optional("RequestId", req.GetRequestId()))
}

func validateCreateWorkerDeploymentVersion(req *workflowservice.CreateWorkerDeploymentVersionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if req.GetDeploymentVersion() == nil {
		return invalid("deployment_version is required")
	}
	return firstError(c.namespace(req.GetNamespace()), deploymentVersion(lim, req.GetDeploymentVersion(), ""),
		c.optional("Identity", req.GetIdentity()), c.optional("RequestId", req.GetRequestId()))
}

func validateUpdateWorkflowExecutionOptions(req *workflowservice.UpdateWorkflowExecutionOptionsRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(c.namespace(req.GetNamespace()), c.execution("WorkflowExecution", req.GetWorkflowExecution()), c.optional("Identity", req.GetIdentity())); err != nil {
		return err
	}
	if req.GetUpdateMask() == nil {
		return invalid("UpdateMask is required")
	}
	opts := req.GetWorkflowExecutionOptions()
	if opts == nil {
		return invalid("WorkflowExecutionOptions is required")
	}
	if _, err := fieldmaskpb.New(opts, req.GetUpdateMask().GetPaths()...); err != nil {
		return invalid("error parsing UpdateMask: %s", err.Error())
	}
	for _, p := range req.GetUpdateMask().GetPaths() {
		if p != "versioning_override" {
			return serviceerror.NewUnimplementedf("updating %s is not supported by this server", p)
		}
	}
	return versioningOverride(lim, opts.GetVersioningOverride())
}

// versioningOverride checks an override's shape with Temporal's texts.
func versioningOverride(lim Limits, o *workflowpb.VersioningOverride) error {
	if o == nil {
		return nil
	}
	switch x := o.GetOverride().(type) {
	case *workflowpb.VersioningOverride_AutoUpgrade:
		if !x.AutoUpgrade {
			return invalid("auto-upgrade override must be true")
		}
		return nil
	case *workflowpb.VersioningOverride_Pinned:
		if x.Pinned.GetVersion() == nil {
			return invalid("must provide version if override is pinned.")
		}
		if x.Pinned.GetBehavior() == workflowpb.VersioningOverride_PINNED_OVERRIDE_BEHAVIOR_UNSPECIFIED {
			return invalid("must specify pinned override behavior if override is pinned.")
		}
		return deploymentVersion(lim, x.Pinned.GetVersion(), "")
	case *workflowpb.VersioningOverride_OneTime:
		if x.OneTime.GetTargetDeploymentVersion() == nil {
			return invalid("must provide target deployment version if override is one-time.")
		}
		return deploymentVersion(lim, x.OneTime.GetTargetDeploymentVersion(), "")
	}
	switch o.GetBehavior() { //nolint:staticcheck // the deprecated form older SDKs send
	case enumspb.VERSIONING_BEHAVIOR_PINNED:
		if o.GetDeployment() == nil && o.GetPinnedVersion() == "" { //nolint:staticcheck // deprecated form
			return invalid("must provide deployment (deprecated) or pinned version if behavior is 'PINNED'")
		}
		if o.GetDeployment() == nil { //nolint:staticcheck // deprecated form
			return deploymentVersion(lim, nil, o.GetPinnedVersion()) //nolint:staticcheck // deprecated form
		}
	case enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE:
		if o.GetDeployment() != nil { //nolint:staticcheck // deprecated form
			return invalid("only provide deployment if behavior is 'PINNED'")
		}
		if o.GetPinnedVersion() != "" { //nolint:staticcheck // deprecated form
			return invalid("only provide pinned version if behavior is 'PINNED'")
		}
	case enumspb.VERSIONING_BEHAVIOR_UNSPECIFIED:
		return invalid("override behavior is required")
	default:
		return invalid("override behavior %s not recognized", o.GetBehavior()) //nolint:staticcheck // deprecated form
	}
	return nil
}

// workerDeploymentOptions checks the deployment options of a versioned
// worker's poll or completion (an unversioned worker's are not read).
func workerDeploymentOptions(lim Limits, o *deploymentpb.WorkerDeploymentOptions) error {
	if o.GetWorkerVersioningMode() != enumspb.WORKER_VERSIONING_MODE_VERSIONED {
		return nil
	}
	return firstError(deploymentField(lim, fieldDeploymentName, o.GetDeploymentName()), deploymentField(lim, fieldBuildID, o.GetBuildId()))
}
