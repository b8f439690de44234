package worker

import (
	"context"

	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/interceptor"
	"go.temporal.io/api/workflowservice/v1"
)

// startActivitySpan starts the RunActivity span of an attempt, a child of the span
// whose context the task's header carries (the workflow's StartActivity span). Without
// a tracer it returns ctx and a no-op.
func (w *Worker) startActivitySpan(ctx context.Context, task *workflowservice.PollActivityTaskQueueResponse, info activity.Info) (context.Context, func(error)) {
	tracer := w.client.Tracer()
	if tracer == nil {
		return ctx, func(error) {}
	}
	return tracer.StartSpan(ctx, interceptor.StartSpanOptions{
		Operation: interceptor.OperationRunActivity,
		Name:      info.ActivityType,
		Tags: map[string]string{
			interceptor.TagWorkflowID: info.WorkflowID,
			interceptor.TagRunID:      info.WorkflowRunID,
			interceptor.TagActivityID: info.ActivityID,
		},
		ParentHeader: task.GetHeader().GetFields(),
		Time:         info.StartedTime,
	})
}
