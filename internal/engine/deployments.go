package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sundialdev/sundial/internal/matching"
	"github.com/sundialdev/sundial/internal/store"
)

// Worker deployments group the versions of a worker fleet. A worker that
// polls with deployment options (a deployment name and a build id, in
// versioned mode) registers its version, and the task queue it polls, on its
// first poll. A deployment's routing config names its current version (where
// new and auto-upgrade workflows go) and a ramping version that takes a share
// of them. Each deployment is one store record holding its versions; the
// registry keeps every namespace's deployments in memory for routing, which
// reads them at every dispatch of a run touched by versioning.
const (
	deploymentRecordKind = "worker-deployment"
	// Limits, as Temporal's defaults (matching.maxDeployments,
	// matching.maxVersionsInDeployment, matching.maxTaskQueuesInDeploymentVersion).
	maxDeploymentsPerNamespace  = 100
	maxVersionsPerDeployment    = 100
	maxTaskQueuesPerVersion     = 100
	maxVersionMetadataBytes     = 8 << 10
	maxVersionMetadataEntries   = 64
	deploymentPollerLiveness    = 5 * time.Minute
	versionDelimiter            = ":"
	unversionedVersionID        = "__unversioned__"
	deploymentRecordPageSize    = 100
	deploymentNamespacePageSize = 100
)

// deploymentDoc is a worker deployment as stored (a record's Data).
type deploymentDoc struct {
	Name                  string                 `json:"name"`
	CreateTime            time.Time              `json:"create_time"`
	ManagerIdentity       string                 `json:"manager_identity,omitempty"`
	LastModifierIdentity  string                 `json:"last_modifier_identity,omitempty"`
	ConflictToken         []byte                 `json:"conflict_token,omitempty"`
	Revision              int64                  `json:"revision,omitempty"`
	Current               string                 `json:"current,omitempty"` // build id; "" is unversioned
	CurrentChanged        time.Time              `json:"current_changed,omitzero"`
	Ramping               string                 `json:"ramping,omitempty"` // build id, unversionedVersionID, or "" for none
	RampPercentage        float32                `json:"ramp_percentage,omitempty"`
	RampingChanged        time.Time              `json:"ramping_changed,omitzero"`
	RampPercentageChanged time.Time              `json:"ramp_percentage_changed,omitzero"`
	Versions              map[string]*versionDoc `json:"versions,omitempty"` // by build id
}

// versionDoc is one version of a deployment.
type versionDoc struct {
	BuildID              string            `json:"build_id"`
	CreateTime           time.Time         `json:"create_time"`
	TaskQueues           []versionQueue    `json:"task_queues,omitempty"`
	Metadata             map[string][]byte `json:"metadata,omitempty"` // encoded commonpb.Payload by key
	LastModifierIdentity string            `json:"last_modifier_identity,omitempty"`
	RoutingChanged       time.Time         `json:"routing_changed,omitzero"`
	CurrentSince         time.Time         `json:"current_since,omitzero"`
	RampingSince         time.Time         `json:"ramping_since,omitzero"`
	FirstActivation      time.Time         `json:"first_activation,omitzero"`
	LastCurrent          time.Time         `json:"last_current,omitzero"`
	LastDeactivation     time.Time         `json:"last_deactivation,omitzero"`
}

// versionQueue is a task queue (name and type) a version's workers poll.
type versionQueue struct {
	Name string        `json:"name"`
	Kind matching.Kind `json:"kind"`
}

func (v *versionDoc) hasQueue(name string, kind matching.Kind) bool {
	return slices.Contains(v.TaskQueues, versionQueue{Name: name, Kind: kind})
}

func (d *deploymentDoc) clone() *deploymentDoc {
	b, err := json.Marshal(d)
	if err != nil {
		panic(fmt.Sprintf("engine: a deployment document does not encode: %v", err))
	}
	var c deploymentDoc
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("engine: a deployment document does not decode: %v", err))
	}
	if c.Versions == nil {
		c.Versions = map[string]*versionDoc{}
	}
	return &c
}

// versionKey is the external form of a version, "deployment:build".
func versionKey(deployment, buildID string) string {
	if buildID == "" {
		return ""
	}
	return deployment + versionDelimiter + buildID
}

// storedDeployment is a deployment document with the store version it was
// read or written at.
type storedDeployment struct {
	doc     *deploymentDoc
	version int64
}

// nsDeployments are one namespace's deployments.
type nsDeployments struct {
	byName map[string]*storedDeployment
	// owners names, for each task queue and type, the deployment whose
	// version registered it most recently: routing follows that one.
	owners map[versionQueue]string
}

// pollerKey names the pollers of one task queue of one version.
type pollerKey struct {
	namespaceID, deployment, buildID string
	queue                            versionQueue
}

