package client

import (
	"context"
	"errors"
	"fmt"
	"iter"

	commonpb "go.temporal.io/api/common/v1"
	deploymentpb "go.temporal.io/api/deployment/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// WorkerDeploymentClient lists and deletes the worker deployments of the
// client's namespace, and hands out handles to manage one. A deployment is
// created when a worker of one of its versions first polls
// (worker.DeploymentOptions).
type WorkerDeploymentClient struct {
	c *Client
}

// WorkerDeploymentClient returns the worker deployment client of c.
func (c *Client) WorkerDeploymentClient() *WorkerDeploymentClient {
	return &WorkerDeploymentClient{c: c}
}

// GetHandle returns a handle to the deployment named name; it does not check
// that the deployment exists.
func (d *WorkerDeploymentClient) GetHandle(name string) *WorkerDeploymentHandle {
	return &WorkerDeploymentHandle{c: d.c, name: name}
}

// List returns the namespace's deployments, fetching pages as the loop asks
// for more. An error ends the sequence.
func (d *WorkerDeploymentClient) List(ctx context.Context) iter.Seq2[*WorkerDeploymentListEntry, error] {
	return func(yield func(*WorkerDeploymentListEntry, error) bool) {
		var token []byte
		for {
			resp, err := d.listPage(ctx, token)
			if err != nil {
				yield(nil, fmt.Errorf("listing worker deployments: %w", err))
				return
			}
			for _, s := range resp.GetWorkerDeployments() {
				entry := &WorkerDeploymentListEntry{
					Name: s.GetName(), CreateTime: timeOf(s.GetCreateTime()), RoutingConfig: routingConfigFromProto(s.GetRoutingConfig()),
				}
				if !yield(entry, nil) {
					return
				}
			}
			if token = resp.GetNextPageToken(); len(token) == 0 {
				return
			}
		}
	}
}

func (d *WorkerDeploymentClient) listPage(ctx context.Context, token []byte) (*workflowservice.ListWorkerDeploymentsResponse, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	return d.c.service.ListWorkerDeployments(ctx, &workflowservice.ListWorkerDeploymentsRequest{
		Namespace: d.c.opts.Namespace, NextPageToken: token,
	})
}

// Delete deletes a deployment that has no versions left (DeleteVersion).
func (d *WorkerDeploymentClient) Delete(ctx context.Context, name string) error {
	if name == "" {
		return errors.New("deleting worker deployment: the name is empty")
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err := d.c.service.DeleteWorkerDeployment(ctx, &workflowservice.DeleteWorkerDeploymentRequest{
		Namespace: d.c.opts.Namespace, DeploymentName: name, Identity: d.c.opts.Identity,
	})
	if err != nil {
		return fmt.Errorf("deleting worker deployment %q: %w", name, err)
	}
	return nil
}

// WorkerDeploymentHandle manages one deployment: its routing (current and
// ramping versions) and its versions.
type WorkerDeploymentHandle struct {
	c    *Client
	name string
}

// Name returns the deployment name.
func (h *WorkerDeploymentHandle) Name() string { return h.name }

// Describe returns the deployment, its versions and routing, and a conflict
// token for a later change.
func (h *WorkerDeploymentHandle) Describe(ctx context.Context) (*WorkerDeploymentDescription, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := h.c.service.DescribeWorkerDeployment(ctx, &workflowservice.DescribeWorkerDeploymentRequest{
		Namespace: h.c.opts.Namespace, DeploymentName: h.name,
	})
	if err != nil {
		return nil, fmt.Errorf("describing worker deployment %q: %w", h.name, err)
	}
	return &WorkerDeploymentDescription{ConflictToken: resp.GetConflictToken(), Info: deploymentInfoFromProto(resp.GetWorkerDeploymentInfo())}, nil
}

// WorkerDeploymentRoutingOptions configure SetCurrentVersion and
// SetRampingVersion.
type WorkerDeploymentRoutingOptions struct {
	// ConflictToken, from Describe or an earlier change, makes the change fail
	// if the deployment changed since; nil changes it regardless.
	ConflictToken []byte
	// IgnoreMissingTaskQueues allows the change although task queues of the
	// previous version have no poller of the new one.
	IgnoreMissingTaskQueues bool
	// AllowNoPollers allows a version no worker has polled for yet.
	AllowNoPollers bool
	// Identity names who made the change; default the client's identity.
	Identity string
}

func (h *WorkerDeploymentHandle) identity(explicit string) string {
	if explicit != "" {
		return explicit
	}
	return h.c.opts.Identity
}

// legacyVersion is the older version string of buildID, as Temporal's Go SDK
// sends it with the build id.
func (h *WorkerDeploymentHandle) legacyVersion(buildID string) string {
	if buildID == "" {
		return unversionedVersion
	}
	return h.name + "." + buildID
}

// SetCurrentVersion makes buildID the deployment's current version: new
// workflows, and auto-upgrade ones at their next workflow task, go to its
// workers. An empty buildID sends them to the unversioned workers.
func (h *WorkerDeploymentHandle) SetCurrentVersion(ctx context.Context, buildID string, opts WorkerDeploymentRoutingOptions) (WorkerDeploymentRoutingChange, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := h.c.service.SetWorkerDeploymentCurrentVersion(ctx, &workflowservice.SetWorkerDeploymentCurrentVersionRequest{
		Namespace:               h.c.opts.Namespace,
		DeploymentName:          h.name,
		Version:                 h.legacyVersion(buildID),
		BuildId:                 buildID,
		ConflictToken:           opts.ConflictToken,
		Identity:                h.identity(opts.Identity),
		IgnoreMissingTaskQueues: opts.IgnoreMissingTaskQueues,
		AllowNoPollers:          opts.AllowNoPollers,
	})
	if err != nil {
		return WorkerDeploymentRoutingChange{}, fmt.Errorf("setting current version of worker deployment %q to %q: %w", h.name, buildID, err)
	}
	return WorkerDeploymentRoutingChange{
		ConflictToken:   resp.GetConflictToken(),
		PreviousVersion: versionOf(resp.GetPreviousDeploymentVersion(), resp.GetPreviousVersion()),
	}, nil
}

// SetRampingVersion sends percentage (0 to 100) percent of new workflows,
// chosen by workflow id, to buildID's workers instead of the current
// version's. An empty buildID ramps the unversioned workers, or with
// percentage 0 removes the ramp.
func (h *WorkerDeploymentHandle) SetRampingVersion(ctx context.Context, buildID string, percentage float32, opts WorkerDeploymentRoutingOptions) (WorkerDeploymentRoutingChange, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := h.c.service.SetWorkerDeploymentRampingVersion(ctx, &workflowservice.SetWorkerDeploymentRampingVersionRequest{
		Namespace:               h.c.opts.Namespace,
		DeploymentName:          h.name,
		Version:                 h.legacyVersion(buildID),
		BuildId:                 buildID,
		Percentage:              percentage,
		ConflictToken:           opts.ConflictToken,
		Identity:                h.identity(opts.Identity),
		IgnoreMissingTaskQueues: opts.IgnoreMissingTaskQueues,
		AllowNoPollers:          opts.AllowNoPollers,
	})
	if err != nil {
		return WorkerDeploymentRoutingChange{}, fmt.Errorf("ramping worker deployment %q to %q at %v%%: %w", h.name, buildID, percentage, err)
	}
	return WorkerDeploymentRoutingChange{
		ConflictToken:      resp.GetConflictToken(),
		PreviousVersion:    versionOf(resp.GetPreviousDeploymentVersion(), resp.GetPreviousVersion()),
		PreviousPercentage: resp.GetPreviousPercentage(),
	}, nil
}

// WorkerDeploymentManagerChange is what SetManagerIdentity returns.
type WorkerDeploymentManagerChange struct {
	ConflictToken           []byte
	PreviousManagerIdentity string
}

// SetManagerIdentity names the only identity allowed to change the
// deployment's routing (an empty manager lets anyone); conflictToken may be
// nil.
func (h *WorkerDeploymentHandle) SetManagerIdentity(ctx context.Context, manager string, conflictToken []byte) (WorkerDeploymentManagerChange, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := h.c.service.SetWorkerDeploymentManager(ctx, &workflowservice.SetWorkerDeploymentManagerRequest{
		Namespace:          h.c.opts.Namespace,
		DeploymentName:     h.name,
		NewManagerIdentity: &workflowservice.SetWorkerDeploymentManagerRequest_ManagerIdentity{ManagerIdentity: manager},
		ConflictToken:      conflictToken,
		Identity:           h.c.opts.Identity,
	})
	if err != nil {
		return WorkerDeploymentManagerChange{}, fmt.Errorf("setting the manager of worker deployment %q: %w", h.name, err)
	}
	return WorkerDeploymentManagerChange{ConflictToken: resp.GetConflictToken(), PreviousManagerIdentity: resp.GetPreviousManagerIdentity()}, nil
}

// versionRef is buildID's version of this deployment in wire form.
func (h *WorkerDeploymentHandle) versionRef(buildID string) *deploymentpb.WorkerDeploymentVersion {
	return &deploymentpb.WorkerDeploymentVersion{DeploymentName: h.name, BuildId: buildID}
}

// DescribeVersion describes the version buildID: its task queues, routing
// times and drainage.
func (h *WorkerDeploymentHandle) DescribeVersion(ctx context.Context, buildID string) (*WorkerDeploymentVersionInfo, error) {
	if buildID == "" {
		return nil, fmt.Errorf("describing a version of worker deployment %q: the build id is empty", h.name)
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := h.c.service.DescribeWorkerDeploymentVersion(ctx, &workflowservice.DescribeWorkerDeploymentVersionRequest{
		Namespace: h.c.opts.Namespace, Version: h.legacyVersion(buildID), DeploymentVersion: h.versionRef(buildID),
	})
	if err != nil {
		return nil, fmt.Errorf("describing version %q of worker deployment %q: %w", buildID, h.name, err)
	}
	info := versionInfoFromProto(resp.GetWorkerDeploymentVersionInfo())
	return &info, nil
}

// DeleteVersionOptions configure DeleteVersion.
type DeleteVersionOptions struct {
	// SkipDrainage deletes the version although pinned workflows still run on it.
	SkipDrainage bool
	// Identity names who deleted it; default the client's identity.
	Identity string
}

// DeleteVersion deletes the version buildID. The server refuses while it is
// current or ramping, while its workers poll, or (without SkipDrainage) while
// pinned workflows run on it.
func (h *WorkerDeploymentHandle) DeleteVersion(ctx context.Context, buildID string, opts DeleteVersionOptions) error {
	if buildID == "" {
		return fmt.Errorf("deleting a version of worker deployment %q: the build id is empty", h.name)
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err := h.c.service.DeleteWorkerDeploymentVersion(ctx, &workflowservice.DeleteWorkerDeploymentVersionRequest{
		Namespace:         h.c.opts.Namespace,
		Version:           h.legacyVersion(buildID),
		DeploymentVersion: h.versionRef(buildID),
		SkipDrainage:      opts.SkipDrainage,
		Identity:          h.identity(opts.Identity),
	})
	if err != nil {
		return fmt.Errorf("deleting version %q of worker deployment %q: %w", buildID, h.name, err)
	}
	return nil
}

// VersionMetadataUpdate changes a version's metadata entries.
type VersionMetadataUpdate struct {
	// Upsert sets entries, each encoded with the DataConverter unless it is
	// already a *commonpb.Payload.
	Upsert map[string]any
	// Remove deletes entries.
	Remove []string
}

// UpdateVersionMetadata changes the metadata of the version buildID and
// returns all its entries afterwards.
func (h *WorkerDeploymentHandle) UpdateVersionMetadata(ctx context.Context, buildID string, update VersionMetadataUpdate) (map[string]*commonpb.Payload, error) {
	if buildID == "" {
		return nil, fmt.Errorf("updating metadata of a version of worker deployment %q: the build id is empty", h.name)
	}
	upsert := make(map[string]*commonpb.Payload, len(update.Upsert))
	for key, value := range update.Upsert {
		if p, ok := value.(*commonpb.Payload); ok {
			upsert[key] = p
			continue
		}
		p, err := h.c.opts.DataConverter.ToPayload(value)
		if err != nil {
			return nil, fmt.Errorf("encoding metadata entry %q: %w", key, err)
		}
		upsert[key] = p
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := h.c.service.UpdateWorkerDeploymentVersionMetadata(ctx, &workflowservice.UpdateWorkerDeploymentVersionMetadataRequest{
		Namespace:         h.c.opts.Namespace,
		Version:           h.legacyVersion(buildID),
		DeploymentVersion: h.versionRef(buildID),
		UpsertEntries:     upsert,
		RemoveEntries:     update.Remove,
		Identity:          h.c.opts.Identity,
	})
	if err != nil {
		return nil, fmt.Errorf("updating metadata of version %q of worker deployment %q: %w", buildID, h.name, err)
	}
	return resp.GetMetadata().GetEntries(), nil
}
