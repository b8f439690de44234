package engine

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	deploymentpb "go.temporal.io/api/deployment/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/matching"
)

// Temporal's error texts for worker deployments (its workerdeployment
// package), which the CLI and the SDKs show as they are.
const (
	errTextDeploymentNotFound      = "no Worker Deployment found with name '%s'; does your Worker Deployment have pollers?"
	errTextVersionNotFound         = "build ID '%s' not found in Worker Deployment '%s'"
	errTextVersionIsDraining       = "version '%s' cannot be deleted since it is draining"
	errTextVersionHasPollers       = "version '%s' cannot be deleted since it has active pollers"
	errTextVersionIsCurrentRamping = "version '%s' cannot be deleted since it is current or ramping"
	errTextRampingMissingQueues    = "proposed ramping version '%s' is missing active task queues from the current version; these would become unversioned if it is set as the ramping version"
	errTextCurrentMissingQueues    = "proposed current version '%s' is missing active task queues from the current version; these would become unversioned if it is set as the current version"
	errTextManagerMismatch         = "ManagerIdentity '%s' is set and does not match user identity '%s'; to proceed, set your own identity as the ManagerIdentity, remove the ManagerIdentity, or wait for the other client to do so"
	errTextDeploymentExists        = "Worker Deployment with name %q already exists"
	errTextVersionExists           = "Worker Deployment Version %q already exists"
)

func errDeploymentNotFound(name string) error {
	return serviceerror.NewNotFoundf(errTextDeploymentNotFound, name)
}

func errDeploymentLimit() error {
	return &serviceerror.ResourceExhausted{
		Message: fmt.Sprintf("reached maximum deployments in namespace (%d)", maxDeploymentsPerNamespace),
		Scope:   enumspb.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
		Cause:   enumspb.RESOURCE_EXHAUSTED_CAUSE_WORKER_DEPLOYMENT_LIMITS,
	}
}

func errConflictToken() error { return serviceerror.NewFailedPrecondition("conflict token mismatch") }

// checkManager refuses a change by someone other than the deployment's
// manager, when it has one.
func checkManager(d *deploymentDoc, identity string) error {
	if d.ManagerIdentity != "" && d.ManagerIdentity != identity {
		return serviceerror.NewFailedPreconditionf(errTextManagerMismatch, d.ManagerIdentity, identity)
	}
	return nil
}

// touch gives the deployment a new conflict token (never the old one, even
// within one clock tick) and records who changed it.
func (e *Engine) touch(d *deploymentDoc, identity string) {
	now := e.clock.Now()
	tok := conflictToken(now)
	for bytes.Equal(tok, d.ConflictToken) {
		now = now.Add(1)
		tok = conflictToken(now)
	}
	d.ConflictToken = tok
	d.LastModifierIdentity = identity
}

// ListWorkerDeployments pages through the namespace's deployments by name.
func (e *Engine) ListWorkerDeployments(ctx context.Context, req *workflowservice.ListWorkerDeploymentsRequest) (*workflowservice.ListWorkerDeploymentsResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	size := int(req.GetPageSize())
	if size <= 0 || size > maxDeploymentsPerNamespace {
		size = maxDeploymentsPerNamespace
	}
	after := string(req.GetNextPageToken())
	resp := &workflowservice.ListWorkerDeploymentsResponse{}
	for _, d := range e.deploys.list(ns.id) {
		if d.doc.Name <= after {
			continue
		}
		if len(resp.WorkerDeployments) == size {
			resp.NextPageToken = []byte(resp.WorkerDeployments[size-1].Name)
			break
		}
		info, err := e.deploymentInfo(ctx, ns.name, d.doc)
		if err != nil {
			return nil, err
		}
		sum := &workflowservice.ListWorkerDeploymentsResponse_WorkerDeploymentSummary{
			Name: d.doc.Name, CreateTime: info.CreateTime, RoutingConfig: info.RoutingConfig,
		}
		for _, vs := range info.VersionSummaries {
			if sum.LatestVersionSummary == nil || vs.CreateTime.AsTime().After(sum.LatestVersionSummary.CreateTime.AsTime()) {
				sum.LatestVersionSummary = vs
			}
			switch vs.GetDeploymentVersion().GetBuildId() {
			case d.doc.Current:
				sum.CurrentVersionSummary = vs
			case d.doc.Ramping:
				sum.RampingVersionSummary = vs
			}
		}
		resp.WorkerDeployments = append(resp.WorkerDeployments, sum)
	}
	return resp, nil
}

