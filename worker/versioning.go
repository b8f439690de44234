package worker

import (
	"errors"
	"fmt"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/internal/sdk/funcname"
	"github.com/sundialdev/sundial/internal/sdk/versionstamp"
	commonpb "go.temporal.io/api/common/v1"
	deploymentpb "go.temporal.io/api/deployment/v1"
	enumspb "go.temporal.io/api/enums/v1"
)

// DeploymentOptions make the worker one version of a worker deployment, so the
// server routes workflows by version: new workflows go to the deployment's
// current version (or, for a share of them, its ramping version), pinned
// workflows stay on the version they started on, and auto-upgrade workflows move
// to the current version at their next workflow task. Versions are made current
// or ramping with client.WorkerDeploymentClient; a version registers itself with
// the server when its first worker polls.
type DeploymentOptions struct {
	// UseVersioning opts the worker into versioning. Without it, a Version only
	// labels the worker and its tasks are routed as unversioned ones.
	UseVersioning bool
	// Version is the deployment name and this release's build id; both are
	// required with UseVersioning.
	Version sundial.WorkerDeploymentVersion
	// DefaultVersioningBehavior applies to workflow types registered without a
	// behavior of their own (RegisterWorkflowOptions.VersioningBehavior). When it
	// is unspecified, a versioned worker requires every workflow type to declare
	// one. It may only be set with UseVersioning.
	DefaultVersioningBehavior sundial.VersioningBehavior
}

// validate checks the options as Temporal's Go SDK does.
func (o DeploymentOptions) validate() error {
	if !o.DefaultVersioningBehavior.Valid() {
		return fmt.Errorf("deployment options: unknown default versioning behavior %d", o.DefaultVersioningBehavior)
	}
	if !o.UseVersioning {
		if o.DefaultVersioningBehavior != sundial.VersioningBehaviorUnspecified {
			return errors.New("deployment options: DefaultVersioningBehavior needs UseVersioning")
		}
		return nil
	}
	if o.Version.DeploymentName == "" || o.Version.BuildID == "" {
		return errors.New("deployment options: UseVersioning needs a Version with both a deployment name and a build id")
	}
	return nil
}

// needsBehaviorPerWorkflow reports whether every workflow type must declare its
// own versioning behavior: the worker is versioned and has no default.
func (o DeploymentOptions) needsBehaviorPerWorkflow() bool {
	return o.UseVersioning && !o.Version.IsZero() && o.DefaultVersioningBehavior == sundial.VersioningBehaviorUnspecified
}

// newVersionStamp builds the versioning fields of the worker's requests, nil
// for a worker without a version.
func newVersionStamp(o DeploymentOptions) *versionstamp.Stamp {
	return versionstamp.New(o.Version, o.UseVersioning)
}

// pollVersion is the versioning fields of a poll request (workflow, activity or
// Nexus), nil for a worker without a version:
//
//	req.WorkerVersionCapabilities, req.DeploymentOptions = w.pollVersion()
func (w *Worker) pollVersion() (*commonpb.WorkerVersionCapabilities, *deploymentpb.WorkerDeploymentOptions) {
	if w.version == nil {
		return nil, nil
	}
	return w.version.Capabilities, w.version.Options
}

// checkWorkflowBehavior refuses a workflow registered without a versioning
// behavior on a versioned worker that has no default.
func (w *Worker) checkWorkflowBehavior(fn any, name string, behavior sundial.VersioningBehavior) error {
	if !behavior.Valid() {
		return fmt.Errorf("unknown versioning behavior %d", behavior)
	}
	if behavior != sundial.VersioningBehaviorUnspecified || !w.opts.DeploymentOptions.needsBehaviorPerWorkflow() {
		return nil
	}
	if name == "" {
		name, _ = funcname.Of(fn)
	}
	return fmt.Errorf("workflow %q has no versioning behavior: a versioned worker without DeploymentOptions.DefaultVersioningBehavior needs one in RegisterWorkflowOptions.VersioningBehavior", name)
}

// RegisterDynamicWorkflowOptions configure RegisterDynamicWorkflowWithOptions.
type RegisterDynamicWorkflowOptions struct {
	// VersioningBehavior is reported for every type the dynamic workflow runs,
	// unless VersioningBehaviorFor is set.
	VersioningBehavior sundial.VersioningBehavior
	// VersioningBehaviorFor, when set, chooses the behavior of each workflow type
	// the dynamic workflow runs; it is called once per workflow task and an
	// unspecified answer means the worker's default. A versioned worker without a
	// default needs one of the two fields.
	VersioningBehaviorFor func(workflowType string) sundial.VersioningBehavior
}

// checkDynamicBehavior applies checkWorkflowBehavior to the dynamic workflow.
func (w *Worker) checkDynamicBehavior(opts RegisterDynamicWorkflowOptions) error {
	if opts.VersioningBehaviorFor != nil {
		return nil
	}
	if !opts.VersioningBehavior.Valid() {
		return fmt.Errorf("unknown versioning behavior %d", opts.VersioningBehavior)
	}
	if opts.VersioningBehavior == sundial.VersioningBehaviorUnspecified && w.opts.DeploymentOptions.needsBehaviorPerWorkflow() {
		return errors.New("the dynamic workflow has no versioning behavior: a versioned worker without DeploymentOptions.DefaultVersioningBehavior needs one in RegisterDynamicWorkflowOptions")
	}
	return nil
}

// behaviorFunc is the registry's form of the options, nil when they leave the
// behavior to the worker's default.
func (o RegisterDynamicWorkflowOptions) behaviorFunc() func(string) enumspb.VersioningBehavior {
	if f := o.VersioningBehaviorFor; f != nil {
		return func(workflowType string) enumspb.VersioningBehavior { return f(workflowType).ToProto() }
	}
	if o.VersioningBehavior == sundial.VersioningBehaviorUnspecified {
		return nil
	}
	b := o.VersioningBehavior.ToProto()
	return func(string) enumspb.VersioningBehavior { return b }
}
