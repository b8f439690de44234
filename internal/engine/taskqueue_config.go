package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/matching"
	"github.com/sundialdev/sundial/internal/store"
)

// A task queue's operator config (UpdateTaskQueueConfig) is kept as one record
// per namespace, task queue name and type: the TaskQueueConfig message as
// DescribeTaskQueue reports it, with each setting's reason, identity and time.
// Matching holds what applies of it (rates and weights) for every configured
// queue; Start loads all of them before any task is dispatched.
const (
	taskQueueConfigRecordKind = "task-queue-config"
	taskQueueConfigPageSize   = 100
	// MaxFairnessWeightOverrides is how many fairness weight overrides a task
	// queue may hold, as Temporal's matching.maxFairnessKeyWeightOverrides.
	MaxFairnessWeightOverrides = 1000
)

// taskQueueConfigWrites serializes config updates, so that each one merges
// into the record the previous one wrote.
type taskQueueConfigWrites struct{ sync.Mutex }

// taskQueueConfigID is the record id of a queue's config: its type's number,
// then its name.
func taskQueueConfigID(typ enumspb.TaskQueueType, name string) string {
	return strconv.Itoa(int(typ)) + "/" + name
}

// parseTaskQueueConfigID splits a record id made by taskQueueConfigID.
func parseTaskQueueConfigID(id string) (enumspb.TaskQueueType, string, bool) {
	num, name, ok := strings.Cut(id, "/")
	if !ok {
		return 0, "", false
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		return 0, "", false
	}
	return enumspb.TaskQueueType(n), name, true
}

// matchingKindOf maps a task queue type to the matching queues it configures.
func matchingKindOf(typ enumspb.TaskQueueType) (matching.Kind, bool) {
	switch typ {
	case enumspb.TASK_QUEUE_TYPE_WORKFLOW:
		return matching.Workflow, true
	case enumspb.TASK_QUEUE_TYPE_ACTIVITY:
		return matching.Activity, true
	case enumspb.TASK_QUEUE_TYPE_NEXUS:
		return matching.Nexus, true
	}
	return 0, false
}

// UpdateTaskQueueConfig changes the rate limits and fairness weight overrides
// of a task queue of one type, as the request says (fields left out keep
// their value; a rate limit update with no rate removes that limit), stores
// the result and applies it to matching. It answers the whole config.
func (e *Engine) UpdateTaskQueueConfig(ctx context.Context, req *workflowservice.UpdateTaskQueueConfigRequest) (*workflowservice.UpdateTaskQueueConfigResponse, error) {
	ns, err := e.namespace(ctx, req.GetNamespace())
	if err != nil {
		return nil, err
	}
	kind, ok := matchingKindOf(req.GetTaskQueueType())
	if !ok {
		return nil, serviceerror.NewInvalidArgument(fmt.Sprintf("TaskQueueType %s cannot be configured.", req.GetTaskQueueType()))
	}
	e.tqConfigWrites.Lock()
	defer e.tqConfigWrites.Unlock()

	id := taskQueueConfigID(req.GetTaskQueueType(), req.GetTaskQueue())
	cfg, version, err := e.readTaskQueueConfig(ctx, ns.id, id)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		cfg = &taskqueuepb.TaskQueueConfig{}
	}
	if err := mergeTaskQueueConfig(cfg, req, timestamppb.New(e.clock.Now())); err != nil {
		return nil, err
	}
	data, err := proto.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("encoding the config of task queue %s: %w", req.GetTaskQueue(), err)
	}
	rec := &store.Record{NamespaceID: ns.id, Kind: taskQueueConfigRecordKind, ID: id, Data: data}
	if err := e.store.Write(ctx, &store.Transition{Records: []store.RecordWrite{{Record: rec, ExpectedVersion: version}}}); err != nil {
		return nil, unavailable("writing a task queue config", err)
	}
	e.tasks.SetConfig(matching.ConfigKey{NamespaceID: ns.id, Name: req.GetTaskQueue(), Kind: kind}, matchingConfig(cfg))
	return &workflowservice.UpdateTaskQueueConfigResponse{Config: cfg}, nil
}

// mergeTaskQueueConfig applies req's updates to cfg, each changed rate limit
// stamped with the request's identity, its reason and now.
func mergeTaskQueueConfig(cfg *taskqueuepb.TaskQueueConfig, req *workflowservice.UpdateTaskQueueConfigRequest, now *timestamppb.Timestamp) error {
	stamp := func(u *workflowservice.UpdateTaskQueueConfigRequest_RateLimitUpdate) *taskqueuepb.RateLimitConfig {
		out := &taskqueuepb.RateLimitConfig{Metadata: &taskqueuepb.ConfigMetadata{
			Reason:         u.GetReason(),
			UpdateIdentity: req.GetIdentity(),
			UpdateTime:     now,
		}}
		if r := u.GetRateLimit(); r != nil {
			out.RateLimit = &taskqueuepb.RateLimit{RequestsPerSecond: r.GetRequestsPerSecond()}
		}
		return out
	}
	if u := req.GetUpdateQueueRateLimit(); u != nil {
		cfg.QueueRateLimit = stamp(u)
	}
	if u := req.GetUpdateFairnessKeyRateLimitDefault(); u != nil {
		cfg.FairnessKeysRateLimitDefault = stamp(u)
	}
	set, unset := req.GetSetFairnessWeightOverrides(), req.GetUnsetFairnessWeightOverrides()
	if len(set) == 0 && len(unset) == 0 {
		return nil
	}
	merged := maps.Clone(cfg.FairnessWeightOverrides)
	if merged == nil {
		merged = map[string]float32{}
	}
	for _, k := range unset {
		delete(merged, k)
	}
	maps.Copy(merged, set)
	if len(merged) > MaxFairnessWeightOverrides {
		return serviceerror.NewInvalidArgument("fairness weight overrides update rejected: exceeding maximum key size")
	}
	if len(merged) == 0 {
		merged = nil
	}
	cfg.FairnessWeightOverrides = merged
	return nil
}

