package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/sundialdev/sundial"
	deploymentpb "go.temporal.io/api/deployment/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// VersioningOverride replaces the versioning behavior a run's workers report:
// *PinnedVersioningOverride or *AutoUpgradeVersioningOverride.
type VersioningOverride interface {
	toProto() *workflowpb.VersioningOverride
}

// PinnedVersioningOverride pins a run to one deployment version: its next
// workflow tasks go to that version's workers, whatever the deployment's
// current version is.
type PinnedVersioningOverride struct {
	Version sundial.WorkerDeploymentVersion
}

// AutoUpgradeVersioningOverride makes a run follow the deployment's current
// version at each workflow task, even if its workflow type is pinned.
type AutoUpgradeVersioningOverride struct{}

// toProto fills the current field and the older ones, as Temporal's Go SDK
// does, so servers that read either understand it.
func (o *PinnedVersioningOverride) toProto() *workflowpb.VersioningOverride {
	return &workflowpb.VersioningOverride{
		Behavior:      enumspb.VERSIONING_BEHAVIOR_PINNED,
		PinnedVersion: o.Version.DeploymentName + "." + o.Version.BuildID,
		Deployment:    &deploymentpb.Deployment{SeriesName: o.Version.DeploymentName, BuildId: o.Version.BuildID},
		Override: &workflowpb.VersioningOverride_Pinned{Pinned: &workflowpb.VersioningOverride_PinnedOverride{
			Behavior: workflowpb.VersioningOverride_PINNED_OVERRIDE_BEHAVIOR_PINNED,
			Version:  o.Version.ToProto(),
		}},
	}
}

func (*AutoUpgradeVersioningOverride) toProto() *workflowpb.VersioningOverride {
	return &workflowpb.VersioningOverride{
		Behavior: enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
		Override: &workflowpb.VersioningOverride_AutoUpgrade{AutoUpgrade: true},
	}
}

// VersioningOverrideFromProto converts a run's override as Describe shows it;
// nil (or an override this SDK does not know) gives nil.
func VersioningOverrideFromProto(o *workflowpb.VersioningOverride) VersioningOverride {
	switch x := o.GetOverride().(type) {
	case *workflowpb.VersioningOverride_AutoUpgrade:
		return &AutoUpgradeVersioningOverride{}
	case *workflowpb.VersioningOverride_Pinned:
		v := x.Pinned.GetVersion()
		return &PinnedVersioningOverride{Version: sundial.WorkerDeploymentVersion{DeploymentName: v.GetDeploymentName(), BuildID: v.GetBuildId()}}
	}
	switch o.GetBehavior() {
	case enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE:
		return &AutoUpgradeVersioningOverride{}
	case enumspb.VERSIONING_BEHAVIOR_PINNED:
		if v, ok := versionFromString(o.GetPinnedVersion()); ok {
			return &PinnedVersioningOverride{Version: v}
		}
		d := o.GetDeployment()
		return &PinnedVersioningOverride{Version: sundial.WorkerDeploymentVersion{DeploymentName: d.GetSeriesName(), BuildID: d.GetBuildId()}}
	}
	return nil
}

// WorkflowExecutionOptions are the options of a run that can change while it
// runs.
type WorkflowExecutionOptions struct {
	// VersioningOverride is the run's override; nil when it has none.
	VersioningOverride VersioningOverride
}

// WorkflowExecutionOptionsChanges says which options UpdateWorkflowExecutionOptions
// changes: a nil field leaves that option as it is.
type WorkflowExecutionOptionsChanges struct {
	VersioningOverride *VersioningOverrideChange
}

// VersioningOverrideChange sets the override to Value; a nil Value removes it,
// so the run goes back to the behavior its workers report.
type VersioningOverrideChange struct {
	Value VersioningOverride
}

// UpdateWorkflowExecutionOptions changes options of a running workflow and returns
// its options as they are afterwards. An empty runID means the latest run. Setting
// a versioning override moves the run at its next workflow task: a pinned override
// to that version's workers, an auto-upgrade one to the deployment's current version.
func (c *Client) UpdateWorkflowExecutionOptions(ctx context.Context, workflowID, runID string, changes WorkflowExecutionOptionsChanges) (WorkflowExecutionOptions, error) {
	if workflowID == "" {
		return WorkflowExecutionOptions{}, errors.New("updating workflow execution options: the workflow id is empty")
	}
	options, mask, err := changes.request()
	if err != nil {
		return WorkflowExecutionOptions{}, fmt.Errorf("updating options of workflow %q: %w", workflowID, err)
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := c.service.UpdateWorkflowExecutionOptions(ctx, &workflowservice.UpdateWorkflowExecutionOptionsRequest{
		Namespace:                c.opts.Namespace,
		WorkflowExecution:        execution(workflowID, runID),
		WorkflowExecutionOptions: options,
		UpdateMask:               mask,
		Identity:                 c.opts.Identity,
	})
	if err != nil {
		return WorkflowExecutionOptions{}, fmt.Errorf("updating options of workflow %q: %w", workflowID, err)
	}
	return WorkflowExecutionOptions{
		VersioningOverride: VersioningOverrideFromProto(resp.GetWorkflowExecutionOptions().GetVersioningOverride()),
	}, nil
}

// request builds the options and field mask of an update.
func (ch WorkflowExecutionOptionsChanges) request() (*workflowpb.WorkflowExecutionOptions, *fieldmaskpb.FieldMask, error) {
	if ch.VersioningOverride == nil {
		return nil, nil, errors.New("the update changes nothing")
	}
	options := &workflowpb.WorkflowExecutionOptions{}
	switch o := ch.VersioningOverride.Value.(type) {
	case nil:
	case *PinnedVersioningOverride:
		if o == nil || o.Version.DeploymentName == "" || o.Version.BuildID == "" {
			return nil, nil, errors.New("a pinned versioning override needs a deployment name and a build id")
		}
		options.VersioningOverride = o.toProto()
	default:
		options.VersioningOverride = o.toProto()
	}
	return options, &fieldmaskpb.FieldMask{Paths: []string{"versioning_override"}}, nil
}
