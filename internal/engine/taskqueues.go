package engine

import (
	"context"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/matching"
)

// DescribeTaskQueue lists the recent pollers of a task queue and, when asked,
// its backlog.
func (e *Engine) DescribeTaskQueue(ctx context.Context, req *workflowservice.DescribeTaskQueueRequest) (*workflowservice.DescribeTaskQueueResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	kinds := []enumspb.TaskQueueType{req.TaskQueueType}
	if len(req.TaskQueueTypes) > 0 {
		kinds = req.TaskQueueTypes
	}
	resp := &workflowservice.DescribeTaskQueueResponse{}
	var backlog int64
	for _, kind := range kinds {
		q := activityQueue(ns.id, req.GetTaskQueue().GetName())
		if kind != enumspb.TASK_QUEUE_TYPE_ACTIVITY {
			q = workflowQueue(ns.id, req.GetTaskQueue().GetName())
		}
		for _, p := range e.tasks.Pollers(q) {
			resp.Pollers = append(resp.Pollers, pollerInfo(p))
		}
		backlog += int64(e.tasks.BacklogLen(q))
	}
	if req.ReportStats {
		resp.Stats = &taskqueuepb.TaskQueueStats{ApproximateBacklogCount: backlog}
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
