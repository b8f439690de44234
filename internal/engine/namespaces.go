package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	replicationpb "go.temporal.io/api/replication/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/uuid"
)

// DefaultNamespace exists from the first start.
const DefaultNamespace = "default"

// DefaultMinRetention is the shortest namespace retention accepted unless
// Config.MinRetention says otherwise: a day, Temporal's minimum for global
// namespaces. A shorter one deletes closed runs before anyone looks at them.
const DefaultMinRetention = 24 * time.Hour

// errInvalidRetention is Temporal's answer to a retention that is malformed or
// below the minimum.
func errInvalidRetention() error {
	return serviceerror.NewInvalidArgument("A valid retention period is not set on request.")
}

// checkRetention rejects a retention shorter than the configured minimum.
func (e *Engine) checkRetention(retention time.Duration) error {
	if retention < e.cfg.MinRetention {
		return errInvalidRetention()
	}
	return nil
}

// clusterName is the one cluster a Sundial server is.
const clusterName = "active"

// namespace is a namespace as the engine uses it.
type namespace struct {
	id   string
	name string
	// desc is the namespace as DescribeNamespace returns it, without capabilities.
	desc *workflowservice.DescribeNamespaceResponse
}

// namespaceCache remembers namespaces by name.
type namespaceCache struct {
	store  store.Store
	mu     sync.RWMutex
	byName map[string]*namespace
	byID   map[string]*namespace
}

func newNamespaceCache(s store.Store) *namespaceCache {
	return &namespaceCache{store: s, byName: map[string]*namespace{}, byID: map[string]*namespace{}}
}

func (c *namespaceCache) put(ns *namespace) {
	c.mu.Lock()
	c.byName[ns.name] = ns
	c.byID[ns.id] = ns
	c.mu.Unlock()
}

// rename replaces the namespace once called oldName with ns.
func (c *namespaceCache) rename(oldName string, ns *namespace) {
	c.mu.Lock()
	if c.byName[oldName] != nil && c.byName[oldName].id == ns.id {
		delete(c.byName, oldName)
	}
	c.byName[ns.name] = ns
	c.byID[ns.id] = ns
	c.mu.Unlock()
}

// lookup returns the namespace called name, or NamespaceNotFound.
func (c *namespaceCache) lookup(ctx context.Context, name string) (*namespace, error) {
	return c.find(ctx, name, c.byName, c.store.GetNamespaceByName)
}

// lookupID returns the namespace with id, or NamespaceNotFound.
func (c *namespaceCache) lookupID(ctx context.Context, id string) (*namespace, error) {
	return c.find(ctx, id, c.byID, c.store.GetNamespaceByID)
}

// find looks key up in index, loading it from the store on a miss.
func (c *namespaceCache) find(ctx context.Context, key string, index map[string]*namespace,
	load func(context.Context, string) (*store.Namespace, error)) (*namespace, error) {
	c.mu.RLock()
	ns := index[key]
	c.mu.RUnlock()
	if ns != nil {
		return ns, nil
	}
	row, err := load(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, serviceerror.NewNamespaceNotFound(key)
	}
	if err != nil {
		return nil, unavailable("loading namespace", err)
	}
	ns, err = decodeNamespace(row)
	if err != nil {
		return nil, err
	}
	c.put(ns)
	return ns, nil
}

func decodeNamespace(row *store.Namespace) (*namespace, error) {
	desc := &workflowservice.DescribeNamespaceResponse{}
	if err := proto.Unmarshal(row.Data, desc); err != nil {
		return nil, serviceerror.NewInternalf("namespace %q has unreadable data: %v", row.Name, err)
	}
	return &namespace{id: row.ID, name: row.Name, desc: desc}, nil
}

func encodeNamespace(ns *namespace) (*store.Namespace, error) {
	data, err := proto.Marshal(ns.desc)
	if err != nil {
		return nil, serviceerror.NewInternalf("encoding namespace: %v", err)
	}
	return &store.Namespace{ID: ns.id, Name: ns.name, Data: data}, nil
}

// namespace resolves a request's namespace name.
func (e *Engine) namespace(ctx context.Context, name string) (*namespace, error) {
	if name == "" {
		return nil, serviceerror.NewInvalidArgument("Namespace is not set on request.")
	}
	return e.ns.lookup(ctx, name)
}

func (e *Engine) ensureDefaultNamespace(ctx context.Context) error {
	_, err := e.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace:   DefaultNamespace,
		Description: "Default namespace for Sundial",
	})
	var exists *serviceerror.NamespaceAlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return err
	}
	ns, err := e.ns.lookup(ctx, DefaultNamespace)
	if err != nil {
		return err
	}
	e.clusterID = ns.id
	return nil
}

// ClusterID identifies this server's database: it is the id of its default
// namespace, created with the database and never changed. Valid after Start.
func (e *Engine) ClusterID() string { return e.clusterID }

