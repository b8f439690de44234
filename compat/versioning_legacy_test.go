package compat

import (
	"testing"
	"time"

	deploymentpb "go.temporal.io/api/deployment/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
)

// TestLegacyBuildIDVersioningDisabled: the deprecated build-id versioning
// RPCs answer PermissionDenied with the texts Temporal's server gives when a
// namespace has them off, its default.
func TestLegacyBuildIDVersioningDisabled(t *testing.T) {
	tg := startTarget(t)
	svc := dialRaw(t, tg)
	ctx := testContext(t, 30*time.Second)
	queue := uniqueName(t, "tq")
	const v01 = "Worker versioning v0.1 (Version Set-based, deprecated) is disabled on this namespace."
	const v02 = "Worker versioning v0.2 (Rules-based, deprecated) is disabled on this namespace."
	_, err := svc.GetWorkerBuildIdCompatibility(ctx, &workflowservice.GetWorkerBuildIdCompatibilityRequest{Namespace: tg.Namespace, TaskQueue: queue})
	requireStatus(t, err, codes.PermissionDenied, v01)
	_, err = svc.UpdateWorkerBuildIdCompatibility(ctx, &workflowservice.UpdateWorkerBuildIdCompatibilityRequest{Namespace: tg.Namespace, TaskQueue: queue,
		Operation: &workflowservice.UpdateWorkerBuildIdCompatibilityRequest_AddNewBuildIdInNewDefaultSet{AddNewBuildIdInNewDefaultSet: "v1"}})
	requireStatus(t, err, codes.PermissionDenied, v01)
	_, err = svc.GetWorkerVersioningRules(ctx, &workflowservice.GetWorkerVersioningRulesRequest{Namespace: tg.Namespace, TaskQueue: queue})
	requireStatus(t, err, codes.PermissionDenied, v02)
	_, err = svc.UpdateWorkerVersioningRules(ctx, &workflowservice.UpdateWorkerVersioningRulesRequest{Namespace: tg.Namespace, TaskQueue: queue})
	requireStatus(t, err, codes.PermissionDenied, v02)
	_, err = svc.GetWorkerTaskReachability(ctx, &workflowservice.GetWorkerTaskReachabilityRequest{Namespace: tg.Namespace, BuildIds: []string{"v1"},
		TaskQueues: []string{queue}})
	requireStatus(t, err, codes.PermissionDenied, v02)
}

// TestPreReleaseDeploymentAPIsUnsupported: the pre-release Deployment RPCs,
// replaced by worker deployments, answer Unimplemented with Temporal's text.
func TestPreReleaseDeploymentAPIsUnsupported(t *testing.T) {
	tg := startTarget(t)
	svc := dialRaw(t, tg)
	ctx := testContext(t, 30*time.Second)
	const text = "Deployments are deprecated and no longer supported, use Worker Deployments instead"
	dep := &deploymentpb.Deployment{SeriesName: uniqueName(t, "series"), BuildId: "v1"}
	_, err := svc.DescribeDeployment(ctx, &workflowservice.DescribeDeploymentRequest{Namespace: tg.Namespace, Deployment: dep})
	requireStatus(t, err, codes.Unimplemented, text)
	_, err = svc.ListDeployments(ctx, &workflowservice.ListDeploymentsRequest{Namespace: tg.Namespace})
	requireStatus(t, err, codes.Unimplemented, text)
	_, err = svc.GetDeploymentReachability(ctx, &workflowservice.GetDeploymentReachabilityRequest{Namespace: tg.Namespace, Deployment: dep})
	requireStatus(t, err, codes.Unimplemented, text)
	_, err = svc.GetCurrentDeployment(ctx, &workflowservice.GetCurrentDeploymentRequest{Namespace: tg.Namespace, SeriesName: dep.SeriesName})
	requireStatus(t, err, codes.Unimplemented, text)
	_, err = svc.SetCurrentDeployment(ctx, &workflowservice.SetCurrentDeploymentRequest{Namespace: tg.Namespace, Deployment: dep})
	requireStatus(t, err, codes.Unimplemented, text)
}
