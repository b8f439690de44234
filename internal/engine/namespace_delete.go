package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/store"
)

// Deleting a namespace, as Temporal does it: the namespace is marked deleted
// and renamed at once, so that its name is free for a new namespace, and its
// workflows, activities and schedules are removed in the background once the
// requested delay has passed. The renamed record stays behind in state
// Deleted (ListNamespaces shows it only with include_deleted).

// deletedSuffixLength is how many characters of the namespace id the
// deleted name carries, as in Temporal; more are taken on a collision.
const deletedSuffixLength = 5

// DeleteNamespace deletes a namespace, by name or id, and answers its new
// name.
func (e *Engine) DeleteNamespace(ctx context.Context, req *operatorservice.DeleteNamespaceRequest) (*operatorservice.DeleteNamespaceResponse, error) {
	var ns *namespace
	var err error
	if req.GetNamespaceId() != "" {
		ns, err = e.ns.lookupID(ctx, req.GetNamespaceId())
	} else {
		ns, err = e.namespace(ctx, req.GetNamespace())
	}
	if err != nil {
		return nil, err
	}
	if ns.name == DefaultNamespace || ns.id == e.clusterID {
		// The default namespace's id is the server's cluster id, and every
		// start re-creates a namespace called default.
		return nil, serviceerror.NewFailedPreconditionf("namespace %s is protected from deletion", ns.name)
	}
	if name, err := e.nexusEndpointTargeting(ctx, ns.name); err != nil {
		return nil, err
	} else if name != "" {
		return nil, serviceerror.NewFailedPreconditionf("cannot delete a namespace that is a target of a Nexus endpoint %s", name)
	}
	e.nsDelete.Lock()
	defer e.nsDelete.Unlock()
	// Read again under the lock: a concurrent delete may have renamed it.
	ns, err = e.ns.lookupID(ctx, ns.id)
	if err != nil {
		return nil, err
	}
	newName, err := e.deletedNamespaceName(ctx, ns)
	if err != nil {
		return nil, err
	}
	reclaimAt := e.clock.Now().Add(req.GetNamespaceDeleteDelay().AsDuration())
	if err := e.saveReclaimTime(ctx, ns.id, reclaimAt); err != nil {
		return nil, err
	}
	if ns.desc.GetNamespaceInfo().GetState() != enumspb.NAMESPACE_STATE_DELETED || newName != ns.name {
		deleted := &namespace{id: ns.id, name: newName, desc: proto.Clone(ns.desc).(*workflowservice.DescribeNamespaceResponse)}
		deleted.desc.NamespaceInfo.Name = newName
		deleted.desc.NamespaceInfo.State = enumspb.NAMESPACE_STATE_DELETED
		row, err := encodeNamespace(deleted)
		if err != nil {
			return nil, err
		}
		if err := e.store.UpdateNamespace(ctx, row); err != nil {
			if errors.Is(err, store.ErrAlreadyExists) {
				return nil, serviceerror.NewUnavailable("the deleted namespace's new name was taken meanwhile; retry")
			}
			return nil, unavailable("marking the namespace deleted", err)
		}
		e.ns.rename(ns.name, deleted)
		e.log.Info("namespace deleted; its runs are removed in the background",
			"namespace", ns.name, "deleted_name", newName, "delay", req.GetNamespaceDeleteDelay().AsDuration())
	}
	e.retention.rearm(ns.id, reclaimAt)
	return &operatorservice.DeleteNamespaceResponse{DeletedNamespace: newName}, nil
}