// RegisterNamespace creates a namespace.
func (e *Engine) RegisterNamespace(ctx context.Context, req *workflowservice.RegisterNamespaceRequest) (*workflowservice.RegisterNamespaceResponse, error) {
	retention := req.GetWorkflowExecutionRetentionPeriod().AsDuration()
	if retention <= 0 {
		retention = e.cfg.DefaultRetention
	} else if err := e.checkRetention(retention); err != nil {
		return nil, err
	}
	ns := &namespace{id: uuid.NewRandom(), name: req.Namespace, desc: &workflowservice.DescribeNamespaceResponse{
		NamespaceInfo: &namespacepb.NamespaceInfo{
			Name:        req.Namespace,
			State:       enumspb.NAMESPACE_STATE_REGISTERED,
			Description: req.Description,
			OwnerEmail:  req.OwnerEmail,
			Data:        req.Data,
		},
		Config: &namespacepb.NamespaceConfig{
			WorkflowExecutionRetentionTtl: durationpb.New(retention),
			HistoryArchivalState:          enumspb.ARCHIVAL_STATE_DISABLED,
			VisibilityArchivalState:       enumspb.ARCHIVAL_STATE_DISABLED,
		},
		ReplicationConfig: &replicationpb.NamespaceReplicationConfig{
			ActiveClusterName: clusterName,
			Clusters:          []*replicationpb.ClusterReplicationConfig{{ClusterName: clusterName}},
			State:             enumspb.REPLICATION_STATE_NORMAL,
		},
	}}
	ns.desc.NamespaceInfo.Id = ns.id
	row, err := encodeNamespace(ns)
	if err != nil {
		return nil, err
	}
	if err := e.store.CreateNamespace(ctx, row); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return nil, serviceerror.NewNamespaceAlreadyExists(fmt.Sprintf("Namespace already exists. Name: %q", req.Namespace))
		}
		return nil, unavailable("creating namespace", err)
	}
	e.ns.put(ns)
	return &workflowservice.RegisterNamespaceResponse{}, nil
}

// describe returns the namespace as DescribeNamespace shows it.
func (e *Engine) describeNamespace(ns *namespace) *workflowservice.DescribeNamespaceResponse {
	out := proto.Clone(ns.desc).(*workflowservice.DescribeNamespaceResponse)
	out.NamespaceInfo.Capabilities = &namespacepb.NamespaceInfo_Capabilities{SyncUpdate: true, AsyncUpdate: true, EagerWorkflowStart: true, WorkerHeartbeats: true, WorkflowPause: true, StandaloneActivities: true, StandaloneNexusOperation: true}
	out.NamespaceInfo.SupportsSchedules = true
	return out
}

// DescribeNamespace returns one namespace, by name or id.
func (e *Engine) DescribeNamespace(ctx context.Context, req *workflowservice.DescribeNamespaceRequest) (*workflowservice.DescribeNamespaceResponse, error) {
	var ns *namespace
	var err error
	if req.Id != "" {
		ns, err = e.ns.lookupID(ctx, req.Id)
	} else {
		ns, err = e.namespace(ctx, req.Namespace)
	}
	if err != nil {
		return nil, err
	}
	return e.describeNamespace(ns), nil
}

// ListNamespaces pages through namespaces by name.
func (e *Engine) ListNamespaces(ctx context.Context, req *workflowservice.ListNamespacesRequest) (*workflowservice.ListNamespacesResponse, error) {
	limit := int(req.PageSize)
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := e.store.ListNamespaces(ctx, string(req.NextPageToken), limit+1)
	if err != nil {
		return nil, unavailable("listing namespaces", err)
	}
	resp := &workflowservice.ListNamespacesResponse{}
	for i, row := range rows {
		if i == limit {
			resp.NextPageToken = []byte(rows[i-1].Name)
			break
		}
		ns, err := decodeNamespace(row)
		if err != nil {
			return nil, err
		}
		if !req.GetNamespaceFilter().GetIncludeDeleted() && ns.desc.GetNamespaceInfo().GetState() == enumspb.NAMESPACE_STATE_DELETED {
			continue
		}
		resp.Namespaces = append(resp.Namespaces, e.describeNamespace(ns))
	}
	sort.Slice(resp.Namespaces, func(i, j int) bool {
		return resp.Namespaces[i].NamespaceInfo.Name < resp.Namespaces[j].NamespaceInfo.Name
	})
	return resp, nil
}

// UpdateNamespace changes a namespace's description, owner, data, state or
// retention.
func (e *Engine) UpdateNamespace(ctx context.Context, req *workflowservice.UpdateNamespaceRequest) (*workflowservice.UpdateNamespaceResponse, error) {
	cur, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	ns := &namespace{id: cur.id, name: cur.name, desc: proto.Clone(cur.desc).(*workflowservice.DescribeNamespaceResponse)}
	info := ns.desc.NamespaceInfo
	if u := req.UpdateInfo; u != nil {
		if u.Description != "" {
			info.Description = u.Description
		}
		if u.OwnerEmail != "" {
			info.OwnerEmail = u.OwnerEmail
		}
		if len(u.Data) > 0 {
			if info.Data == nil {
				info.Data = map[string]string{}
			}
			for k, v := range u.Data {
				info.Data[k] = v
			}
		}
		if err := checkNamespaceStateChange(info.State, u.State); err != nil {
			return nil, err
		}
		if u.State != enumspb.NAMESPACE_STATE_UNSPECIFIED {
			info.State = u.State
		}
	}
	if c := req.Config; c != nil {
		if r := c.GetWorkflowExecutionRetentionTtl(); r != nil {
			if err := e.checkRetention(r.AsDuration()); err != nil {
				return nil, err
			}
			ns.desc.Config.WorkflowExecutionRetentionTtl = r
		}
		if len(c.CustomSearchAttributeAliases) > 0 {
			ns.desc.Config.CustomSearchAttributeAliases = c.CustomSearchAttributeAliases
		}
	}
	row, err := encodeNamespace(ns)
	if err != nil {
		return nil, err
	}
	if err := e.store.UpdateNamespace(ctx, row); err != nil {
		return nil, unavailable("updating namespace", err)
	}
	e.ns.put(ns)
	d := e.describeNamespace(ns)
	return &workflowservice.UpdateNamespaceResponse{NamespaceInfo: d.NamespaceInfo, Config: d.Config, ReplicationConfig: d.ReplicationConfig}, nil
}
