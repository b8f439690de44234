package engine

import (
	"context"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/matching"
)

// DescribeTaskQueue lists the recent pollers of a task queue and its backlog:
// in the legacy form (one task queue type) or, with api_mode ENHANCED, per
// type under the unversioned entry of versions_info, as the SDKs' enhanced
// describe expects.
func (e *Engine) DescribeTaskQueue(ctx context.Context, req *workflowservice.DescribeTaskQueueRequest) (*workflowservice.DescribeTaskQueueResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	name := req.GetTaskQueue().GetName()
	queueOf := func(kind enumspb.TaskQueueType) matching.QueueKey {
		switch kind {
		case enumspb.TASK_QUEUE_TYPE_ACTIVITY:
			return activityQueue(ns.id, name)
		case enumspb.TASK_QUEUE_TYPE_NEXUS:
			return nexusQueue(ns.id, name)
		}
		return workflowQueue(ns.id, name)
	}
	pollersOf := func(q matching.QueueKey) []*taskqueuepb.PollerInfo {
		var out []*taskqueuepb.PollerInfo
		for _, p := range e.tasks.Pollers(q) {
			out = append(out, pollerInfo(p))
		}
		for _, vq := range e.versionQueuesOf(ns.id, q) { // versioned workers
			for _, p := range e.tasks.Pollers(vq) {
				out = append(out, pollerInfo(p))
			}
		}
		return out
	}
	resp := &workflowservice.DescribeTaskQueueResponse{}
	if req.ApiMode == enumspb.DESCRIBE_TASK_QUEUE_MODE_ENHANCED {
		kinds := req.TaskQueueTypes
		if len(kinds) == 0 {
			kinds = []enumspb.TaskQueueType{enumspb.TASK_QUEUE_TYPE_WORKFLOW, enumspb.TASK_QUEUE_TYPE_ACTIVITY}
		}
		info := &taskqueuepb.TaskQueueVersionInfo{
			TypesInfo:        map[int32]*taskqueuepb.TaskQueueTypeInfo{},
			TaskReachability: enumspb.BUILD_ID_TASK_REACHABILITY_REACHABLE,
		}
		for _, kind := range kinds {
			q := queueOf(kind)
			ti := &taskqueuepb.TaskQueueTypeInfo{Pollers: pollersOf(q)}
			if req.ReportStats {
				ti.Stats = &taskqueuepb.TaskQueueStats{ApproximateBacklogCount: int64(e.tasks.BacklogLen(q))}
			}
			info.TypesInfo[int32(kind)] = ti
		}
		resp.VersionsInfo = map[string]*taskqueuepb.TaskQueueVersionInfo{"": info}
		return resp, nil
	}
	q := queueOf(req.TaskQueueType)
	resp.Pollers = pollersOf(q)
	resp.EffectiveRateLimit = e.effectiveRateLimit(q)
	if req.ReportConfig {
		typ := req.TaskQueueType
		if typ == enumspb.TASK_QUEUE_TYPE_UNSPECIFIED {
			typ = enumspb.TASK_QUEUE_TYPE_WORKFLOW
		}
		if resp.Config, err = e.describeTaskQueueConfig(ctx, ns.id, typ, name); err != nil {
			return nil, err
		}
	}
	backlog := int64(e.tasks.BacklogLen(q))
	if req.ReportStats {
		resp.Stats = &taskqueuepb.TaskQueueStats{ApproximateBacklogCount: backlog}
	}
	if req.IncludeTaskQueueStatus {
		// Sundial's queues live in memory: there are no read or ack levels
		// and no task id blocks to report.
		resp.TaskQueueStatus = &taskqueuepb.TaskQueueStatus{
			BacklogCountHint: backlog,
			TaskIdBlock:      &taskqueuepb.TaskIdBlock{},
		}
	}
	return resp, nil
}

func pollerInfo(p matching.Poller) *taskqueuepb.PollerInfo {
	return &taskqueuepb.PollerInfo{
		LastAccessTime: timestamppb.New(p.LastAccess),
		Identity:       p.Identity,
		RatePerSecond:  p.MaxTasksPerSecond,
	}
}
