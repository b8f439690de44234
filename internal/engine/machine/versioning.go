package machine

import (
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
)

// Versioning is a run's worker-deployment versioning: the behavior and the
// deployment version its last workflow task completion reported, and the
// override an operator set with UpdateWorkflowExecutionOptions, which wins
// over what the worker reported.
type Versioning struct {
	Behavior   enumspb.VersioningBehavior `json:",omitzero"`
	Deployment string                     `json:",omitzero"`
	BuildID    string                     `json:",omitzero"`
	// Override is set while an override is in force.
	Override *VersioningOverride `json:",omitzero"`
}

// VersioningOverride pins the run to a version (Behavior PINNED, with
// Deployment and BuildID) or lets it follow the current version
// (AUTO_UPGRADE). A one-time override (OneTime, Behavior PINNED) routes the
// run to its version like a pinned one until a workflow task completes on
// that version; then it is removed and the run goes on with the behavior
// that worker reported.
type VersioningOverride struct {
	Behavior   enumspb.VersioningBehavior `json:",omitzero"`
	Deployment string                     `json:",omitzero"`
	BuildID    string                     `json:",omitzero"`
	OneTime    bool                       `json:",omitzero"`
}

// EffectiveBehavior is the behavior that routes the run's tasks: the
// override's, else the reported one.
func (v *Versioning) EffectiveBehavior() enumspb.VersioningBehavior {
	if v == nil {
		return enumspb.VERSIONING_BEHAVIOR_UNSPECIFIED
	}
	if v.Override != nil {
		return v.Override.Behavior
	}
	return v.Behavior
}

// EffectiveVersion is the deployment and build id the run is on: a pinned
// override's version, else the version that completed its last workflow
// task. Empty strings for an unversioned run.
func (v *Versioning) EffectiveVersion() (deployment, buildID string) {
	if v == nil {
		return "", ""
	}
	if o := v.Override; o != nil && o.Behavior == enumspb.VERSIONING_BEHAVIOR_PINNED {
		return o.Deployment, o.BuildID
	}
	return v.Deployment, v.BuildID
}

// PinnedVersion is the version a pinned run's tasks must go to, or empty
// strings when the run is not pinned.
func (v *Versioning) PinnedVersion() (deployment, buildID string) {
	if v.EffectiveBehavior() != enumspb.VERSIONING_BEHAVIOR_PINNED {
		return "", ""
	}
	return v.EffectiveVersion()
}

// SetVersioningOverride sets (o non-nil) or removes the run's versioning
// override and records the change in its history, as Temporal's
// WorkflowExecutionOptionsUpdated event; event carries the override as the
// client sent it. It reports false, changing nothing, when the run already
// has that override.
func (tx *Tx) SetVersioningOverride(o *VersioningOverride, event *workflowpb.VersioningOverride, identity string) bool {
	s := tx.S
	var cur *VersioningOverride
	if s.Versioning != nil {
		cur = s.Versioning.Override
	}
	if (cur == nil && o == nil) || (cur != nil && o != nil && *cur == *o) {
		return false
	}
	if s.Versioning == nil {
		s.Versioning = &Versioning{}
	}
	s.Versioning.Override = o
	if o == nil && s.Versioning.Behavior == enumspb.VERSIONING_BEHAVIOR_UNSPECIFIED && s.Versioning.BuildID == "" {
		s.Versioning = nil
	}
	tx.addQuiet(&historypb.HistoryEvent{
		EventType:       enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED,
		WorkerMayIgnore: true,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionOptionsUpdatedEventAttributes{WorkflowExecutionOptionsUpdatedEventAttributes: &historypb.WorkflowExecutionOptionsUpdatedEventAttributes{
			VersioningOverride:      event,
			UnsetVersioningOverride: o == nil,
			Identity:                identity,
		}},
	})
	return true
}