// DescribeWorkerDeployment reports a deployment's versions and routing.
func (e *Engine) DescribeWorkerDeployment(ctx context.Context, req *workflowservice.DescribeWorkerDeploymentRequest) (*workflowservice.DescribeWorkerDeploymentResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	d := e.deploys.get(ns.id, req.GetDeploymentName())
	if d == nil {
		return nil, errDeploymentNotFound(req.GetDeploymentName())
	}
	info, err := e.deploymentInfo(ctx, ns.name, d.doc)
	if err != nil {
		return nil, err
	}
	return &workflowservice.DescribeWorkerDeploymentResponse{ConflictToken: d.doc.ConflictToken, WorkerDeploymentInfo: info}, nil
}

// routingConfig is a deployment's routing in the API's shape.
func routingConfig(d *deploymentDoc) *deploymentpb.RoutingConfig {
	rc := &deploymentpb.RoutingConfig{
		CurrentVersion:                      unversionedVersionID,
		CurrentVersionChangedTime:           tsOrNil(d.CurrentChanged),
		RampingVersionChangedTime:           tsOrNil(d.RampingChanged),
		RampingVersionPercentageChangedTime: tsOrNil(d.RampPercentageChanged),
		RevisionNumber:                      d.Revision,
	}
	if d.Current != "" {
		rc.CurrentVersion = versionKey(d.Name, d.Current)
		rc.CurrentDeploymentVersion = &deploymentpb.WorkerDeploymentVersion{DeploymentName: d.Name, BuildId: d.Current}
	}
	switch d.Ramping {
	case "":
	case unversionedVersionID:
		rc.RampingVersion = unversionedVersionID
		rc.RampingVersionPercentage = d.RampPercentage
	default:
		rc.RampingVersion = versionKey(d.Name, d.Ramping)
		rc.RampingDeploymentVersion = &deploymentpb.WorkerDeploymentVersion{DeploymentName: d.Name, BuildId: d.Ramping}
		rc.RampingVersionPercentage = d.RampPercentage
	}
	return rc
}

func (e *Engine) deploymentInfo(ctx context.Context, nsName string, d *deploymentDoc) (*deploymentpb.WorkerDeploymentInfo, error) {
	info := &deploymentpb.WorkerDeploymentInfo{
		Name:                 d.Name,
		CreateTime:           timestamppb.New(d.CreateTime),
		RoutingConfig:        routingConfig(d),
		LastModifierIdentity: d.LastModifierIdentity,
		ManagerIdentity:      d.ManagerIdentity,
	}
	if d.Current != "" || d.Ramping != "" {
		info.RoutingConfigUpdateState = enumspb.ROUTING_CONFIG_UPDATE_STATE_COMPLETED
	}
	for _, v := range sortedVersions(d) {
		status, drainage, err := e.versionStatus(ctx, nsName, d, v)
		if err != nil {
			return nil, err
		}
		info.VersionSummaries = append(info.VersionSummaries, &deploymentpb.WorkerDeploymentInfo_WorkerDeploymentVersionSummary{
			Version:              versionKey(d.Name, v.BuildID),
			Status:               status,
			DeploymentVersion:    &deploymentpb.WorkerDeploymentVersion{DeploymentName: d.Name, BuildId: v.BuildID},
			CreateTime:           timestamppb.New(v.CreateTime),
			DrainageStatus:       drainage.GetStatus(),
			DrainageInfo:         drainage,
			CurrentSinceTime:     tsOrNil(v.CurrentSince),
			RampingSinceTime:     tsOrNil(v.RampingSince),
			RoutingUpdateTime:    tsOrNil(v.RoutingChanged),
			FirstActivationTime:  tsOrNil(v.FirstActivation),
			LastCurrentTime:      tsOrNil(v.LastCurrent),
			LastDeactivationTime: tsOrNil(v.LastDeactivation),
		})
	}
	return info, nil
}

