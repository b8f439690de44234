package engine

import (
	"context"
	"fmt"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	deploymentpb "go.temporal.io/api/deployment/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/matching"
)

// The search attributes Temporal keeps for a versioned run: its deployment,
// its version and its behavior (the override's when one is set).
const (
	saWorkerDeployment           = "TemporalWorkerDeployment"
	saWorkerDeploymentVersion    = "TemporalWorkerDeploymentVersion"
	saWorkflowVersioningBehavior = "TemporalWorkflowVersioningBehavior"
)

// reportedVersionKey is the version ("deployment:build") whose worker
// completed the run's last workflow task, or "": the version whose sticky
// queue holds the run.
func reportedVersionKey(s *machine.State) string {
	if s.Versioning == nil {
		return ""
	}
	return versionKey(s.Versioning.Deployment, s.Versioning.BuildID)
}

// completionVersion is the deployment version a versioned worker's
// completion reports, nil for an unversioned worker.
func completionVersion(req *workflowservice.RespondWorkflowTaskCompletedRequest) *deploymentpb.WorkerDeploymentVersion {
	opts := req.GetDeploymentOptions()
	if opts.GetWorkerVersioningMode() != enumspb.WORKER_VERSIONING_MODE_VERSIONED {
		return nil
	}
	return &deploymentpb.WorkerDeploymentVersion{DeploymentName: opts.GetDeploymentName(), BuildId: opts.GetBuildId()}
}

// noteCompletionVersioning records, in the state of the run whose workflow
// task completed, the versioning behavior and the version the worker
// reported: the next task is routed by them. A completion by an unversioned
// worker makes the run unversioned again (an override stays).
func noteCompletionVersioning(s *machine.State, req *workflowservice.RespondWorkflowTaskCompletedRequest) error {
	reported := completionVersion(req)
	if reported == nil && s.Versioning == nil {
		return nil
	}
	before := *versioningSnapshot(s)
	if reported != nil {
		if s.Versioning == nil {
			s.Versioning = &machine.Versioning{}
		}
		if o := s.Versioning.Override; o != nil && o.OneTime && o.Deployment == reported.GetDeploymentName() && o.BuildID == reported.GetBuildId() {
			// The one-time move happened: the run goes on as its worker says.
			s.Versioning.Override = nil
		}
		s.Versioning.Behavior = req.GetVersioningBehavior()
		s.Versioning.Deployment = reported.GetDeploymentName()
		s.Versioning.BuildID = reported.GetBuildId()
	} else {
		s.Versioning.Behavior = enumspb.VERSIONING_BEHAVIOR_UNSPECIFIED
		s.Versioning.Deployment, s.Versioning.BuildID = "", ""
		if s.Versioning.Override == nil {
			s.Versioning = nil
		}
	}
	if *versioningSnapshot(s) == before {
		return nil
	}
	return setVersioningSearchAttributes(s)
}

// versioningSearchValues are a run's versioning search attribute values.
type versioningSearchValues struct{ deployment, version, behavior string }

func versioningSnapshot(s *machine.State) *versioningSearchValues {
	dep, build := s.Versioning.EffectiveVersion()
	out := &versioningSearchValues{version: versionKey(dep, build)}
	if build != "" {
		out.deployment = dep
	}
	if b := s.Versioning.EffectiveBehavior(); b != enumspb.VERSIONING_BEHAVIOR_UNSPECIFIED {
		out.behavior = b.String()
	}
	return out
}

// setVersioningSearchAttributes writes the run's versioning search
// attributes (removing those without a value), so visibility queries can
// filter on them.
func setVersioningSearchAttributes(s *machine.State) error {
	sa := &commonpb.SearchAttributes{}
	if len(s.SearchAttributes) > 0 {
		if err := proto.Unmarshal(s.SearchAttributes, sa); err != nil {
			return fmt.Errorf("decoding search attributes: %w", err)
		}
	}
	if sa.IndexedFields == nil {
		sa.IndexedFields = map[string]*commonpb.Payload{}
	}
	vals := versioningSnapshot(s)
	for name, value := range map[string]string{saWorkerDeployment: vals.deployment, saWorkerDeploymentVersion: vals.version, saWorkflowVersioningBehavior: vals.behavior} {
		if value == "" {
			delete(sa.IndexedFields, name)
		} else {
			sa.IndexedFields[name] = keywordPayload(value)
		}
	}
	if len(sa.IndexedFields) == 0 {
		s.SearchAttributes = nil
		return nil
	}
	b, err := proto.Marshal(sa)
	if err != nil {
		return fmt.Errorf("encoding search attributes: %w", err)
	}
	s.SearchAttributes = b
	return nil
}

