package client_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/client"
	deploymentpb "go.temporal.io/api/deployment/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// deploymentFake adds the versioning RPCs to fakeService: they record the
// request and answer with what the test set.
type deploymentFake struct {
	*fakeService
	describe *workflowservice.DescribeWorkerDeploymentResponse
}

func (f *deploymentFake) UpdateWorkflowExecutionOptions(ctx context.Context, req *workflowservice.UpdateWorkflowExecutionOptionsRequest) (*workflowservice.UpdateWorkflowExecutionOptionsResponse, error) {
	f.record(ctx, req)
	return &workflowservice.UpdateWorkflowExecutionOptionsResponse{WorkflowExecutionOptions: req.GetWorkflowExecutionOptions()}, nil
}

func (f *deploymentFake) SetWorkerDeploymentCurrentVersion(ctx context.Context, req *workflowservice.SetWorkerDeploymentCurrentVersionRequest) (*workflowservice.SetWorkerDeploymentCurrentVersionResponse, error) {
	f.record(ctx, req)
	return &workflowservice.SetWorkerDeploymentCurrentVersionResponse{ConflictToken: []byte("t2"), PreviousVersion: "orders.v1"}, nil
}

func (f *deploymentFake) DescribeWorkerDeployment(ctx context.Context, req *workflowservice.DescribeWorkerDeploymentRequest) (*workflowservice.DescribeWorkerDeploymentResponse, error) {
	f.record(ctx, req)
	return f.describe, nil
}

func (f *deploymentFake) DeleteWorkerDeploymentVersion(ctx context.Context, req *workflowservice.DeleteWorkerDeploymentVersionRequest) (*workflowservice.DeleteWorkerDeploymentVersionResponse, error) {
	f.record(ctx, req)
	return &workflowservice.DeleteWorkerDeploymentVersionResponse{}, nil
}

