// Package versionstamp builds the worker-versioning fields a worker of a
// deployment version puts in its polls and task responses, the way
// Temporal's Go SDK fills them, so servers that read the current fields and
// servers that read the older ones route the worker alike.
package versionstamp

import (
	"github.com/sundialdev/sundial"
	commonpb "go.temporal.io/api/common/v1"
	deploymentpb "go.temporal.io/api/deployment/v1"
	enumspb "go.temporal.io/api/enums/v1"
)

// Stamp holds the messages, built once per worker and only read afterwards,
// so every request may share them.
type Stamp struct {
	// Version is the worker's deployment version.
	Version sundial.WorkerDeploymentVersion
	// Versioned is set when the worker opted into versioning (UseVersioning);
	// otherwise the version only labels the worker and the server routes its
	// tasks as unversioned.
	Versioned bool
	// Capabilities goes in polls.
	Capabilities *commonpb.WorkerVersionCapabilities
	// VersionStamp and Deployment are the older forms of the version that
	// task responses carry.
	VersionStamp *commonpb.WorkerVersionStamp
	Deployment   *deploymentpb.Deployment
	// Options goes in polls and task responses.
	Options *deploymentpb.WorkerDeploymentOptions
}

// New returns the stamp of a worker of version v, or nil when the worker
// declared no version and does not use versioning: such a worker sends none
// of these fields.
func New(v sundial.WorkerDeploymentVersion, useVersioning bool) *Stamp {
	if v.IsZero() && !useVersioning {
		return nil
	}
	s := &Stamp{
		Version:   v,
		Versioned: useVersioning,
		Capabilities: &commonpb.WorkerVersionCapabilities{
			BuildId:              v.BuildID,
			UseVersioning:        useVersioning,
			DeploymentSeriesName: v.DeploymentName,
		},
		VersionStamp: &commonpb.WorkerVersionStamp{BuildId: v.BuildID, UseVersioning: useVersioning},
		Deployment:   &deploymentpb.Deployment{BuildId: v.BuildID, SeriesName: v.DeploymentName},
	}
	if !v.IsZero() {
		mode := enumspb.WORKER_VERSIONING_MODE_UNVERSIONED
		if useVersioning {
			mode = enumspb.WORKER_VERSIONING_MODE_VERSIONED
		}
		s.Options = &deploymentpb.WorkerDeploymentOptions{
			DeploymentName:       v.DeploymentName,
			BuildId:              v.BuildID,
			WorkerVersioningMode: mode,
		}
	}
	return s
}