func sortedVersions(d *deploymentDoc) []*versionDoc {
	out := make([]*versionDoc, 0, len(d.Versions))
	for _, v := range d.Versions {
		out = append(out, v)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && versionBefore(out[j], out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func versionBefore(a, b *versionDoc) bool {
	if !a.CreateTime.Equal(b.CreateTime) {
		return a.CreateTime.Before(b.CreateTime)
	}
	return a.BuildID < b.BuildID
}

// DefaultVersionDrainageGracePeriod is Config.VersionDrainageGracePeriod's
// default, Temporal's.
const DefaultVersionDrainageGracePeriod = 3 * time.Minute

// versionStatus is a version's status and, once it stopped being current or
// ramping, its drainage. As in Temporal, a deactivated version is draining
// for the grace period whatever runs it has; after that it is draining while
// open pinned runs remain on it and drained once none do. Temporal counts
// them again every few minutes; Sundial's visibility is current, so it
// counts them on every read.
func (e *Engine) versionStatus(ctx context.Context, nsName string, d *deploymentDoc, v *versionDoc) (enumspb.WorkerDeploymentVersionStatus, *deploymentpb.VersionDrainageInfo, error) {
	switch {
	case d.Current == v.BuildID:
		return enumspb.WORKER_DEPLOYMENT_VERSION_STATUS_CURRENT, nil, nil
	case d.Ramping == v.BuildID:
		return enumspb.WORKER_DEPLOYMENT_VERSION_STATUS_RAMPING, nil, nil
	case v.LastDeactivation.IsZero():
		return enumspb.WORKER_DEPLOYMENT_VERSION_STATUS_INACTIVE, nil, nil
	}
	deactivated := timestamppb.New(v.LastDeactivation)
	now := e.clock.Now()
	graceEnd := v.LastDeactivation.Add(e.cfg.VersionDrainageGracePeriod)
	if now.Before(graceEnd) {
		return enumspb.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING, &deploymentpb.VersionDrainageInfo{
			Status: enumspb.VERSION_DRAINAGE_STATUS_DRAINING, LastChangedTime: deactivated, LastCheckedTime: deactivated,
		}, nil
	}
	pinned, err := e.pinnedOpenRuns(ctx, nsName, d.Name, v.BuildID)
	if err != nil {
		return 0, nil, err
	}
	if pinned > 0 {
		return enumspb.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING, &deploymentpb.VersionDrainageInfo{
			Status: enumspb.VERSION_DRAINAGE_STATUS_DRAINING, LastChangedTime: deactivated, LastCheckedTime: timestamppb.New(now),
		}, nil
	}
	return enumspb.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINED, &deploymentpb.VersionDrainageInfo{
		Status: enumspb.VERSION_DRAINAGE_STATUS_DRAINED, LastChangedTime: timestamppb.New(graceEnd), LastCheckedTime: timestamppb.New(now),
	}, nil
}

// pinnedOpenRuns counts the open runs pinned to a version, through the
// versioning search attributes.
func (e *Engine) pinnedOpenRuns(ctx context.Context, nsName, deployment, buildID string) (int64, error) {
	q := fmt.Sprintf("%s = %s AND %s = 'Pinned' AND ExecutionStatus = 'Running'",
		saWorkerDeploymentVersion, quoteVisibility(versionKey(deployment, buildID)), saWorkflowVersioningBehavior)
	resp, err := e.CountWorkflowExecutions(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: nsName, Query: q})
	if err != nil {
		return 0, err
	}
	return resp.GetCount(), nil
}

// quoteVisibility quotes a string for a visibility query.
func quoteVisibility(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}

// DescribeWorkerDeploymentVersion reports one version: its routing, task
// queues, drainage and metadata.
func (e *Engine) DescribeWorkerDeploymentVersion(ctx context.Context, req *workflowservice.DescribeWorkerDeploymentVersionRequest) (*workflowservice.DescribeWorkerDeploymentVersionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	dep, build, err := requestVersion(req.GetDeploymentVersion(), req.GetVersion())
	if err != nil {
		return nil, err
	}
	d := e.deploys.get(ns.id, dep)
	if d == nil || d.doc.Versions[build] == nil {
		return nil, serviceerror.NewNotFound("Worker Deployment Version not found")
	}
	v := d.doc.Versions[build]
	status, drainage, err := e.versionStatus(ctx, ns.name, d.doc, v)
	if err != nil {
		return nil, err
	}
	info := &deploymentpb.WorkerDeploymentVersionInfo{
		Version:              versionKey(dep, build),
		Status:               status,
		DeploymentVersion:    &deploymentpb.WorkerDeploymentVersion{DeploymentName: dep, BuildId: build},
		DeploymentName:       dep,
		CreateTime:           timestamppb.New(v.CreateTime),
		RoutingChangedTime:   tsOrNil(v.RoutingChanged),
		CurrentSinceTime:     tsOrNil(v.CurrentSince),
		RampingSinceTime:     tsOrNil(v.RampingSince),
		FirstActivationTime:  tsOrNil(v.FirstActivation),
		LastCurrentTime:      tsOrNil(v.LastCurrent),
		LastDeactivationTime: tsOrNil(v.LastDeactivation),
		DrainageInfo:         drainage,
		LastModifierIdentity: v.LastModifierIdentity,
	}
	if d.doc.Ramping == build {
		info.RampPercentage = d.doc.RampPercentage
	}
	if len(v.Metadata) > 0 {
		info.Metadata = &deploymentpb.VersionMetadata{Entries: map[string]*commonpb.Payload{}}
		for k, b := range v.Metadata {
			p := &commonpb.Payload{}
			if proto.Unmarshal(b, p) == nil {
				info.Metadata.Entries[k] = p
			}
		}
	}
	resp := &workflowservice.DescribeWorkerDeploymentVersionResponse{WorkerDeploymentVersionInfo: info}
	for _, tq := range v.TaskQueues {
		typ := enumspb.TASK_QUEUE_TYPE_WORKFLOW
		if tq.Kind == matching.Activity {
			typ = enumspb.TASK_QUEUE_TYPE_ACTIVITY
		}
		info.TaskQueueInfos = append(info.TaskQueueInfos, &deploymentpb.WorkerDeploymentVersionInfo_VersionTaskQueueInfo{Name: tq.Name, Type: typ})
		vtq := &workflowservice.DescribeWorkerDeploymentVersionResponse_VersionTaskQueue{Name: tq.Name, Type: typ}
		if req.GetReportTaskQueueStats() {
			q := matching.QueueKey{NamespaceID: ns.id, Name: tq.Name, Kind: tq.Kind, Version: versionKey(dep, build)}
			vtq.Stats = &taskqueuepb.TaskQueueStats{ApproximateBacklogCount: int64(e.tasks.BacklogLen(q))}
		}
		resp.VersionTaskQueues = append(resp.VersionTaskQueues, vtq)
	}
	return resp, nil
}

// requestVersion reads a request's version: the structured field, else the
// deprecated version string.
func requestVersion(v *deploymentpb.WorkerDeploymentVersion, s string) (deployment, buildID string, err error) {
	if v != nil {
		return v.GetDeploymentName(), v.GetBuildId(), nil
	}
	return ParseVersionString(s)
}

// missingQueues reports whether the proposed version lacks a task queue that
// the current version's workers still poll.
func (e *Engine) missingQueues(nsID string, d *deploymentDoc, proposed string) bool {
	cur := d.Versions[d.Current]
	next := d.Versions[proposed]
	if cur == nil || next == nil {
		return false
	}
	now := e.cfg.WallClock.Now()
	for _, tq := range cur.TaskQueues {
		if next.hasQueue(tq.Name, tq.Kind) {
			continue
		}
		if e.deploys.queueHasPollers(pollerKey{namespaceID: nsID, deployment: d.Name, buildID: d.Current, queue: tq}, now) {
			return true
		}
	}
	return false
}

// addVersionForNoPollers adds a version no worker has polled yet (the
// allow_no_pollers option).
func (e *Engine) addVersionForNoPollers(d *deploymentDoc, build string) error {
	if build == "" || build == unversionedVersionID || d.Versions[build] != nil {
		return nil
	}
	if len(d.Versions) >= maxVersionsPerDeployment {
		return serviceerror.NewFailedPreconditionf("cannot add version %s since maximum number of versions (%d) have been registered in the deployment", versionKey(d.Name, build), maxVersionsPerDeployment)
	}
	d.Versions[build] = &versionDoc{BuildID: build, CreateTime: e.clock.Now()}
	return nil
}

// SetWorkerDeploymentCurrentVersion makes a version (or, with an empty build
// id, the unversioned workers) the deployment's current version.
func (e *Engine) SetWorkerDeploymentCurrentVersion(ctx context.Context, req *workflowservice.SetWorkerDeploymentCurrentVersionRequest) (*workflowservice.SetWorkerDeploymentCurrentVersionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	name := req.GetDeploymentName()
	build := req.GetBuildId()
	if build == "" && req.GetVersion() != "" && req.GetVersion() != unversionedVersionID { //nolint:staticcheck // deprecated form
		if _, build, err = ParseVersionString(req.GetVersion()); err != nil { //nolint:staticcheck // deprecated form
			return nil, err
		}
	}
	resp := &workflowservice.SetWorkerDeploymentCurrentVersionResponse{}
	changed := false
	doc, err := e.mutateDeployment(ctx, ns.id, name, req.GetAllowNoPollers(), func(d *deploymentDoc, _ bool) error {
		prev := d.Current
		resp.PreviousVersion = unversionedVersionID
		if prev != "" {
			resp.PreviousVersion = versionKey(name, prev)
			resp.PreviousDeploymentVersion = &deploymentpb.WorkerDeploymentVersion{DeploymentName: name, BuildId: prev}
		}
		if prev == build && d.LastModifierIdentity == req.GetIdentity() {
			return errDeploymentUnchanged
		}
		if req.GetConflictToken() != nil && !bytes.Equal(req.GetConflictToken(), d.ConflictToken) {
			return errConflictToken()
		}
		if build != "" && d.Versions[build] == nil {
			if !req.GetAllowNoPollers() {
				return serviceerror.NewNotFoundf(errTextVersionNotFound, build, name)
			}
			if err := e.addVersionForNoPollers(d, build); err != nil {
				return err
			}
		}
		if err := checkManager(d, req.GetIdentity()); err != nil {
			return err
		}
		if !req.GetIgnoreMissingTaskQueues() && prev != "" && build != "" && e.missingQueues(ns.id, d, build) {
			return serviceerror.NewFailedPreconditionf(errTextCurrentMissingQueues, versionKey(name, build))
		}
		e.touch(d, req.GetIdentity())
		if prev == build {
			return nil
		}
		now := e.clock.Now()
		changed = true
		d.Current = build
		d.CurrentChanged = now
		d.Revision++
		if old := d.Versions[prev]; old != nil {
			old.CurrentSince = time.Time{}
			old.LastDeactivation = now
			old.RoutingChanged = now
		}
		if nv := d.Versions[build]; nv != nil {
			nv.CurrentSince, nv.LastCurrent, nv.RoutingChanged = now, now, now
			nv.RampingSince = time.Time{}
			if nv.FirstActivation.IsZero() {
				nv.FirstActivation = now
			}
			nv.LastDeactivation = time.Time{}
		}
		if d.Ramping == build || (build == "" && d.Ramping == unversionedVersionID) {
			d.Ramping, d.RampPercentage = "", 0
			d.RampingChanged, d.RampPercentageChanged = now, now
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	resp.ConflictToken = doc.ConflictToken
	if changed {
		e.rerouteDeployment(ctx, ns.id, doc)
	}
	return resp, nil
}

// SetWorkerDeploymentRampingVersion sends a share of the deployment's new and
// auto-upgrade workflows to a version (or the unversioned workers); an empty
// build id with percentage 0 removes the ramp.
func (e *Engine) SetWorkerDeploymentRampingVersion(ctx context.Context, req *workflowservice.SetWorkerDeploymentRampingVersionRequest) (*workflowservice.SetWorkerDeploymentRampingVersionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	name := req.GetDeploymentName()
	pct := req.GetPercentage()
	build := req.GetBuildId()
	legacy := req.GetVersion() //nolint:staticcheck // deprecated form
	switch {
	case build != "":
	case legacy == unversionedVersionID:
		if pct > 0 {
			build = unversionedVersionID
		}
	case legacy != "":
		if _, build, err = ParseVersionString(legacy); err != nil {
			return nil, err
		}
	case pct > 0:
		build = unversionedVersionID
	}
	resp := &workflowservice.SetWorkerDeploymentRampingVersionResponse{}
	changed := false
	doc, err := e.mutateDeployment(ctx, ns.id, name, req.GetAllowNoPollers(), func(d *deploymentDoc, _ bool) error {
		prev := d.Ramping
		resp.PreviousPercentage = d.RampPercentage
		switch prev {
		case "":
		case unversionedVersionID:
			resp.PreviousVersion = unversionedVersionID
		default:
			resp.PreviousVersion = versionKey(name, prev)
			resp.PreviousDeploymentVersion = &deploymentpb.WorkerDeploymentVersion{DeploymentName: name, BuildId: prev}
		}
		if prev == build && d.RampPercentage == pct && d.LastModifierIdentity == req.GetIdentity() {
			return errDeploymentUnchanged
		}
		if req.GetConflictToken() != nil && !bytes.Equal(req.GetConflictToken(), d.ConflictToken) {
			return errConflictToken()
		}
		if build != "" && build != unversionedVersionID && build == d.Current {
			return serviceerror.NewFailedPreconditionf("requested ramping version %s is already current", versionKey(name, build))
		}
		if build == unversionedVersionID && d.Current == "" {
			return serviceerror.NewFailedPreconditionf("requested ramping version %s is already current", unversionedVersionID)
		}
		if build != "" && build != unversionedVersionID && d.Versions[build] == nil {
			if !req.GetAllowNoPollers() {
				return serviceerror.NewNotFoundf(errTextVersionNotFound, build, name)
			}
			if err := e.addVersionForNoPollers(d, build); err != nil {
				return err
			}
		}
		if err := checkManager(d, req.GetIdentity()); err != nil {
			return err
		}
		if prev != build && !req.GetIgnoreMissingTaskQueues() && d.Current != "" && build != "" && build != unversionedVersionID && e.missingQueues(ns.id, d, build) {
			return serviceerror.NewFailedPreconditionf(errTextRampingMissingQueues, versionKey(name, build))
		}
		e.touch(d, req.GetIdentity())
		if prev == build && d.RampPercentage == pct {
			return nil
		}
		now := e.clock.Now()
		changed = true
		d.Revision++
		if d.RampPercentage != pct {
			d.RampPercentageChanged = now
		}
		d.RampPercentage = pct
		if build == "" {
			d.RampPercentage = 0
		}
		if prev != build {
			d.Ramping = build
			d.RampingChanged = now
			if old := d.Versions[prev]; old != nil {
				old.RampingSince = time.Time{}
				old.LastDeactivation = now
				old.RoutingChanged = now
			}
			if nv := d.Versions[build]; nv != nil {
				nv.RampingSince, nv.RoutingChanged = now, now
				if nv.FirstActivation.IsZero() {
					nv.FirstActivation = now
				}
				nv.LastDeactivation = time.Time{}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	resp.ConflictToken = doc.ConflictToken
	if changed {
		e.rerouteDeployment(ctx, ns.id, doc)
	}
	return resp, nil
}

// SetWorkerDeploymentManager sets (or, with self, takes; with an empty
// identity, clears) the identity allowed to change the deployment.
func (e *Engine) SetWorkerDeploymentManager(ctx context.Context, req *workflowservice.SetWorkerDeploymentManagerRequest) (*workflowservice.SetWorkerDeploymentManagerResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	manager := req.GetManagerIdentity()
	if req.GetSelf() {
		manager = req.GetIdentity()
	}
	resp := &workflowservice.SetWorkerDeploymentManagerResponse{}
	doc, err := e.mutateDeployment(ctx, ns.id, req.GetDeploymentName(), false, func(d *deploymentDoc, _ bool) error {
		resp.PreviousManagerIdentity = d.ManagerIdentity
		if d.ManagerIdentity == manager && d.LastModifierIdentity == req.GetIdentity() {
			return errDeploymentUnchanged
		}
		if req.GetConflictToken() != nil && !bytes.Equal(req.GetConflictToken(), d.ConflictToken) {
			return errConflictToken()
		}
		if err := checkManager(d, req.GetIdentity()); err != nil {
			return err
		}
		d.ManagerIdentity = manager
		e.touch(d, req.GetIdentity())
		return nil
	})
	if err != nil {
		return nil, err
	}
	resp.ConflictToken = doc.ConflictToken
	return resp, nil
}

// UpdateWorkerDeploymentVersionMetadata upserts and removes entries of a
// version's metadata, within maxVersionMetadataBytes in all.
func (e *Engine) UpdateWorkerDeploymentVersionMetadata(ctx context.Context, req *workflowservice.UpdateWorkerDeploymentVersionMetadataRequest) (*workflowservice.UpdateWorkerDeploymentVersionMetadataResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	dep, build, err := requestVersion(req.GetDeploymentVersion(), req.GetVersion()) //nolint:staticcheck // deprecated form
	if err != nil {
		return nil, err
	}
	var out *deploymentpb.VersionMetadata
	_, err = e.mutateDeployment(ctx, ns.id, dep, false, func(d *deploymentDoc, _ bool) error {
		v := d.Versions[build]
		if v == nil {
			return serviceerror.NewNotFound("Worker Deployment Version not found")
		}
		if v.Metadata == nil {
			v.Metadata = map[string][]byte{}
		}
		for k, p := range req.GetUpsertEntries() {
			b, err := proto.Marshal(p)
			if err != nil {
				return fmt.Errorf("encoding metadata entry %s: %w", k, err)
			}
			v.Metadata[k] = b
		}
		for _, k := range req.GetRemoveEntries() {
			delete(v.Metadata, k)
		}
		size := 0
		for k, b := range v.Metadata {
			size += len(k) + len(b)
		}
		if size > maxVersionMetadataBytes || len(v.Metadata) > maxVersionMetadataEntries {
			return serviceerror.NewInvalidArgumentf("version metadata would exceed the limit of %d entries and %d bytes", maxVersionMetadataEntries, maxVersionMetadataBytes)
		}
		v.LastModifierIdentity = req.GetIdentity()
		out = &deploymentpb.VersionMetadata{Entries: map[string]*commonpb.Payload{}}
		for k, b := range v.Metadata {
			p := &commonpb.Payload{}
			if proto.Unmarshal(b, p) == nil {
				out.Entries[k] = p
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &workflowservice.UpdateWorkerDeploymentVersionMetadataResponse{Metadata: out}, nil
}

// DeleteWorkerDeploymentVersion removes a version that is neither current
// nor ramping, has no pollers and (unless skip_drainage) no pinned runs
// draining.
func (e *Engine) DeleteWorkerDeploymentVersion(ctx context.Context, req *workflowservice.DeleteWorkerDeploymentVersionRequest) (*workflowservice.DeleteWorkerDeploymentVersionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	dep, build, err := requestVersion(req.GetDeploymentVersion(), req.GetVersion()) //nolint:staticcheck // deprecated form
	if err != nil {
		return nil, err
	}
	cur := e.deploys.get(ns.id, dep)
	if cur == nil {
		return nil, errDeploymentNotFound(dep)
	}
	key := versionKey(dep, build)
	// Drainage reads visibility, which must not run under the write lock.
	var draining bool
	if v := cur.doc.Versions[build]; v != nil && !req.GetSkipDrainage() {
		status, _, err := e.versionStatus(ctx, ns.name, cur.doc, v)
		if err != nil {
			return nil, err
		}
		draining = status == enumspb.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING
	}
	_, err = e.mutateDeployment(ctx, ns.id, dep, false, func(d *deploymentDoc, _ bool) error {
		if d.Versions[build] == nil {
			return serviceerror.NewNotFoundf(errTextVersionNotFound, build, dep)
		}
		if d.Current == build || d.Ramping == build {
			return serviceerror.NewFailedPreconditionf(errTextVersionIsCurrentRamping, key)
		}
		if err := checkManager(d, req.GetIdentity()); err != nil {
			return err
		}
		if draining {
			return serviceerror.NewFailedPreconditionf(errTextVersionIsDraining, key)
		}
		if e.deploys.hasPollers(ns.id, dep, build, e.cfg.WallClock.Now()) {
			return serviceerror.NewFailedPreconditionf(errTextVersionHasPollers, key)
		}
		delete(d.Versions, build)
		return nil
	})
	if err != nil {
		return nil, err
	}
	reg := e.deploys
	reg.mu.Lock()
	if sp := reg.spaces[ns.id]; sp != nil {
		for q, owner := range sp.owners {
			if owner == dep && !deploymentPolls(sp.byName[dep], q) {
				delete(sp.owners, q)
			}
		}
		reg.reownLocked(sp)
	}
	reg.dropPollersLocked(ns.id, dep, build)
	reg.mu.Unlock()
	return &workflowservice.DeleteWorkerDeploymentVersionResponse{}, nil
}

// deploymentPolls reports whether a version of the deployment has the queue.
func deploymentPolls(d *storedDeployment, q versionQueue) bool {
	if d == nil {
		return false
	}
	for _, v := range d.doc.Versions {
		if v.hasQueue(q.Name, q.Kind) {
			return true
		}
	}
	return false
}

// DeleteWorkerDeployment removes a deployment that has no versions left.
func (e *Engine) DeleteWorkerDeployment(ctx context.Context, req *workflowservice.DeleteWorkerDeploymentRequest) (*workflowservice.DeleteWorkerDeploymentResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	reg := e.deploys
	reg.writes.Lock()
	defer reg.writes.Unlock()
	d := reg.get(ns.id, req.GetDeploymentName())
	if d == nil {
		return &workflowservice.DeleteWorkerDeploymentResponse{}, nil
	}
	if len(d.doc.Versions) > 0 {
		return nil, serviceerror.NewFailedPrecondition("deployment has versions, can't be deleted")
	}
	if err := checkManager(d.doc, req.GetIdentity()); err != nil {
		return nil, err
	}
	if err := e.deleteDeploymentRecord(ctx, ns.id, d); err != nil {
		return nil, err
	}
	return &workflowservice.DeleteWorkerDeploymentResponse{}, nil
}

// CreateWorkerDeployment creates an empty deployment (workers' polls create
// one otherwise).
func (e *Engine) CreateWorkerDeployment(ctx context.Context, req *workflowservice.CreateWorkerDeploymentRequest) (*workflowservice.CreateWorkerDeploymentResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	if e.deploys.get(ns.id, req.GetDeploymentName()) != nil {
		return nil, serviceerror.NewAlreadyExistsf(errTextDeploymentExists, req.GetDeploymentName())
	}
	doc, err := e.mutateDeployment(ctx, ns.id, req.GetDeploymentName(), true, func(d *deploymentDoc, isNew bool) error {
		if !isNew {
			return serviceerror.NewAlreadyExistsf(errTextDeploymentExists, req.GetDeploymentName())
		}
		d.LastModifierIdentity = req.GetIdentity()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &workflowservice.CreateWorkerDeploymentResponse{ConflictToken: doc.ConflictToken}, nil
}

// CreateWorkerDeploymentVersion adds a version before any of its workers
// polls (creating the deployment if needed).
func (e *Engine) CreateWorkerDeploymentVersion(ctx context.Context, req *workflowservice.CreateWorkerDeploymentVersionRequest) (*workflowservice.CreateWorkerDeploymentVersionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	if err := refuseScalingGroups(req.GetComputeConfig().GetScalingGroups()); err != nil {
		return nil, err
	}
	dep, build := req.GetDeploymentVersion().GetDeploymentName(), req.GetDeploymentVersion().GetBuildId()
	_, err = e.mutateDeployment(ctx, ns.id, dep, true, func(d *deploymentDoc, _ bool) error {
		if d.Versions[build] != nil {
			return serviceerror.NewAlreadyExistsf(errTextVersionExists, versionKey(dep, build))
		}
		if err := e.addVersionForNoPollers(d, build); err != nil {
			return err
		}
		d.Versions[build].LastModifierIdentity = req.GetIdentity()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &workflowservice.CreateWorkerDeploymentVersionResponse{}, nil
}
