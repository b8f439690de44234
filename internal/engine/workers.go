package engine

import (
	"context"
	"sort"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workerpb "go.temporal.io/api/worker/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/clock"
	"github.com/sundialdev/sundial/internal/visibility"
)

// Worker heartbeats live in memory only, as in Temporal's server: a worker
// that stops heartbeating is forgotten after workerTTL, and the registry
// holds at most a fixed number of workers over all namespaces, forgetting
// the longest silent one to make room.
const (
	workerTTL         = 5 * time.Minute
	defaultMaxWorkers = 4096
	maxWorkersPage    = 1000
)

// workerRegistry holds the latest heartbeat of each worker, by namespace id
// and worker instance key. Its times come from the wall clock: how long a
// worker has been silent has nothing to do with a time-skipping clock.
type workerRegistry struct {
	clock clock.Clock
	max   int

	mu    sync.Mutex
	byNS  map[string]map[string]*workerEntry
	count int
}

type workerEntry struct {
	hb   *workerpb.WorkerHeartbeat
	seen time.Time
}

func newWorkerRegistry(c clock.Clock, max int) *workerRegistry {
	return &workerRegistry{clock: c, max: max, byNS: map[string]map[string]*workerEntry{}}
}

// record stores the heartbeats of one request.
func (r *workerRegistry) record(nsID string, hbs []*workerpb.WorkerHeartbeat) {
	now := r.clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	workers := r.byNS[nsID]
	if workers == nil {
		workers = map[string]*workerEntry{}
		r.byNS[nsID] = workers
	}
	for _, hb := range hbs {
		if e, ok := workers[hb.GetWorkerInstanceKey()]; ok {
			e.hb, e.seen = hb, now
			continue
		}
		if r.count >= r.max {
			r.evictLocked(now)
		}
		workers[hb.GetWorkerInstanceKey()] = &workerEntry{hb: hb, seen: now}
		r.count++
	}
}

// evictLocked forgets every expired worker, or, when none has expired, the
// one silent the longest.
func (r *workerRegistry) evictLocked(now time.Time) {
	var oldestNS, oldestKey string
	var oldest time.Time
	expired := 0
	for nsID, workers := range r.byNS {
		for key, e := range workers {
			if now.Sub(e.seen) > workerTTL {
				delete(workers, key)
				expired++
				continue
			}
			if oldestKey == "" || e.seen.Before(oldest) {
				oldestNS, oldestKey, oldest = nsID, key, e.seen
			}
		}
	}
	r.count -= expired
	if expired == 0 && oldestKey != "" {
		delete(r.byNS[oldestNS], oldestKey)
		r.count--
	}
}

// live returns the namespace's workers heard from within workerTTL, ordered
// by instance key, dropping the expired ones.
func (r *workerRegistry) live(nsID string) []*workerpb.WorkerHeartbeat {
	now := r.clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	workers := r.byNS[nsID]
	out := make([]*workerpb.WorkerHeartbeat, 0, len(workers))
	for key, e := range workers {
		if now.Sub(e.seen) > workerTTL {
			delete(workers, key)
			r.count--
			continue
		}
		out = append(out, e.hb)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GetWorkerInstanceKey() < out[j].GetWorkerInstanceKey() })
	return out
}

// workerCatalog is what a ListWorkers or CountWorkers query may name, with
// Temporal's names.
var workerCatalog = visibility.Catalog{Only: true, Custom: map[string]enumspb.IndexedValueType{
	"WorkerInstanceKey": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"WorkerIdentity":    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"HostName":          enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"TaskQueue":         enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"DeploymentName":    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"BuildId":           enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"SdkName":           enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"SdkVersion":        enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"WorkerStatus":      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"Status":            enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"StartTime":         enumspb.INDEXED_VALUE_TYPE_DATETIME,
	"HeartbeatTime":     enumspb.INDEXED_VALUE_TYPE_DATETIME,
}}

// workerAttribute is the value of one workerCatalog attribute of hb, and
// whether it is set.
func workerAttribute(hb *workerpb.WorkerHeartbeat, name string) (any, bool) {
	text := func(s string) (any, bool) { return s, s != "" }
	switch name {
	case "WorkerInstanceKey":
		return text(hb.GetWorkerInstanceKey())
	case "WorkerIdentity":
		return text(hb.GetWorkerIdentity())
	case "HostName":
		return text(hb.GetHostInfo().GetHostName())
	case "TaskQueue":
		return text(hb.GetTaskQueue())
	case "DeploymentName":
		return text(hb.GetDeploymentVersion().GetDeploymentName())
	case "BuildId":
		return text(hb.GetDeploymentVersion().GetBuildId())
	case "SdkName":
		return text(hb.GetSdkName())
	case "SdkVersion":
		return text(hb.GetSdkVersion())
	case "WorkerStatus", "Status":
		return hb.GetStatus().String(), true
	case "StartTime":
		if hb.GetStartTime() == nil {
			return nil, false
		}
		return hb.GetStartTime().AsTime().UnixNano(), true
	case "HeartbeatTime":
		if hb.GetHeartbeatTime() == nil {
			return nil, false
		}
		return hb.GetHeartbeatTime().AsTime().UnixNano(), true
	}
	return nil, false
}