// matchingConfig is what matching applies of cfg.
func matchingConfig(cfg *taskqueuepb.TaskQueueConfig) matching.QueueConfig {
	rate := func(c *taskqueuepb.RateLimitConfig) *float64 {
		if c.GetRateLimit() == nil {
			return nil
		}
		r := float64(c.GetRateLimit().GetRequestsPerSecond())
		return &r
	}
	return matching.QueueConfig{
		QueueRate:       rate(cfg.GetQueueRateLimit()),
		FairnessKeyRate: rate(cfg.GetFairnessKeysRateLimitDefault()),
		WeightOverrides: cfg.GetFairnessWeightOverrides(),
	}
}

// readTaskQueueConfig reads a queue's config record: nil and version 0 when
// there is none.
func (e *Engine) readTaskQueueConfig(ctx context.Context, nsID, id string) (*taskqueuepb.TaskQueueConfig, int64, error) {
	rec, err := e.store.GetRecord(ctx, nsID, taskQueueConfigRecordKind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, unavailable("reading a task queue config", err)
	}
	cfg := &taskqueuepb.TaskQueueConfig{}
	if err := proto.Unmarshal(rec.Data, cfg); err != nil {
		return nil, 0, serviceerror.NewDataLoss(fmt.Sprintf("decoding the config of task queue %s: %v", id, err))
	}
	return cfg, rec.Version, nil
}

// describeTaskQueueConfig is the config DescribeTaskQueue reports with
// report_config: nil for a queue nobody configured.
func (e *Engine) describeTaskQueueConfig(ctx context.Context, nsID string, typ enumspb.TaskQueueType, name string) (*taskqueuepb.TaskQueueConfig, error) {
	cfg, _, err := e.readTaskQueueConfig(ctx, nsID, taskQueueConfigID(typ, name))
	return cfg, err
}

// effectiveRateLimit reports the dispatch rate limit that applies to q and
// its source, or nil when no limit applies.
func (e *Engine) effectiveRateLimit(q matching.QueueKey) *workflowservice.DescribeTaskQueueResponse_EffectiveRateLimit {
	rate, src := e.tasks.EffectiveRate(q)
	out := &workflowservice.DescribeTaskQueueResponse_EffectiveRateLimit{RequestsPerSecond: float32(rate)}
	switch src {
	case matching.RateFromConfig:
		out.RateLimitSource = enumspb.RATE_LIMIT_SOURCE_API
	case matching.RateFromWorker:
		out.RateLimitSource = enumspb.RATE_LIMIT_SOURCE_WORKER
	default:
		return nil
	}
	return out
}

// loadTaskQueueConfigs gives matching the stored config of every configured
// task queue. Start calls it before recovery offers any task.
func (e *Engine) loadTaskQueueConfigs(ctx context.Context) error {
	afterNS := ""
	for {
		namespaces, err := e.store.ListNamespaces(ctx, afterNS, taskQueueConfigPageSize)
		if err != nil {
			return err
		}
		for _, ns := range namespaces {
			if err := e.loadNamespaceTaskQueueConfigs(ctx, ns.ID); err != nil {
				return err
			}
		}
		if len(namespaces) < taskQueueConfigPageSize {
			return nil
		}
		afterNS = namespaces[len(namespaces)-1].Name
	}
}

func (e *Engine) loadNamespaceTaskQueueConfigs(ctx context.Context, nsID string) error {
	after := ""
	for {
		recs, err := e.store.ListRecords(ctx, nsID, taskQueueConfigRecordKind, after, taskQueueConfigPageSize)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			typ, name, ok := parseTaskQueueConfigID(rec.ID)
			kind, known := matchingKindOf(typ)
			if !ok || !known {
				e.log.Error("a task queue config has an unknown id; it is left out", "record", rec.ID)
				continue
			}
			cfg := &taskqueuepb.TaskQueueConfig{}
			if err := proto.Unmarshal(rec.Data, cfg); err != nil {
				e.log.Error("a task queue config cannot be read; it is left out", "record", rec.ID, "error", err)
				continue
			}
			e.tasks.SetConfig(matching.ConfigKey{NamespaceID: nsID, Name: name, Kind: kind}, matchingConfig(cfg))
		}
		if len(recs) < taskQueueConfigPageSize {
			return nil
		}
		after = recs[len(recs)-1].ID
	}
}
