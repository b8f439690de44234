package worker

import (
	"time"

	"github.com/sundialdev/sundial/activity"
	"go.temporal.io/api/workflowservice/v1"
)

// Workflow task metrics, recorded for every workflow task with the workflow's labels,
// under the names of Temporal's SDKs.
const (
	metricWorkflowTaskLatency         = "temporal_workflow_task_execution_latency"
	metricWorkflowTaskFailed          = "temporal_workflow_task_execution_failed"
	metricWorkflowTaskScheduleToStart = "temporal_workflow_task_schedule_to_start_latency"
	metricStickyCacheSize             = "temporal_sticky_cache_size"
)

// recordWorkflowTask records how long processing a task took, whether it failed, and
// how many runs the sticky cache holds afterwards.
func (w *Worker) recordWorkflowTask(task *workflowservice.PollWorkflowTaskQueueResponse, elapsed time.Duration, failed bool) {
	meter := w.metrics.Meter()
	meter.WithTags(map[string]string{
		"workflow_type": task.GetWorkflowType().GetName(),
		"namespace":     w.client.Namespace(),
		"task_queue":    w.taskQueue,
	}).Histogram(metricWorkflowTaskLatency, activity.MetricOptions{
		Description: "Time the worker took to process workflow tasks, in seconds", Unit: "seconds",
	}).Record(elapsed.Seconds())
	if sched, started := task.GetScheduledTime(), task.GetStartedTime(); sched != nil && started != nil {
		meter.WithTags(map[string]string{
			"workflow_type": task.GetWorkflowType().GetName(),
			"namespace":     w.client.Namespace(),
			"task_queue":    w.taskQueue,
		}).Histogram(metricWorkflowTaskScheduleToStart, activity.MetricOptions{
			Description: "Time workflow tasks waited from being scheduled to a worker taking them, in seconds", Unit: "seconds",
		}).Record(max(started.AsTime().Sub(sched.AsTime()), 0).Seconds())
	}
	if failed {
		meter.WithTags(map[string]string{
			"workflow_type": task.GetWorkflowType().GetName(),
			"namespace":     w.client.Namespace(),
			"task_queue":    w.taskQueue,
		}).Counter(metricWorkflowTaskFailed, activity.MetricOptions{
			Description: "Workflow tasks that failed (panic, nondeterminism, unknown workflow type)",
		}).Add(1)
	}
	meter.WithTags(map[string]string{"namespace": w.client.Namespace(), "task_queue": w.taskQueue}).
		Gauge(metricStickyCacheSize, activity.MetricOptions{Description: "Workflow runs held in the sticky cache"}).
		Set(float64(w.handler.CachedRuns()))
}
