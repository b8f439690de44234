package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/internal/sdk/activityrun"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// attemptConfig is the runtime configuration of one activity attempt.
type attemptConfig = activityrun.Config[activity.Info, activity.MetricMeter]

// runTask runs one activity task to its end and reports the outcome.
func (w *Worker) runTask(task *workflowservice.PollActivityTaskQueueResponse) {
	info := infoFromTask(task, w.taskQueue, time.Now())
	logger := w.opts.Logger.With(
		slog.String("activity_id", info.ActivityID), slog.String("activity_type", info.ActivityType),
		slog.Int("attempt", int(info.Attempt)), slog.String("workflow_id", info.WorkflowID),
		slog.String("workflow_run_id", info.WorkflowRunID))

	act, ok := w.activities.Lookup(info.ActivityType)
	if !ok {
		err := sundial.NewApplicationError(
			fmt.Sprintf("activity type %q is not registered on this worker (task queue %q); registered: %v",
				info.ActivityType, w.taskQueue, w.activities.Names()),
			"ActivityNotRegistered")
		logger.Error("activity type not registered")
		w.respondFailed(logger, info.TaskToken, err, nil)
		return
	}

	dc := w.client.DataConverter()
	meter := w.metrics.forActivity(w.metrics.activity, info)
	w.metrics.activityScheduleToStart(meter, info)
	var hb *heartbeater
	ctx, run := activityrun.Start(w.activityCtx, attemptConfig{
		Info:             info,
		Meter:            meter,
		Client:           w.client,
		DataConverter:    dc,
		Logger:           w.opts.Logger,
		HeartbeatDetails: task.GetHeartbeatDetails(),
		Heartbeat:        func(details []any) { hb.record(details) },
		WorkerStop:       w.stopCh,
		Deadline:         info.Deadline,
		DeadlineCause:    activity.TimedOut,
	})
	hb = w.newHeartbeater(logger, info.TaskToken, w.opts.heartbeatThrottleInterval(info.HeartbeatTimeout), run.Cancel)

	ctx, endSpan := w.startActivitySpan(ctx, task, info)
	begin := time.Now()
	result, err := act.Invoke(ctx, task.GetInput(), dc)
	endSpan(err)
	reason := activity.CancellationReason(ctx)
	run.Finish()
	pending := hb.stop()
	outcome, reportErr := decideOutcome(err, reason)
	w.metrics.activityExecuted(meter, false, time.Since(begin), outcome, reportErr)

	switch outcome {
	case outcomeCompleted:
		if w.respondCompleted(logger, info.TaskToken, result) {
			w.metrics.activitySucceeded(meter, info)
		}
	case outcomeCanceled:
		hb.flush(pending)
		w.respondCanceled(logger, info.TaskToken, reportErr)
	case outcomeFailed:
		w.respondFailed(logger, info.TaskToken, reportErr, pending.payloads)
	case outcomePending:
		hb.flush(pending)
		logger.Debug("activity will be completed asynchronously")
	case outcomeDropped:
		logger.Info("activity result dropped: the server has already closed this attempt",
			slog.String("reason", reason.String()), "error", err)
	}
}

// outcome is what the worker tells the server when an activity returns.
type outcome int

const (
	outcomeCompleted outcome = iota
	outcomeFailed
	outcomeCanceled
	// outcomePending: the activity will be completed asynchronously.
	outcomePending
	// outcomeDropped: the server no longer expects an answer.
	outcomeDropped
)

// decideOutcome maps an activity's error and its cancellation reason to what is reported,
// and returns the error to report with it.
func decideOutcome(err error, reason activity.CancelReason) (outcome, error) {
	switch {
	case errors.Is(err, sundial.ErrResultPending):
		return outcomePending, nil
	case reason == activity.TimedOut || reason == activity.NotFound:
		return outcomeDropped, nil
	case err == nil:
		return outcomeCompleted, nil
	}
	var canceledErr *sundial.CanceledError
	isCanceledErr := errors.As(err, &canceledErr)
	isContextCanceled := errors.Is(err, context.Canceled)
	if reason == activity.CancelRequested && (isCanceledErr || isContextCanceled) {
		if isCanceledErr {
			return outcomeCanceled, canceledErr
		}
		return outcomeCanceled, sundial.NewCanceledErrorWithOptions(sundial.CanceledErrorOptions{Cause: err})
	}
	if isContextCanceled {
		switch reason {
		case activity.WorkerShutdown:
			return outcomeFailed, sundial.NewApplicationErrorWithOptions("worker is shutting down", "WorkerShutdown",
				sundial.ApplicationErrorOptions{Cause: err})
		case activity.Paused:
			return outcomeFailed, sundial.NewApplicationErrorWithOptions("activity paused", "ActivityPaused",
				sundial.ApplicationErrorOptions{Cause: sundial.ErrActivityPaused})
		case activity.Reset:
			return outcomeFailed, sundial.NewApplicationErrorWithOptions("activity reset", "ActivityReset",
				sundial.ApplicationErrorOptions{Cause: sundial.ErrActivityReset})
		}
	}
	if isCanceledErr {
		// The server refuses a cancellation nobody asked for, so report a failure.
		return outcomeFailed, fmt.Errorf("activity returned a cancellation error without a cancellation request: %w", err)
	}
	return outcomeFailed, err
}

// infoFromTask builds the activity's Info from its task; now is when the worker received
// it, the start of the start-to-close limit.
func infoFromTask(task *workflowservice.PollActivityTaskQueueResponse, taskQueue string, now time.Time) activity.Info {
	info := activity.Info{
		ActivityID:                  task.GetActivityId(),
		ActivityType:                task.GetActivityType().GetName(),
		Attempt:                     task.GetAttempt(),
		TaskQueue:                   taskQueue,
		TaskToken:                   task.GetTaskToken(),
		WorkflowNamespace:           task.GetWorkflowNamespace(),
		WorkflowID:                  task.GetWorkflowExecution().GetWorkflowId(),
		WorkflowRunID:               task.GetWorkflowExecution().GetRunId(),
		WorkflowType:                task.GetWorkflowType().GetName(),
		ScheduledTime:               timeOf(task.GetScheduledTime()),
		CurrentAttemptScheduledTime: timeOf(task.GetCurrentAttemptScheduledTime()),
		StartedTime:                 timeOf(task.GetStartedTime()),
		ScheduleToCloseTimeout:      durationOf(task.GetScheduleToCloseTimeout()),
		StartToCloseTimeout:         durationOf(task.GetStartToCloseTimeout()),
		HeartbeatTimeout:            durationOf(task.GetHeartbeatTimeout()),
		RetryPolicy:                 sundial.RetryPolicyFromProto(task.GetRetryPolicy()),
	}
	if p := sundial.PriorityFromProto(task.GetPriority()); p != nil {
		info.Priority = *p
	}
	info.Deadline = attemptDeadline(info, now)
	return info
}

// attemptDeadline is the earlier of now + start-to-close and first scheduled time +
// schedule-to-close; zero when neither is set.
func attemptDeadline(info activity.Info, now time.Time) time.Time {
	var deadline time.Time
	if info.StartToCloseTimeout > 0 {
		deadline = now.Add(info.StartToCloseTimeout)
	}
	if info.ScheduleToCloseTimeout > 0 && !info.ScheduledTime.IsZero() {
		whole := info.ScheduledTime.Add(info.ScheduleToCloseTimeout)
		if deadline.IsZero() || whole.Before(deadline) {
			deadline = whole
		}
	}
	return deadline
}

func timeOf(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}

func durationOf(d *durationpb.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return d.AsDuration()
}