// matchingWorkers returns the namespace's live workers that match query.
func (e *Engine) matchingWorkers(ctx context.Context, namespaceName, query string) ([]*workerpb.WorkerHeartbeat, error) {
	ns, err := e.namespace(ctx, namespaceName)
	if err != nil {
		return nil, err
	}
	q, err := compileQuery(query, workerCatalog)
	if err != nil {
		return nil, err
	}
	if len(q.OrderBy) > 0 || len(q.GroupBy) > 0 {
		return nil, serviceerror.NewInvalidArgument("operation is not supported: worker queries take no ORDER BY or GROUP BY")
	}
	var out []*workerpb.WorkerHeartbeat
	for _, hb := range e.workers.live(ns.id) {
		if visibility.Match(q.Filter, func(name string) (any, bool) { return workerAttribute(hb, name) }) {
			out = append(out, hb)
		}
	}
	return out, nil
}

// RecordWorkerHeartbeat keeps the latest heartbeat of each worker in the
// request.
func (e *Engine) RecordWorkerHeartbeat(ctx context.Context, req *workflowservice.RecordWorkerHeartbeatRequest) (*workflowservice.RecordWorkerHeartbeatResponse, error) {
	ns, err := e.namespace(ctx, req.GetNamespace())
	if err != nil {
		return nil, err
	}
	e.workers.record(ns.id, req.GetWorkerHeartbeat())
	return &workflowservice.RecordWorkerHeartbeatResponse{}, nil
}

// ListWorkers pages through the namespace's live workers that match the
// query, ordered by instance key.
func (e *Engine) ListWorkers(ctx context.Context, req *workflowservice.ListWorkersRequest) (*workflowservice.ListWorkersResponse, error) {
	workers, err := e.matchingWorkers(ctx, req.GetNamespace(), req.GetQuery())
	if err != nil {
		return nil, err
	}
	after := string(req.GetNextPageToken())
	start := sort.Search(len(workers), func(i int) bool { return workers[i].GetWorkerInstanceKey() > after })
	size := int(req.GetPageSize())
	if size <= 0 || size > maxWorkersPage {
		size = maxWorkersPage
	}
	end := min(start+size, len(workers))
	resp := &workflowservice.ListWorkersResponse{}
	for _, hb := range workers[start:end] {
		resp.Workers = append(resp.Workers, workerListInfo(hb))
		resp.WorkersInfo = append(resp.WorkersInfo, &workerpb.WorkerInfo{WorkerHeartbeat: hb})
	}
	if end < len(workers) {
		resp.NextPageToken = []byte(workers[end-1].GetWorkerInstanceKey())
	}
	return resp, nil
}

// CountWorkers counts the namespace's live workers that match the query.
func (e *Engine) CountWorkers(ctx context.Context, req *workflowservice.CountWorkersRequest) (*workflowservice.CountWorkersResponse, error) {
	workers, err := e.matchingWorkers(ctx, req.GetNamespace(), req.GetQuery())
	if err != nil {
		return nil, err
	}
	return &workflowservice.CountWorkersResponse{Count: int64(len(workers))}, nil
}

// DescribeWorker returns the latest heartbeat of one live worker.
func (e *Engine) DescribeWorker(ctx context.Context, req *workflowservice.DescribeWorkerRequest) (*workflowservice.DescribeWorkerResponse, error) {
	ns, err := e.namespace(ctx, req.GetNamespace())
	if err != nil {
		return nil, err
	}
	for _, hb := range e.workers.live(ns.id) {
		if hb.GetWorkerInstanceKey() == req.GetWorkerInstanceKey() {
			return &workflowservice.DescribeWorkerResponse{WorkerInfo: &workerpb.WorkerInfo{WorkerHeartbeat: hb}}, nil
		}
	}
	return nil, serviceerror.NewNotFoundf("Worker %s not found", req.GetWorkerInstanceKey())
}

// workerListInfo is the summary of a worker that listings return.
func workerListInfo(hb *workerpb.WorkerHeartbeat) *workerpb.WorkerListInfo {
	return &workerpb.WorkerListInfo{
		WorkerInstanceKey: hb.GetWorkerInstanceKey(),
		WorkerIdentity:    hb.GetWorkerIdentity(),
		TaskQueue:         hb.GetTaskQueue(),
		DeploymentVersion: hb.GetDeploymentVersion(),
		SdkName:           hb.GetSdkName(),
		SdkVersion:        hb.GetSdkVersion(),
		Status:            hb.GetStatus(),
		StartTime:         hb.GetStartTime(),
		HostName:          hb.GetHostInfo().GetHostName(),
		WorkerGroupingKey: hb.GetHostInfo().GetWorkerGroupingKey(),
		ProcessId:         hb.GetHostInfo().GetProcessId(),
		Plugins:           hb.GetPlugins(),
		Drivers:           hb.GetDrivers(),
	}
}
