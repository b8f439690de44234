package client

import (
	"strings"
	"time"

	"github.com/sundialdev/sundial"
	commonpb "go.temporal.io/api/common/v1"
	deploymentpb "go.temporal.io/api/deployment/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// unversionedVersion is the older version string of "no version": the
// unversioned workers of a task queue.
const unversionedVersion = "__unversioned__"

// WorkerDeploymentRoutingConfig says where a deployment sends new (and
// auto-upgrade) workflows.
type WorkerDeploymentRoutingConfig struct {
	// CurrentVersion takes the workflows the ramp does not; nil means the
	// unversioned workers of each task queue.
	CurrentVersion *sundial.WorkerDeploymentVersion
	// RampingVersion takes RampingVersionPercentage percent of them, chosen by
	// workflow id; nil when nothing ramps.
	RampingVersion           *sundial.WorkerDeploymentVersion
	RampingVersionPercentage float32

	CurrentVersionChangedTime           time.Time
	RampingVersionChangedTime           time.Time
	RampingVersionPercentageChangedTime time.Time
}

// WorkerDeploymentListEntry is one deployment in List results.
type WorkerDeploymentListEntry struct {
	Name          string
	CreateTime    time.Time
	RoutingConfig WorkerDeploymentRoutingConfig
}

// WorkerDeploymentVersionSummary is one version of a deployment as Describe
// lists it.
type WorkerDeploymentVersionSummary struct {
	Version    sundial.WorkerDeploymentVersion
	CreateTime time.Time
	// DrainageStatus says, once the version is neither current nor ramping,
	// whether pinned workflows still run on it (draining) or not (drained).
	DrainageStatus enumspb.VersionDrainageStatus
}

// WorkerDeploymentInfo describes a deployment.
type WorkerDeploymentInfo struct {
	Name                 string
	CreateTime           time.Time
	VersionSummaries     []WorkerDeploymentVersionSummary
	RoutingConfig        WorkerDeploymentRoutingConfig
	LastModifierIdentity string
	ManagerIdentity      string
}

// WorkerDeploymentDescription is what Describe returns: the deployment and the
// conflict token that makes a later change fail if the deployment changed in
// between.
type WorkerDeploymentDescription struct {
	ConflictToken []byte
	Info          WorkerDeploymentInfo
}

// WorkerDeploymentTaskQueue is a task queue a version's workers poll.
type WorkerDeploymentTaskQueue struct {
	Name string
	Type enumspb.TaskQueueType
}

// WorkerDeploymentVersionDrainage is a version's drainage: whether pinned
// workflows still run on it, and when that was last computed and changed.
type WorkerDeploymentVersionDrainage struct {
	Status          enumspb.VersionDrainageStatus
	LastChangedTime time.Time
	LastCheckedTime time.Time
}

// WorkerDeploymentVersionInfo describes one version of a deployment.
type WorkerDeploymentVersionInfo struct {
	Version            sundial.WorkerDeploymentVersion
	CreateTime         time.Time
	RoutingChangedTime time.Time
	CurrentSinceTime   time.Time
	RampingSinceTime   time.Time
	RampPercentage     float32
	TaskQueues         []WorkerDeploymentTaskQueue
	// Drainage is set once the version stopped being current or ramping.
	Drainage *WorkerDeploymentVersionDrainage
	// Metadata are the version's entries (UpdateVersionMetadata), encoded.
	Metadata map[string]*commonpb.Payload
}

// WorkerDeploymentRoutingChange is what SetCurrentVersion and
// SetRampingVersion return: the new conflict token and what they replaced.
type WorkerDeploymentRoutingChange struct {
	ConflictToken []byte
	// PreviousVersion is the version that was current (or ramping) before; nil
	// for the unversioned workers or no ramp.
	PreviousVersion *sundial.WorkerDeploymentVersion
	// PreviousPercentage is the ramp's percentage before (SetRampingVersion).
	PreviousPercentage float32
}

// versionFromString reads an older version string: "deployment:build" or the
// earlier "deployment.build".
func versionFromString(s string) (sundial.WorkerDeploymentVersion, bool) {
	for _, sep := range []string{":", "."} {
		if dep, build, ok := strings.Cut(s, sep); ok && dep != "" && build != "" {
			return sundial.WorkerDeploymentVersion{DeploymentName: dep, BuildID: build}, true
		}
	}
	return sundial.WorkerDeploymentVersion{}, false
}

// versionOf reads a version from its current form, else from the older
// string; nil for none (or the unversioned workers).
func versionOf(v *deploymentpb.WorkerDeploymentVersion, legacy string) *sundial.WorkerDeploymentVersion {
	if v != nil {
		return sundial.WorkerDeploymentVersionFromProto(v)
	}
	if legacy == "" || legacy == unversionedVersion {
		return nil
	}
	if parsed, ok := versionFromString(legacy); ok {
		return &parsed
	}
	return nil
}

func timeOf(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}

func routingConfigFromProto(rc *deploymentpb.RoutingConfig) WorkerDeploymentRoutingConfig {
	return WorkerDeploymentRoutingConfig{
		CurrentVersion:                      versionOf(rc.GetCurrentDeploymentVersion(), rc.GetCurrentVersion()),
		RampingVersion:                      versionOf(rc.GetRampingDeploymentVersion(), rc.GetRampingVersion()),
		RampingVersionPercentage:            rc.GetRampingVersionPercentage(),
		CurrentVersionChangedTime:           timeOf(rc.GetCurrentVersionChangedTime()),
		RampingVersionChangedTime:           timeOf(rc.GetRampingVersionChangedTime()),
		RampingVersionPercentageChangedTime: timeOf(rc.GetRampingVersionPercentageChangedTime()),
	}
}

func deploymentInfoFromProto(info *deploymentpb.WorkerDeploymentInfo) WorkerDeploymentInfo {
	out := WorkerDeploymentInfo{
		Name:                 info.GetName(),
		CreateTime:           timeOf(info.GetCreateTime()),
		RoutingConfig:        routingConfigFromProto(info.GetRoutingConfig()),
		LastModifierIdentity: info.GetLastModifierIdentity(),
		ManagerIdentity:      info.GetManagerIdentity(),
	}
	for _, s := range info.GetVersionSummaries() {
		v := versionOf(s.GetDeploymentVersion(), s.GetVersion())
		if v == nil {
			continue
		}
		out.VersionSummaries = append(out.VersionSummaries, WorkerDeploymentVersionSummary{
			Version: *v, CreateTime: timeOf(s.GetCreateTime()), DrainageStatus: s.GetDrainageStatus(),
		})
	}
	return out
}

func versionInfoFromProto(info *deploymentpb.WorkerDeploymentVersionInfo) WorkerDeploymentVersionInfo {
	out := WorkerDeploymentVersionInfo{
		CreateTime:         timeOf(info.GetCreateTime()),
		RoutingChangedTime: timeOf(info.GetRoutingChangedTime()),
		CurrentSinceTime:   timeOf(info.GetCurrentSinceTime()),
		RampingSinceTime:   timeOf(info.GetRampingSinceTime()),
		RampPercentage:     info.GetRampPercentage(),
		Metadata:           info.GetMetadata().GetEntries(),
	}
	if v := versionOf(info.GetDeploymentVersion(), info.GetVersion()); v != nil {
		out.Version = *v
	}
	for _, tq := range info.GetTaskQueueInfos() {
		out.TaskQueues = append(out.TaskQueues, WorkerDeploymentTaskQueue{Name: tq.GetName(), Type: tq.GetType()})
	}
	if d := info.GetDrainageInfo(); d != nil {
		out.Drainage = &WorkerDeploymentVersionDrainage{
			Status: d.GetStatus(), LastChangedTime: timeOf(d.GetLastChangedTime()), LastCheckedTime: timeOf(d.GetLastCheckedTime()),
		}
	}
	return out
}