func dialDeploymentFake(t *testing.T, fake *deploymentFake) *client.Client {
	t.Helper()
	c, err := client.Dial(context.Background(), client.Options{
		HostPort: "passthrough:///bufnet", Namespace: "orders-ns", Identity: "operator",
		ConnectionOptions: []grpc.DialOption{serveFake(t, fake), grpc.WithTransportCredentials(insecure.NewCredentials())},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestUpdateWorkflowExecutionOptionsSendsOverrides(t *testing.T) {
	fake := &deploymentFake{fakeService: &fakeService{}}
	c := dialDeploymentFake(t, fake)
	ctx := context.Background()
	v1 := sundial.WorkerDeploymentVersion{DeploymentName: "orders", BuildID: "v1"}

	got, err := c.UpdateWorkflowExecutionOptions(ctx, "wf", "run", client.WorkflowExecutionOptionsChanges{
		VersioningOverride: &client.VersioningOverrideChange{Value: &client.PinnedVersioningOverride{Version: v1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := got.VersioningOverride.(*client.PinnedVersioningOverride); !ok || p.Version != v1 {
		t.Errorf("returned override %#v, want pinned to %v", got.VersioningOverride, v1)
	}
	req := last[*workflowservice.UpdateWorkflowExecutionOptionsRequest](t, fake.fakeService)
	o := req.GetWorkflowExecutionOptions().GetVersioningOverride()
	if pinned := o.GetPinned(); pinned.GetVersion().GetBuildId() != "v1" || pinned.GetVersion().GetDeploymentName() != "orders" ||
		pinned.GetBehavior() != workflowpb.VersioningOverride_PINNED_OVERRIDE_BEHAVIOR_PINNED {
		t.Errorf("pinned override %v", o)
	}
	if o.GetBehavior() != enumspb.VERSIONING_BEHAVIOR_PINNED || o.GetPinnedVersion() != "orders.v1" || o.GetDeployment().GetBuildId() != "v1" {
		t.Errorf("older override fields %v, want them as Temporal's Go SDK fills them", o)
	}
	if req.GetWorkflowExecution().GetWorkflowId() != "wf" || req.GetWorkflowExecution().GetRunId() != "run" || req.GetNamespace() != "orders-ns" ||
		strings.Join(req.GetUpdateMask().GetPaths(), ",") != "versioning_override" {
		t.Errorf("request %v", req)
	}

	if _, err := c.UpdateWorkflowExecutionOptions(ctx, "wf", "", client.WorkflowExecutionOptionsChanges{
		VersioningOverride: &client.VersioningOverrideChange{Value: &client.AutoUpgradeVersioningOverride{}},
	}); err != nil {
		t.Fatal(err)
	}
	if o := last[*workflowservice.UpdateWorkflowExecutionOptionsRequest](t, fake.fakeService).GetWorkflowExecutionOptions().GetVersioningOverride(); !o.GetAutoUpgrade() {
		t.Errorf("auto-upgrade override %v", o)
	}

	unset, err := c.UpdateWorkflowExecutionOptions(ctx, "wf", "", client.WorkflowExecutionOptionsChanges{VersioningOverride: &client.VersioningOverrideChange{}})
	if err != nil {
		t.Fatal(err)
	}
	req = last[*workflowservice.UpdateWorkflowExecutionOptionsRequest](t, fake.fakeService)
	if req.GetWorkflowExecutionOptions().GetVersioningOverride() != nil || len(req.GetUpdateMask().GetPaths()) != 1 || unset.VersioningOverride != nil {
		t.Errorf("removing the override sent %v and returned %#v", req, unset)
	}

	sent := len(all[*workflowservice.UpdateWorkflowExecutionOptionsRequest](fake.fakeService))
	for name, changes := range map[string]client.WorkflowExecutionOptionsChanges{
		"no change":         {},
		"pinned no version": {VersioningOverride: &client.VersioningOverrideChange{Value: &client.PinnedVersioningOverride{}}},
	} {
		if _, err := c.UpdateWorkflowExecutionOptions(ctx, "wf", "", changes); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := c.UpdateWorkflowExecutionOptions(ctx, "", "", client.WorkflowExecutionOptionsChanges{VersioningOverride: &client.VersioningOverrideChange{}}); err == nil {
		t.Error("an empty workflow id was accepted")
	}
	if n := len(all[*workflowservice.UpdateWorkflowExecutionOptionsRequest](fake.fakeService)); n != sent {
		t.Errorf("invalid updates reached the server (%d requests, want %d)", n, sent)
	}
}

func TestWorkerDeploymentHandleRequestsAndOlderAnswers(t *testing.T) {
	fake := &deploymentFake{fakeService: &fakeService{}, describe: &workflowservice.DescribeWorkerDeploymentResponse{
		ConflictToken: []byte("t1"),
		WorkerDeploymentInfo: &deploymentpb.WorkerDeploymentInfo{
			Name: "orders",
			// An older server names versions by strings only.
			RoutingConfig: &deploymentpb.RoutingConfig{CurrentVersion: "orders.v1", RampingVersion: "__unversioned__", RampingVersionPercentage: 10},
			VersionSummaries: []*deploymentpb.WorkerDeploymentInfo_WorkerDeploymentVersionSummary{
				{Version: "orders:v1", DrainageStatus: enumspb.VERSION_DRAINAGE_STATUS_DRAINING},
				{DeploymentVersion: &deploymentpb.WorkerDeploymentVersion{DeploymentName: "orders", BuildId: "v2"}},
			},
		},
	}}
	c := dialDeploymentFake(t, fake)
	ctx := context.Background()
	h := c.WorkerDeploymentClient().GetHandle("orders")

	desc, err := h.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rc := desc.Info.RoutingConfig
	if rc.CurrentVersion == nil || *rc.CurrentVersion != (sundial.WorkerDeploymentVersion{DeploymentName: "orders", BuildID: "v1"}) || rc.RampingVersion != nil || rc.RampingVersionPercentage != 10 {
		t.Errorf("routing config %+v", rc)
	}
	if s := desc.Info.VersionSummaries; len(s) != 2 || s[0].Version.BuildID != "v1" || s[0].DrainageStatus != enumspb.VERSION_DRAINAGE_STATUS_DRAINING || s[1].Version.BuildID != "v2" {
		t.Errorf("version summaries %+v", s)
	}

	changed, err := h.SetCurrentVersion(ctx, "v2", client.WorkerDeploymentRoutingOptions{ConflictToken: desc.ConflictToken, AllowNoPollers: true})
	if err != nil {
		t.Fatal(err)
	}
	if string(changed.ConflictToken) != "t2" || changed.PreviousVersion == nil || changed.PreviousVersion.BuildID != "v1" {
		t.Errorf("change %+v", changed)
	}
	req := last[*workflowservice.SetWorkerDeploymentCurrentVersionRequest](t, fake.fakeService)
	if req.GetBuildId() != "v2" || req.GetVersion() != "orders.v2" || string(req.GetConflictToken()) != "t1" || !req.GetAllowNoPollers() ||
		req.GetIdentity() != "operator" || req.GetDeploymentName() != "orders" || req.GetNamespace() != "orders-ns" {
		t.Errorf("SetCurrentVersion request %v", req)
	}
	if _, err := h.SetCurrentVersion(ctx, "", client.WorkerDeploymentRoutingOptions{Identity: "release-bot"}); err != nil {
		t.Fatal(err)
	}
	if req := last[*workflowservice.SetWorkerDeploymentCurrentVersionRequest](t, fake.fakeService); req.GetVersion() != "__unversioned__" || req.GetIdentity() != "release-bot" {
		t.Errorf("SetCurrentVersion to the unversioned workers sent %v", req)
	}

	if err := h.DeleteVersion(ctx, "v1", client.DeleteVersionOptions{SkipDrainage: true}); err != nil {
		t.Fatal(err)
	}
	del := last[*workflowservice.DeleteWorkerDeploymentVersionRequest](t, fake.fakeService)
	if del.GetDeploymentVersion().GetBuildId() != "v1" || del.GetDeploymentVersion().GetDeploymentName() != "orders" || !del.GetSkipDrainage() {
		t.Errorf("DeleteVersion request %v", del)
	}
	if err := h.DeleteVersion(ctx, "", client.DeleteVersionOptions{}); err == nil {
		t.Error("deleting an empty build id was accepted")
	}
}