// deploymentRegistry holds every namespace's deployments in memory.
type deploymentRegistry struct {
	// active is set once any namespace has a deployment: until then routing
	// has nothing to look at.
	active atomic.Bool
	// writes serializes changes (each a store write); mu guards the maps,
	// which change only after the write they reflect succeeded.
	writes sync.Mutex
	mu     sync.RWMutex
	spaces map[string]*nsDeployments
	// pollers are the identities that polled each version's task queues,
	// with when they last did; a worker's ShutdownWorker removes it.
	pollers map[pollerKey]map[string]time.Time
}

func newDeploymentRegistry() *deploymentRegistry {
	return &deploymentRegistry{spaces: map[string]*nsDeployments{}, pollers: map[pollerKey]map[string]time.Time{}}
}

// dropNamespace forgets a deleted namespace's deployments and pollers.
func (r *deploymentRegistry) dropNamespace(nsID string) {
	r.writes.Lock()
	defer r.writes.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.spaces, nsID)
	for k := range r.pollers {
		if k.namespaceID == nsID {
			delete(r.pollers, k)
		}
	}
}

// spaceLocked returns the namespace's deployments, creating the entry.
func (r *deploymentRegistry) spaceLocked(nsID string) *nsDeployments {
	sp := r.spaces[nsID]
	if sp == nil {
		sp = &nsDeployments{byName: map[string]*storedDeployment{}, owners: map[versionQueue]string{}}
		r.spaces[nsID] = sp
	}
	return sp
}

// get returns the deployment, or nil.
func (r *deploymentRegistry) get(nsID, name string) *storedDeployment {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if sp := r.spaces[nsID]; sp != nil {
		return sp.byName[name]
	}
	return nil
}

// names lists the namespace's deployments in name order.
func (r *deploymentRegistry) list(nsID string) []*storedDeployment {
	r.mu.RLock()
	defer r.mu.RUnlock()
	sp := r.spaces[nsID]
	if sp == nil {
		return nil
	}
	out := make([]*storedDeployment, 0, len(sp.byName))
	for _, d := range sp.byName {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b *storedDeployment) int {
		switch {
		case a.doc.Name < b.doc.Name:
			return -1
		case a.doc.Name > b.doc.Name:
			return 1
		}
		return 0
	})
	return out
}

func (r *deploymentRegistry) count(nsID string) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if sp := r.spaces[nsID]; sp != nil {
		return len(sp.byName)
	}
	return 0
}

// installLocked puts a written deployment in place and refreshes the task
// queue owners it contributes.
func (r *deploymentRegistry) installLocked(nsID string, d *storedDeployment) {
	sp := r.spaceLocked(nsID)
	sp.byName[d.doc.Name] = d
	for _, v := range d.doc.Versions {
		for _, q := range v.TaskQueues {
			if _, taken := sp.owners[q]; !taken {
				sp.owners[q] = d.doc.Name
			}
		}
	}
	r.active.Store(true)
}

// removeLocked drops a deployment and the task queue owners it held.
func (r *deploymentRegistry) removeLocked(nsID, name string) {
	sp := r.spaces[nsID]
	if sp == nil {
		return
	}
	delete(sp.byName, name)
	for q, owner := range sp.owners {
		if owner == name {
			delete(sp.owners, q)
		}
	}
	r.reownLocked(sp)
}

// reownLocked gives task queues left without an owner to a deployment that
// still has a version on them.
func (r *deploymentRegistry) reownLocked(sp *nsDeployments) {
	for _, d := range sp.byName {
		for _, v := range d.doc.Versions {
			for _, q := range v.TaskQueues {
				if _, taken := sp.owners[q]; !taken {
					sp.owners[q] = d.doc.Name
				}
			}
		}
	}
}

// notePoll records a versioned poll; it reports whether the version's task
// queue was already known.
func (r *deploymentRegistry) notePoll(k pollerKey, identity string, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := r.pollers[k]
	if ids == nil {
		ids = map[string]time.Time{}
		r.pollers[k] = ids
	}
	ids[identity] = now
	for id, at := range ids {
		if now.Sub(at) > deploymentPollerLiveness {
			delete(ids, id)
		}
	}
}

// forgetPoller removes a stopping worker from the pollers of one task queue.
func (r *deploymentRegistry) forgetPoller(nsID, identity string, q versionQueue) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, ids := range r.pollers {
		if k.namespaceID == nsID && k.queue == q {
			delete(ids, identity)
			if len(ids) == 0 {
				delete(r.pollers, k)
			}
		}
	}
}

// hasPollers reports whether any worker polled one of the version's task
// queues recently and has not shut down since.
func (r *deploymentRegistry) hasPollers(nsID, deployment, buildID string, now time.Time) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for k, ids := range r.pollers {
		if k.namespaceID != nsID || k.deployment != deployment || k.buildID != buildID {
			continue
		}
		for _, at := range ids {
			if now.Sub(at) <= deploymentPollerLiveness {
				return true
			}
		}
	}
	return false
}

// dropPollersLocked forgets the pollers of a deleted version (buildID "")
// or deployment.
func (r *deploymentRegistry) dropPollersLocked(nsID, deployment, buildID string) {
	for k := range r.pollers {
		if k.namespaceID == nsID && k.deployment == deployment && (buildID == "" || k.buildID == buildID) {
			delete(r.pollers, k)
		}
	}
}