// deletedNamespaceName is the name a deleted namespace takes: its name with
// "-deleted-" and the start of its id, longer on a collision. A namespace
// already renamed keeps its name.
func (e *Engine) deletedNamespaceName(ctx context.Context, ns *namespace) (string, error) {
	for n := deletedSuffixLength; n <= len(ns.id); n++ {
		suffix := "-deleted-" + ns.id[:n]
		if strings.HasSuffix(ns.name, suffix) {
			return ns.name, nil
		}
		name := ns.name + suffix
		_, err := e.store.GetNamespaceByName(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			return name, nil
		}
		if err != nil {
			return "", unavailable("checking the deleted namespace's new name", err)
		}
	}
	return "", serviceerror.NewInternalf("no free name for deleted namespace %s", ns.name)
}

// nexusEndpointTargeting returns the name of an endpoint whose target is the
// namespace called nsName, or "". The first in name order, so the answer is
// stable.
func (e *Engine) nexusEndpointTargeting(ctx context.Context, nsName string) (string, error) {
	reg := &e.nexusEndpoints
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if err := e.loadNexusEndpointsLocked(ctx); err != nil {
		return "", err
	}
	var names []string
	for _, ep := range reg.byID {
		if ep.GetSpec().GetTarget().GetWorker().GetNamespace() == nsName {
			names = append(names, ep.GetSpec().GetName())
		}
	}
	if len(names) == 0 {
		return "", nil
	}
	sort.Strings(names)
	return names[0], nil
}

// namespaceDeletionRecordKind keeps, per deleted namespace, when its runs may
// be removed: the delay an operator asked for survives restarts.
const namespaceDeletionRecordKind = "namespace-deletion"

// saveReclaimTime records when the runs of the namespace with id nsID may be
// removed.
func (e *Engine) saveReclaimTime(ctx context.Context, nsID string, at time.Time) error {
	data, err := at.UTC().MarshalBinary()
	if err != nil {
		return serviceerror.NewInternalf("encoding the reclaim time: %v", err)
	}
	w := store.RecordWrite{Record: &store.Record{NamespaceID: nsID, Kind: namespaceDeletionRecordKind, ID: nsID, Data: data}}
	cur, err := e.store.GetRecord(ctx, nsID, namespaceDeletionRecordKind, nsID)
	switch {
	case err == nil:
		w.ExpectedVersion = cur.Version
	case !errors.Is(err, store.ErrNotFound):
		return unavailable("reading the namespace's deletion", err)
	}
	if err := e.store.Write(ctx, &store.Transition{Records: []store.RecordWrite{w}}); err != nil {
		return unavailable("recording the namespace's deletion", err)
	}
	return nil
}

// reclaimTime returns when the runs of the deleted namespace with id nsID may
// be removed; the zero time when no delay was recorded.
func (e *Engine) reclaimTime(ctx context.Context, nsID string) (time.Time, error) {
	rec, err := e.store.GetRecord(ctx, nsID, namespaceDeletionRecordKind, nsID)
	if errors.Is(err, store.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the namespace's deletion: %w", err)
	}
	var at time.Time
	if err := at.UnmarshalBinary(rec.Data); err != nil {
		return time.Time{}, fmt.Errorf("decoding the namespace's deletion: %w", err)
	}
	return at, nil
}

// everClosed is a cutoff after every close time: the latest time the store's
// encoding holds (Unix nanoseconds).
var everClosed = time.Unix(0, math.MaxInt64)

// reclaimBatch is how many runs one reclaim step deletes before it yields.
const reclaimBatch = 200

