package worker

import (
	"errors"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/metrics"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// workerMetrics records the worker's metrics under Temporal's SDK names. Every method
// returns at once when the client has no metrics handler, before building any tags.
type workerMetrics struct {
	on bool
	// workflow, activity and local carry the client's root tags, the task queue and
	// the worker_type of each kind of work.
	workflow metrics.Handler
	activity metrics.Handler
	local    metrics.Handler
}

func newWorkerMetrics(h metrics.Handler, taskQueue string) workerMetrics {
	if metrics.IsNop(h) {
		return workerMetrics{workflow: metrics.NopHandler, activity: metrics.NopHandler, local: metrics.NopHandler}
	}
	base := h.WithTags(map[string]string{metrics.TagTaskQueue: taskQueue})
	of := func(kind string) metrics.Handler {
		return base.WithTags(map[string]string{metrics.TagWorkerType: kind})
	}
	return workerMetrics{on: true, workflow: of(metrics.WorkerTypeWorkflow), activity: of(metrics.WorkerTypeActivity),
		local: of(metrics.WorkerTypeLocalActivity)}
}

// started counts the start of one kind of worker.
func (m workerMetrics) started(h metrics.Handler) {
	if m.on {
		h.Counter(metrics.WorkerStart, metrics.Options{Description: "Workers started"}).Add(1)
	}
}

// pollerStarted counts the start of one poller.
func (m workerMetrics) pollerStarted(h metrics.Handler) {
	if m.on {
		h.Counter(metrics.PollerStart, metrics.Options{Description: "Pollers started"}).Add(1)
	}
}

// slots publishes how many of a kind's task slots are in use.
func (m workerMetrics) slots(h metrics.Handler, used, capacity int) {
	if !m.on {
		return
	}
	h.Gauge(metrics.WorkerTaskSlotsUsed, metrics.Options{Description: "Task slots in use"}).Set(float64(used))
	h.Gauge(metrics.WorkerTaskSlotsAvailable, metrics.Options{Description: "Task slots free"}).Set(float64(capacity - used))
}

// forActivity is the handler of one activity's metrics, the one activity.GetMetricMeter
// returns.
func (m workerMetrics) forActivity(h metrics.Handler, info activity.Info) metrics.Handler {
	if !m.on {
		return metrics.NopHandler
	}
	workflowType := info.WorkflowType
	if workflowType == "" {
		workflowType = metrics.NoneTagValue
	}
	return h.WithTags(map[string]string{metrics.TagActivityType: info.ActivityType, metrics.TagWorkflowType: workflowType})
}

// activityPollEmpty counts a poll that ended without a task.
func (m workerMetrics) activityPollEmpty() {
	if m.on {
		m.activity.Counter(metrics.ActivityPollNoTask, metrics.Options{Description: "Activity polls that returned no task"}).Add(1)
	}
}

// activityScheduleToStart records how long an attempt waited for a worker, by the
// server's times.
func (m workerMetrics) activityScheduleToStart(h metrics.Handler, info activity.Info) {
	if !m.on || info.StartedTime.IsZero() || info.CurrentAttemptScheduledTime.IsZero() {
		return
	}
	h.Timer(metrics.ActivityScheduleToStartLatency, metrics.Options{
		Description: "Time activity attempts waited from being scheduled to a worker taking them",
	}).Record(max(info.StartedTime.Sub(info.CurrentAttemptScheduledTime), 0))
}

// activityExecuted records how long an attempt ran and, for failures other than benign
// application errors, that it failed. Local activities have their own names.
func (m workerMetrics) activityExecuted(h metrics.Handler, local bool, elapsed time.Duration, outcome outcome, err error) {
	if !m.on {
		return
	}
	latency, failed := metrics.ActivityExecutionLatency, metrics.ActivityExecutionFailed
	if local {
		latency, failed = metrics.LocalActivityExecutionLatency, metrics.LocalActivityExecutionFailed
		h.Counter(metrics.LocalActivityTotal, metrics.Options{Description: "Local activity attempts"}).Add(1)
	}
	h.Timer(latency, metrics.Options{Description: "Time activity functions took to return"}).Record(elapsed)
	if outcome != outcomeFailed {
		return
	}
	var app *sundial.ApplicationError
	if errors.As(err, &app) && app.Category() == sundial.ApplicationErrorCategoryBenign {
		return
	}
	h.Counter(failed, metrics.Options{Description: "Activity attempts that failed"}).Add(1)
}

// activitySucceeded records the time from an activity's first scheduling to the
// acceptance of its result.
func (m workerMetrics) activitySucceeded(h metrics.Handler, info activity.Info) {
	if m.on && !info.ScheduledTime.IsZero() {
		h.Timer(metrics.ActivitySucceedEndToEndLatency, metrics.Options{
			Description: "Time from scheduling an activity to its successful completion",
		}).Record(max(time.Since(info.ScheduledTime), 0))
	}
}

// workflowPolled records a workflow task poll: empty, or its schedule-to-start time.
func (m workerMetrics) workflowPolled(task *workflowservice.PollWorkflowTaskQueueResponse) {
	if !m.on {
		return
	}
	if len(task.GetTaskToken()) == 0 {
		m.workflow.Counter(metrics.WorkflowTaskQueuePollEmpty, metrics.Options{Description: "Workflow task polls that returned no task"}).Add(1)
		return
	}
	h := m.workflow.WithTags(map[string]string{metrics.TagWorkflowType: task.GetWorkflowType().GetName()})
	h.Counter(metrics.WorkflowTaskQueuePollSucceed, metrics.Options{Description: "Workflow task polls that returned a task"}).Add(1)
	if sched, started := task.GetScheduledTime(), task.GetStartedTime(); sched != nil && started != nil {
		h.Timer(metrics.WorkflowTaskScheduleToStartLatency, metrics.Options{
			Description: "Time workflow tasks waited from being scheduled to a worker taking them",
		}).Record(max(started.AsTime().Sub(sched.AsTime()), 0))
	}
}

// workflowTaskProcessed records a processed workflow task: its latency, its failure,
// how it used the sticky cache, the cache's size, and the close of the run it closed.
func (m workerMetrics) workflowTaskProcessed(task *workflowservice.PollWorkflowTaskQueueResponse, elapsed time.Duration,
	result workflowrt.Result, processErr error, cachedRuns int) {
	if !m.on {
		return
	}
	h := m.workflow.WithTags(map[string]string{metrics.TagWorkflowType: task.GetWorkflowType().GetName()})
	h.Timer(metrics.WorkflowTaskExecutionLatency, metrics.Options{Description: "Time the worker took to process workflow tasks"}).Record(elapsed)
	if failErr := errors.Join(processErr, result.Err); failErr != nil {
		reason := "WorkflowError"
		var nondeterminism *workflowrt.NondeterminismError
		if errors.As(failErr, &nondeterminism) {
			reason = "NonDeterminismError"
		}
		h.WithTags(map[string]string{metrics.TagFailureReason: reason}).
			Counter(metrics.WorkflowTaskExecutionFailed, metrics.Options{Description: "Workflow tasks that failed"}).Add(1)
	}
	switch result.Cache {
	case workflowrt.CacheHit:
		h.Counter(metrics.StickyCacheHit, metrics.Options{Description: "Workflow tasks that continued a cached run"}).Add(1)
	case workflowrt.CacheMiss:
		h.Counter(metrics.StickyCacheMiss, metrics.Options{Description: "Workflow tasks whose run had to be rebuilt from history"}).Add(1)
	}
	if result.ForcedEvictions > 0 {
		h.Counter(metrics.StickyCacheForcedEvictions, metrics.Options{Description: "Cached runs evicted to make room"}).Add(int64(result.ForcedEvictions))
	}
	m.workflow.Gauge(metrics.StickyCacheSize, metrics.Options{Description: "Workflow runs held in the sticky cache"}).Set(float64(cachedRuns))
	if result.Completed != nil {
		m.workflowClosed(h, result)
	}
}

// workflowClosed counts the run's close by the close command the task sends, if any,
// and records the run's duration.
func (m workerMetrics) workflowClosed(h metrics.Handler, result workflowrt.Result) {
	for _, cmd := range result.Completed.GetCommands() {
		var name string
		switch cmd.GetCommandType() {
		case enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
			name = metrics.WorkflowCompleted
		case enumspb.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
			info := cmd.GetFailWorkflowExecutionCommandAttributes().GetFailure().GetApplicationFailureInfo()
			if info.GetCategory() != enumspb.APPLICATION_ERROR_CATEGORY_BENIGN {
				name = metrics.WorkflowFailed
			}
		case enumspb.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
			name = metrics.WorkflowCanceled
		case enumspb.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
			name = metrics.WorkflowContinueAsNew
		default:
			continue
		}
		if name != "" {
			h.Counter(name, metrics.Options{Description: "Workflow runs closed by this worker"}).Add(1)
		}
		if !result.WorkflowStartTime.IsZero() {
			h.Timer(metrics.WorkflowEndToEndLatency, metrics.Options{Description: "Time from a run's start to its close"}).
				Record(max(time.Since(result.WorkflowStartTime), 0))
		}
		return
	}
}