// loadDeployments reads every namespace's deployments from the store. Start
// calls it before recovery, which routes the recovered tasks.
func (e *Engine) loadDeployments(ctx context.Context) error {
	afterNS := ""
	for {
		namespaces, err := e.store.ListNamespaces(ctx, afterNS, deploymentNamespacePageSize)
		if err != nil {
			return err
		}
		for _, ns := range namespaces {
			if err := e.loadNamespaceDeployments(ctx, ns.ID, ns.Name); err != nil {
				return err
			}
		}
		if len(namespaces) < deploymentNamespacePageSize {
			return nil
		}
		afterNS = namespaces[len(namespaces)-1].Name
	}
}

func (e *Engine) loadNamespaceDeployments(ctx context.Context, nsID, nsName string) error {
	reg := e.deploys
	after := ""
	for {
		recs, err := e.store.ListRecords(ctx, nsID, deploymentRecordKind, after, deploymentRecordPageSize)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			var doc deploymentDoc
			if err := json.Unmarshal(rec.Data, &doc); err != nil {
				e.log.Error("a worker deployment cannot be read; it is left out", "namespace", nsName, "deployment", rec.ID, "error", err)
				continue
			}
			if doc.Versions == nil {
				doc.Versions = map[string]*versionDoc{}
			}
			reg.mu.Lock()
			reg.installLocked(nsID, &storedDeployment{doc: &doc, version: rec.Version})
			reg.mu.Unlock()
		}
		if len(recs) < deploymentRecordPageSize {
			return nil
		}
		after = recs[len(recs)-1].ID
	}
}

// errDeploymentUnchanged tells mutateDeployment that the change found nothing
// to do: nothing is written.
var errDeploymentUnchanged = errors.New("deployment unchanged")

// mutateDeployment applies change to a copy of the named deployment (a new,
// empty one when create is set and it does not exist), writes it, and
// installs it. It returns the written document; with errDeploymentUnchanged
// from change, the current one and a nil error.
func (e *Engine) mutateDeployment(ctx context.Context, nsID, name string, create bool, change func(d *deploymentDoc, isNew bool) error) (*deploymentDoc, error) {
	reg := e.deploys
	reg.writes.Lock()
	defer reg.writes.Unlock()
	cur := reg.get(nsID, name)
	var doc *deploymentDoc
	var expected int64
	isNew := cur == nil
	if isNew {
		if !create {
			return nil, errDeploymentNotFound(name)
		}
		if reg.count(nsID) >= maxDeploymentsPerNamespace {
			return nil, errDeploymentLimit()
		}
		now := e.clock.Now()
		doc = &deploymentDoc{Name: name, CreateTime: now, Versions: map[string]*versionDoc{}}
		doc.ConflictToken = conflictToken(now)
	} else {
		doc = cur.doc.clone()
		expected = cur.version
	}
	if err := change(doc, isNew); err != nil {
		if errors.Is(err, errDeploymentUnchanged) {
			if isNew {
				return nil, errDeploymentNotFound(name)
			}
			return cur.doc, nil
		}
		return nil, err
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encoding worker deployment %s: %w", name, err)
	}
	rec := &store.Record{NamespaceID: nsID, Kind: deploymentRecordKind, ID: name, Data: data}
	if err := e.store.Write(ctx, &store.Transition{Records: []store.RecordWrite{{Record: rec, ExpectedVersion: expected}}}); err != nil {
		return nil, unavailable("writing a worker deployment", err)
	}
	reg.mu.Lock()
	reg.installLocked(nsID, &storedDeployment{doc: doc, version: expected + 1})
	reg.mu.Unlock()
	return doc, nil
}

// deleteDeploymentRecord removes a deployment from the store and memory.
func (e *Engine) deleteDeploymentRecord(ctx context.Context, nsID string, d *storedDeployment) error {
	rec := &store.Record{NamespaceID: nsID, Kind: deploymentRecordKind, ID: d.doc.Name}
	if err := e.store.Write(ctx, &store.Transition{Records: []store.RecordWrite{{Record: rec, ExpectedVersion: d.version, Delete: true}}}); err != nil {
		return unavailable("deleting a worker deployment", err)
	}
	reg := e.deploys
	reg.mu.Lock()
	reg.removeLocked(nsID, d.doc.Name)
	reg.dropPollersLocked(nsID, d.doc.Name, "")
	reg.mu.Unlock()
	return nil
}

// conflictToken is the token a deployment's change at t gets: clients pass it
// back to make a later change conditional on no change in between.
func conflictToken(t time.Time) []byte {
	b, _ := t.MarshalBinary() // a valid time always marshals
	return b
}

// queueHasPollers reports whether one task queue of a version has a live
// poller.
func (r *deploymentRegistry) queueHasPollers(k pollerKey, now time.Time) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, at := range r.pollers[k] {
		if now.Sub(at) <= deploymentPollerLiveness {
			return true
		}
	}
	return false
}