// versioningInfo is what Describe shows of a run's versioning, nil for an
// unversioned run.
func versioningInfo(s *machine.State) *workflowpb.WorkflowExecutionVersioningInfo {
	v := s.Versioning
	if v == nil {
		return nil
	}
	info := &workflowpb.WorkflowExecutionVersioningInfo{Behavior: v.Behavior}
	if v.BuildID != "" {
		info.DeploymentVersion = &deploymentpb.WorkerDeploymentVersion{DeploymentName: v.Deployment, BuildId: v.BuildID}
		info.Version = versionKey(v.Deployment, v.BuildID)
	}
	if o := v.Override; o != nil {
		info.VersioningOverride = overrideProto(o)
	}
	return info
}

// overrideProto is an override in the API's shape, with both its current
// and its deprecated fields filled, as Temporal answers it.
func overrideProto(o *machine.VersioningOverride) *workflowpb.VersioningOverride {
	if o.OneTime {
		// A one-time override has no deprecated form.
		return &workflowpb.VersioningOverride{Override: &workflowpb.VersioningOverride_OneTime{OneTime: &workflowpb.VersioningOverride_OneTimeOverride{
			TargetDeploymentVersion: &deploymentpb.WorkerDeploymentVersion{DeploymentName: o.Deployment, BuildId: o.BuildID},
		}}}
	}
	out := &workflowpb.VersioningOverride{Behavior: o.Behavior}
	if o.Behavior == enumspb.VERSIONING_BEHAVIOR_PINNED {
		out.PinnedVersion = versionKey(o.Deployment, o.BuildID)
		out.Override = &workflowpb.VersioningOverride_Pinned{Pinned: &workflowpb.VersioningOverride_PinnedOverride{
			Behavior: workflowpb.VersioningOverride_PINNED_OVERRIDE_BEHAVIOR_PINNED,
			Version:  &deploymentpb.WorkerDeploymentVersion{DeploymentName: o.Deployment, BuildId: o.BuildID},
		}}
	} else {
		out.Override = &workflowpb.VersioningOverride_AutoUpgrade{AutoUpgrade: true}
	}
	return out
}

// parseOverride turns a validated API override into the state's form.
func parseOverride(o *workflowpb.VersioningOverride) (*machine.VersioningOverride, error) {
	switch x := o.GetOverride().(type) {
	case *workflowpb.VersioningOverride_AutoUpgrade:
		return &machine.VersioningOverride{Behavior: enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE}, nil
	case *workflowpb.VersioningOverride_Pinned:
		v := x.Pinned.GetVersion()
		return &machine.VersioningOverride{Behavior: enumspb.VERSIONING_BEHAVIOR_PINNED, Deployment: v.GetDeploymentName(), BuildID: v.GetBuildId()}, nil
	case *workflowpb.VersioningOverride_OneTime:
		v := x.OneTime.GetTargetDeploymentVersion()
		return &machine.VersioningOverride{Behavior: enumspb.VERSIONING_BEHAVIOR_PINNED, Deployment: v.GetDeploymentName(), BuildID: v.GetBuildId(), OneTime: true}, nil
	}
	switch o.GetBehavior() { //nolint:staticcheck // the deprecated form older SDKs send
	case enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE:
		return &machine.VersioningOverride{Behavior: enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE}, nil
	case enumspb.VERSIONING_BEHAVIOR_PINNED:
		if d := o.GetDeployment(); d != nil { //nolint:staticcheck // deprecated form
			return &machine.VersioningOverride{Behavior: enumspb.VERSIONING_BEHAVIOR_PINNED, Deployment: d.GetSeriesName(), BuildID: d.GetBuildId()}, nil
		}
		dep, build, err := ParseVersionString(o.GetPinnedVersion()) //nolint:staticcheck // deprecated form
		if err != nil {
			return nil, err
		}
		return &machine.VersioningOverride{Behavior: enumspb.VERSIONING_BEHAVIOR_PINNED, Deployment: dep, BuildID: build}, nil
	}
	return nil, serviceerror.NewInvalidArgument("override behavior is required")
}

