package sundial

import (
	deploymentpb "go.temporal.io/api/deployment/v1"
	enumspb "go.temporal.io/api/enums/v1"
)

// WorkerDeploymentVersion names one version of a worker deployment: the
// deployment (the service, say "orders") and the build id of one release of
// its workers' code.
type WorkerDeploymentVersion struct {
	DeploymentName string
	BuildID        string
}

// IsZero reports whether neither name nor build id is set.
func (v WorkerDeploymentVersion) IsZero() bool { return v == WorkerDeploymentVersion{} }

// String is the version in the "deployment:build" form Temporal's server and
// CLI show, and that the TemporalWorkerDeploymentVersion search attribute holds.
func (v WorkerDeploymentVersion) String() string { return v.DeploymentName + ":" + v.BuildID }

// ToProto converts the version to its wire form; the zero version gives nil.
func (v WorkerDeploymentVersion) ToProto() *deploymentpb.WorkerDeploymentVersion {
	if v.IsZero() {
		return nil
	}
	return &deploymentpb.WorkerDeploymentVersion{DeploymentName: v.DeploymentName, BuildId: v.BuildID}
}

// WorkerDeploymentVersionFromProto converts a wire version; nil gives nil.
func WorkerDeploymentVersionFromProto(v *deploymentpb.WorkerDeploymentVersion) *WorkerDeploymentVersion {
	if v == nil {
		return nil
	}
	return &WorkerDeploymentVersion{DeploymentName: v.GetDeploymentName(), BuildID: v.GetBuildId()}
}

// VersioningBehavior says whether a workflow run stays on the deployment
// version it started on or follows the deployment's current version.
type VersioningBehavior int

const (
	// VersioningBehaviorUnspecified leaves the choice to the worker's default.
	// A versioned worker without a default needs every workflow to declare one.
	VersioningBehaviorUnspecified VersioningBehavior = iota
	// VersioningBehaviorPinned keeps every workflow task of the run on the
	// version that started it, until an operator moves it with an override.
	// Suits runs whose code cannot change under them.
	VersioningBehaviorPinned
	// VersioningBehaviorAutoUpgrade sends each workflow task of the run to the
	// deployment's current (or ramping) version, so a long run moves to new
	// code at its next task; the code must then replay safely across versions
	// (use workflow.GetVersion for changes).
	VersioningBehaviorAutoUpgrade
)

// String names the behavior as the TemporalWorkflowVersioningBehavior search
// attribute does ("Pinned", "AutoUpgrade"), "Unspecified" otherwise.
func (b VersioningBehavior) String() string {
	switch b {
	case VersioningBehaviorPinned:
		return "Pinned"
	case VersioningBehaviorAutoUpgrade:
		return "AutoUpgrade"
	}
	return "Unspecified"
}

// ToProto converts the behavior to its wire form.
func (b VersioningBehavior) ToProto() enumspb.VersioningBehavior {
	switch b {
	case VersioningBehaviorPinned:
		return enumspb.VERSIONING_BEHAVIOR_PINNED
	case VersioningBehaviorAutoUpgrade:
		return enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE
	}
	return enumspb.VERSIONING_BEHAVIOR_UNSPECIFIED
}

// VersioningBehaviorFromProto converts a wire behavior; unknown values give
// VersioningBehaviorUnspecified.
func VersioningBehaviorFromProto(b enumspb.VersioningBehavior) VersioningBehavior {
	switch b {
	case enumspb.VERSIONING_BEHAVIOR_PINNED:
		return VersioningBehaviorPinned
	case enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE:
		return VersioningBehaviorAutoUpgrade
	}
	return VersioningBehaviorUnspecified
}

// Valid reports whether b is one of the declared behaviors.
func (b VersioningBehavior) Valid() bool {
	return b >= VersioningBehaviorUnspecified && b <= VersioningBehaviorAutoUpgrade
}
