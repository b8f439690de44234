package workflowrt

import (
	"strings"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/internal/sdk/versionstamp"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// setBehavior records the versioning behavior of a workflow type; r.mu is
// held.
func (r *Registry) setBehavior(name string, b enumspb.VersioningBehavior) {
	if b == enumspb.VERSIONING_BEHAVIOR_UNSPECIFIED {
		return
	}
	if r.behaviors == nil {
		r.behaviors = make(map[string]enumspb.VersioningBehavior)
	}
	r.behaviors[name] = b
}

// SetDynamicVersioningBehavior sets how the behavior of a type the dynamic
// workflow runs is chosen; nil leaves it to the worker's default.
func (r *Registry) SetDynamicVersioningBehavior(fn func(workflowType string) enumspb.VersioningBehavior) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dynamicBehavior = fn
}

// VersioningBehavior is the behavior registered for workflowType: its own,
// else the dynamic workflow's when the dynamic workflow runs it, else
// unspecified.
func (r *Registry) VersioningBehavior(workflowType string) enumspb.VersioningBehavior {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if _, own := r.byName[workflowType]; own {
		return r.behaviors[workflowType]
	}
	if r.dynamic != nil && r.dynamicBehavior != nil {
		return r.dynamicBehavior(workflowType)
	}
	return enumspb.VERSIONING_BEHAVIOR_UNSPECIFIED
}

// stampCompleted adds the worker's version, and the run's versioning
// behavior, to a completion; an unversioned worker adds nothing.
func (h *TaskHandler) stampCompleted(req *workflowservice.RespondWorkflowTaskCompletedRequest, workflowType string) {
	s := h.opts.Versioning
	if s == nil {
		return
	}
	req.WorkerVersionStamp = s.VersionStamp
	req.Deployment = s.Deployment
	req.DeploymentOptions = s.Options
	behavior := h.cfg.registry.VersioningBehavior(workflowType)
	if behavior == enumspb.VERSIONING_BEHAVIOR_UNSPECIFIED {
		behavior = h.opts.DefaultVersioningBehavior
	}
	req.VersioningBehavior = behavior
}

// stampFailed adds the worker's version to a failed task's answer.
func (h *TaskHandler) stampFailed(req *workflowservice.RespondWorkflowTaskFailedRequest) {
	if s := h.opts.Versioning; s != nil {
		req.WorkerVersion = s.VersionStamp
		req.Deployment = s.Deployment
		req.DeploymentOptions = s.Options
	}
}

// noteTaskVersion sets the version Info reports while the code of one
// workflow task runs: on replay, the version of the worker that completed
// that task (next holds the task's WorkflowTaskCompleted); otherwise this
// worker's own.
func (r *workflowRun) noteTaskVersion(next *batch, replaying bool) {
	v := r.cfg.version
	if replaying && next != nil {
		v = completedBy(next.events)
	}
	r.env.info.CurrentBuildID = v.BuildID
	r.env.info.CurrentDeploymentVersion = v
	if v.DeploymentName == "" {
		r.env.info.CurrentDeploymentVersion = sundial.WorkerDeploymentVersion{}
	}
}

// completedBy reads the version of the worker that completed a task from
// the first WorkflowTaskCompleted among events: the deployment version, else
// the older version string, else the worker version stamp.
func completedBy(events []*historypb.HistoryEvent) sundial.WorkerDeploymentVersion {
	for _, ev := range events {
		attrs := ev.GetWorkflowTaskCompletedEventAttributes()
		if attrs == nil {
			continue
		}
		if v := attrs.GetDeploymentVersion(); v.GetBuildId() != "" {
			return sundial.WorkerDeploymentVersion{DeploymentName: v.GetDeploymentName(), BuildID: v.GetBuildId()}
		}
		if v, ok := parseVersionString(attrs.GetWorkerDeploymentVersion()); ok {
			return v
		}
		return sundial.WorkerDeploymentVersion{BuildID: attrs.GetWorkerVersion().GetBuildId()}
	}
	return sundial.WorkerDeploymentVersion{}
}

// parseVersionString splits an older version string, "deployment:build" or
// the earlier "deployment.build".
func parseVersionString(s string) (sundial.WorkerDeploymentVersion, bool) {
	for _, sep := range []string{":", "."} {
		if dep, build, ok := strings.Cut(s, sep); ok && dep != "" && build != "" {
			return sundial.WorkerDeploymentVersion{DeploymentName: dep, BuildID: build}, true
		}
	}
	return sundial.WorkerDeploymentVersion{}, false
}

// stampVersion is the version of a stamp, zero for nil.
func stampVersion(s *versionstamp.Stamp) sundial.WorkerDeploymentVersion {
	if s == nil {
		return sundial.WorkerDeploymentVersion{}
	}
	return s.Version
}