// reclaimDeletedNamespace removes one batch of a deleted namespace's runs,
// schedules, batch operations and worker deployments, and reports whether
// anything is left.
func (e *Engine) reclaimDeletedNamespace(ctx context.Context, ns *namespace) (more bool, err error) {
	left := reclaimBatch
	for _, nsID := range []string{ns.id, StandaloneNamespaceID(ns.id), StandaloneNexusNamespaceID(ns.id)} {
		n, err := e.deleteOpenRuns(ctx, nsID, left)
		if err != nil {
			return false, err
		}
		left -= n
		if left <= 0 {
			return true, nil
		}
		keys, err := e.store.DeleteClosedExecutions(ctx, nsID, everClosed, left)
		if err != nil {
			return false, fmt.Errorf("deleting closed runs: %w", err)
		}
		for _, k := range keys {
			e.runs.forget(runKey{k.NamespaceID, k.WorkflowID, k.RunID})
		}
		left -= len(keys)
		if left <= 0 {
			return true, nil
		}
	}
	n, err := e.deleteSchedulesOf(ctx, ns.id, left)
	if err != nil || n == left {
		return n == left, err
	}
	left -= n
	// Batches stop first, so that none saves its state after its record is
	// gone; deployments go last, with the registry's copy.
	e.batches.stopNamespace(ns.id)
	for _, kind := range []string{batchRecordKind, deploymentRecordKind, taskQueueConfigRecordKind} {
		n, err := e.deleteRecordsOf(ctx, ns.id, kind, left)
		if err != nil || n == left {
			return n == left, err
		}
		left -= n
	}
	e.deploys.dropNamespace(ns.id)
	return false, nil
}

// deleteRecordsOf deletes up to limit records of one kind in the namespace
// with id nsID, and returns how many it deleted. A record that changed
// meanwhile is left for the next round.
func (e *Engine) deleteRecordsOf(ctx context.Context, nsID, kind string, limit int) (int, error) {
	recs, err := e.store.ListRecords(ctx, nsID, kind, "", limit)
	if err != nil {
		return 0, fmt.Errorf("listing %s records: %w", kind, err)
	}
	for i, rec := range recs {
		del := store.RecordWrite{Record: &store.Record{NamespaceID: nsID, Kind: kind, ID: rec.ID}, ExpectedVersion: rec.Version, Delete: true}
		err := e.store.Write(ctx, &store.Transition{Records: []store.RecordWrite{del}})
		if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrConflict) {
			return i, fmt.Errorf("deleting %s record %s: %w", kind, rec.ID, err)
		}
	}
	return len(recs), nil
}

// deleteOpenRuns terminates and deletes up to limit open runs stored under
// nsID, and returns how many it deleted.
func (e *Engine) deleteOpenRuns(ctx context.Context, nsID string, limit int) (int, error) {
	page, err := e.store.ListOpenExecutions(ctx, &store.ExecutionKey{NamespaceID: nsID}, limit)
	if err != nil {
		return 0, fmt.Errorf("listing open runs: %w", err)
	}
	n := 0
	for _, ex := range page.Executions {
		if ex.NamespaceID != nsID {
			break
		}
		key := runKey{ex.NamespaceID, ex.WorkflowID, ex.RunID}
		err := e.update(ctx, key, func(_ *run, tx *machine.Tx) error {
			if !tx.S.Open() {
				return errNoChange
			}
			tx.TerminateRun("Delete namespace", nil, "history-service")
			return nil
		})
		var notFound *serviceerror.NotFound
		if err != nil && !errors.As(err, &notFound) {
			return n, fmt.Errorf("terminating run %s: %w", ex.RunID, err)
		}
		if err := e.store.DeleteExecution(ctx, key.storeKey()); err != nil && !errors.Is(err, store.ErrNotFound) {
			return n, fmt.Errorf("deleting run %s: %w", ex.RunID, err)
		}
		e.runs.forget(key)
		n++
	}
	return n, nil
}

// deleteSchedulesOf deletes up to limit schedules of the namespace with id
// nsID, and returns how many it deleted.
func (e *Engine) deleteSchedulesOf(ctx context.Context, nsID string, limit int) (int, error) {
	recs, err := e.store.ListRecords(ctx, nsID, scheduleRecordKind, "", limit)
	if err != nil {
		return 0, fmt.Errorf("listing schedules: %w", err)
	}
	for i, rec := range recs {
		k := scheduleKey{nsID, rec.ID}
		if err := e.deleteScheduleRecord(ctx, k); err != nil {
			return i, err
		}
	}
	return len(recs), nil
}
