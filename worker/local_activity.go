package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/internal/sdk/activityrun"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	commonpb "go.temporal.io/api/common/v1"
)

// localActivities runs local activities, inside workflow tasks, with the functions
// registered on the worker.
type localActivities struct{ w *Worker }

// ExecuteLocalActivity runs one attempt; ctx ends at the attempt's timeout.
func (l localActivities) ExecuteLocalActivity(ctx context.Context, req workflowrt.LocalActivityRequest) (*commonpb.Payloads, error) {
	w := l.w
	act, ok := w.activities.Lookup(req.ActivityType)
	if !ok {
		return nil, sundial.NewNonRetryableApplicationError(
			fmt.Sprintf("local activity type %q is not registered on this worker (task queue %q); registered: %v",
				req.ActivityType, w.taskQueue, w.activities.Names()),
			"ActivityNotRegistered", nil)
	}
	info := activity.Info{
		ActivityID:    req.ActivityID,
		ActivityType:  req.ActivityType,
		Attempt:       req.Attempt,
		TaskQueue:     w.taskQueue,
		IsLocal:       true,
		StartedTime:   time.Now(),
		ScheduledTime: time.Now(),
	}
	info.CurrentAttemptScheduledTime = info.ScheduledTime
	if wf := req.Workflow; wf != nil {
		info.WorkflowNamespace = wf.Namespace
		info.WorkflowID = wf.Execution.WorkflowID
		info.WorkflowRunID = wf.Execution.RunID
		info.WorkflowType = wf.WorkflowType
	}
	if deadline, ok := ctx.Deadline(); ok {
		info.Deadline = deadline
	}
	meter := w.metrics.forActivity(w.metrics.local, info)
	ctx, run := activityrun.Start(ctx, attemptConfig{
		Info:          info,
		Meter:         meter,
		Client:        w.client,
		DataConverter: w.client.DataConverter(),
		Logger:        w.opts.Logger,
		WorkerStop:    w.stopCh,
	})
	defer run.Finish()
	begin := time.Now()
	result, err := act.Invoke(ctx, req.Input, w.client.DataConverter())
	outcome := outcomeCompleted
	if err != nil {
		outcome = outcomeFailed
	}
	w.metrics.activityExecuted(meter, true, time.Since(begin), outcome, err)
	return result, err
}
