package engine_test

import (
	"math"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// TestHardening03ClientNumbersOverGRPC: through the server, a poller's rate of
// 1e-12, NaN or +Inf and a priority key above the levels are refused with
// InvalidArgument before they reach matching; in-range values are served.
func TestHardening03ClientNumbersOverGRPC(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, rate := range []float64{1e-12, math.NaN(), math.Inf(1), -5} {
		_, err := e.c.PollActivityTaskQueue(e.ctx(), &workflowservice.PollActivityTaskQueueRequest{
			Namespace: ns, TaskQueue: &taskqueuepb.TaskQueue{Name: "tq"},
			TaskQueueMetadata: &taskqueuepb.TaskQueueMetadata{MaxTasksPerSecond: wrapperspb.Double(rate)},
		})
		wantCode(t, "poll with rate", err, codes.InvalidArgument)
	}
	_, err := e.c.StartWorkflowExecution(e.ctx(), func() *workflowservice.StartWorkflowExecutionRequest {
		r := e.startRequest("prio-6", "tq")
		r.Priority = &commonpb.Priority{PriorityKey: 6}
		return r
	}())
	wantCode(t, "start with priority key 6 of 5", err, codes.InvalidArgument)
	_, err = e.c.StartWorkflowExecution(e.ctx(), func() *workflowservice.StartWorkflowExecutionRequest {
		r := e.startRequest("weight-inf", "tq")
		r.Priority = &commonpb.Priority{FairnessWeight: float32(math.Inf(1))}
		return r
	}())
	wantCode(t, "start with an infinite fairness weight", err, codes.InvalidArgument)
	e.start("prio-5", "tq", func(r *workflowservice.StartWorkflowExecutionRequest) {
		r.Priority = &commonpb.Priority{PriorityKey: 5, FairnessKey: "tenant", FairnessWeight: 2}
	})
	e.pollWFT("tq")
}
