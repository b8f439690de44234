package engine

import (
	"testing"

	deploymentpb "go.temporal.io/api/deployment/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

func completedBy(build string, behavior enumspb.VersioningBehavior) *workflowservice.RespondWorkflowTaskCompletedRequest {
	return &workflowservice.RespondWorkflowTaskCompletedRequest{
		VersioningBehavior: behavior,
		DeploymentOptions: &deploymentpb.WorkerDeploymentOptions{
			DeploymentName: "orders", BuildId: build, WorkerVersioningMode: enumspb.WORKER_VERSIONING_MODE_VERSIONED,
		},
	}
}

// TestOneTimeOverrideLastsUntilATaskCompletesOnItsVersion: a one-time
// override routes like a pin to its version; a completion by another
// version leaves it, one by its version removes it, and the run then has
// the behavior its worker reported.
func TestOneTimeOverrideLastsUntilATaskCompletesOnItsVersion(t *testing.T) {
	o, err := parseOverride(&workflowpb.VersioningOverride{Override: &workflowpb.VersioningOverride_OneTime{OneTime: &workflowpb.VersioningOverride_OneTimeOverride{
		TargetDeploymentVersion: &deploymentpb.WorkerDeploymentVersion{DeploymentName: "orders", BuildId: "v2"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	s := &machine.State{Versioning: &machine.Versioning{Behavior: enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE, Deployment: "orders", BuildID: "v1", Override: o}}
	if dep, build := s.Versioning.PinnedVersion(); dep != "orders" || build != "v2" {
		t.Fatalf("pending one-time override routes to %s:%s, want orders:v2", dep, build)
	}
	if got := overrideProto(o).GetOneTime().GetTargetDeploymentVersion().GetBuildId(); got != "v2" {
		t.Fatalf("override answered with target %q, want v2", got)
	}
	if err := noteCompletionVersioning(s, completedBy("v1", enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE)); err != nil {
		t.Fatal(err)
	}
	if s.Versioning.Override == nil {
		t.Fatal("a completion on v1 removed the one-time override to v2")
	}
	if err := noteCompletionVersioning(s, completedBy("v2", enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE)); err != nil {
		t.Fatal(err)
	}
	if s.Versioning.Override != nil {
		t.Fatalf("override after a completion on v2: %+v", s.Versioning.Override)
	}
	if b := s.Versioning.EffectiveBehavior(); b != enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE {
		t.Fatalf("behavior after the one-time move %v, want auto-upgrade", b)
	}
	if dep, build := s.Versioning.PinnedVersion(); build != "" {
		t.Fatalf("run still pinned to %s:%s", dep, build)
	}
}