// ParseVersionString splits a version string, "deployment:build" (or the
// older "deployment.build"), with Temporal's error text.
func ParseVersionString(s string) (deployment, buildID string, err error) {
	if d, b, ok := strings.Cut(s, versionDelimiter); ok && d != "" && b != "" {
		return d, b, nil
	}
	if d, b, ok := strings.Cut(s, "."); ok && d != "" && b != "" {
		return d, b, nil
	}
	return "", "", serviceerror.NewInvalidArgumentf("invalid version string %q, expected format is \"<deployment_name>:<build_id>\"", s)
}

// UpdateWorkflowExecutionOptions sets or removes a run's versioning override
// (update_mask path versioning_override); the frontend checked the mask.
func (e *Engine) UpdateWorkflowExecutionOptions(ctx context.Context, req *workflowservice.UpdateWorkflowExecutionOptionsRequest) (*workflowservice.UpdateWorkflowExecutionOptionsResponse, error) {
	opts := req.GetWorkflowExecutionOptions()
	var override *machine.VersioningOverride
	if o := opts.GetVersioningOverride(); o != nil {
		var err error
		if override, err = parseOverride(o); err != nil {
			return nil, err
		}
	}
	setOverride := false
	for _, p := range req.GetUpdateMask().GetPaths() {
		if p == "versioning_override" {
			setOverride = true
		}
	}
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	var after *machine.Versioning
	var rerouted bool
	err = e.updateOpenRun(ctx, req.Namespace, req.WorkflowExecution, func(tx *machine.Tx) error {
		if setOverride && override != nil && override.BuildID != "" && !e.versionHasQueue(ns.id, override.Deployment, override.BuildID, tx.S.TaskQueue) {
			return serviceerror.NewFailedPreconditionf(errTextPinnedVersionNotInQueue, override.Deployment, override.BuildID, tx.S.TaskQueue)
		}
		if setOverride && tx.SetVersioningOverride(override, opts.GetVersioningOverride(), req.GetIdentity()) {
			rerouted = true
			if err := setVersioningSearchAttributes(tx.S); err != nil {
				return err
			}
		}
		if tx.S.Versioning != nil {
			c := *tx.S.Versioning
			after = &c
		}
		if !rerouted {
			return errNoChange
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if rerouted {
		e.rerouteRun(ctx, req.Namespace, req.WorkflowExecution)
	}
	out := &workflowpb.WorkflowExecutionOptions{}
	if after != nil && after.Override != nil {
		out.VersioningOverride = overrideProto(after.Override)
	}
	return &workflowservice.UpdateWorkflowExecutionOptionsResponse{WorkflowExecutionOptions: out, UpdateTime: timestamppb.New(e.clock.Now())}, nil
}

// errTextPinnedVersionNotInQueue is Temporal's answer to an override whose
// version has no worker registered on the run's task queue.
const errTextPinnedVersionNotInQueue = "Pinned version '%s:%s' is not present in task queue '%s' of type 'Workflow'"

// versionHasQueue reports whether the version registered the workflow task
// queue (one of its workers polled it).
func (e *Engine) versionHasQueue(nsID, deployment, buildID, taskQueue string) bool {
	d := e.deploys.get(nsID, deployment)
	if d == nil {
		return false
	}
	v := d.doc.Versions[buildID]
	return v != nil && v.hasQueue(taskQueue, matching.Workflow)
}

// rerouteRun moves a run's waiting workflow task to the queue its new
// versioning routes it to (the task was queued by the old one).
func (e *Engine) rerouteRun(ctx context.Context, namespace string, ex *commonpb.WorkflowExecution) {
	ns, err := e.namespace(ctx, namespace)
	if err != nil {
		return
	}
	r, err := e.lockExecution(ctx, ns, ex)
	if err != nil {
		return
	}
	s := r.state
	wt := s.WorkflowTask
	if !s.Open() || wt == nil || wt.StartedEventID != 0 {
		r.mu.Unlock()
		return
	}
	mark := taskMark{kind: kindWorkflow, scheduledEventID: wt.ScheduledEventID, attempt: wt.Attempt, priority: matchPriority(s.DecodedPriority(), matching.Priority{})}
	q := e.workflowQueueFor(s, wt)
	key := r.key
	r.mu.Unlock()
	// A second entry is harmless: whoever takes the stale one finds the task
	// started and moves on.
	e.tasks.Add(q, mark.ref(key))
}
