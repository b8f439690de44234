package worker

import (
	"errors"
	"time"

	"github.com/sundialdev/sundial/internal/sdk/nexusrt"
	"github.com/sundialdev/sundial/metrics"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// nexusMetrics records the Nexus worker's metrics under Temporal's SDK names. Every
// method returns at once when the client has no metrics handler.
type nexusMetrics struct {
	on bool
	h  metrics.Handler // with task_queue and worker_type NexusWorker
}

func newNexusMetrics(h metrics.Handler, taskQueue string) nexusMetrics {
	if metrics.IsNop(h) {
		return nexusMetrics{h: metrics.NopHandler}
	}
	return nexusMetrics{on: true, h: h.WithTags(map[string]string{metrics.TagTaskQueue: taskQueue, metrics.TagWorkerType: metrics.WorkerTypeNexus})}
}

// polled records a poll: empty, or the time its task waited.
func (m nexusMetrics) polled(task *workflowservice.PollNexusTaskQueueResponse) {
	if !m.on {
		return
	}
	if len(task.GetTaskToken()) == 0 {
		m.h.Counter(metrics.NexusPollNoTask, metrics.Options{Description: "Nexus task polls that returned no task"}).Add(1)
		return
	}
	if scheduled := task.GetRequest().GetScheduledTime(); scheduled != nil {
		m.h.Timer(metrics.NexusTaskScheduleToStartLatency, metrics.Options{
			Description: "Time Nexus tasks waited from the caller's request to a worker taking them",
		}).Record(time.Since(scheduled.AsTime()))
	}
}

// executed records a task's execution time and its failure, if any.
func (m nexusMetrics) executed(task *workflowservice.PollNexusTaskQueueResponse, elapsed time.Duration, answer nexusrt.Answer, err error) {
	if !m.on {
		return
	}
	h := m.h.WithTags(nexusOperationTags(task.GetRequest()))
	h.Timer(metrics.NexusTaskExecutionLatency, metrics.Options{Description: "Time Nexus handlers took"}).Record(elapsed)
	if reason := nexusFailureReason(answer, err); reason != "" {
		h.WithTags(map[string]string{metrics.TagFailureReason: reason}).
			Counter(metrics.NexusTaskExecutionFailed, metrics.Options{Description: "Nexus tasks that failed"}).Add(1)
	}
}

// answered records the time from the caller's request to the reply.
func (m nexusMetrics) answered(task *workflowservice.PollNexusTaskQueueResponse) {
	scheduled := task.GetRequest().GetScheduledTime()
	if !m.on || scheduled == nil {
		return
	}
	m.h.WithTags(nexusOperationTags(task.GetRequest())).Timer(metrics.NexusTaskEndToEndLatency, metrics.Options{
		Description: "Time from a Nexus request to its reply",
	}).Record(time.Since(scheduled.AsTime()))
}

// slots publishes how many Nexus task slots are in use.
func (m nexusMetrics) slots(used, capacity int) {
	if !m.on {
		return
	}
	m.h.Gauge(metrics.WorkerTaskSlotsUsed, metrics.Options{Description: "Task slots in use"}).Set(float64(used))
	m.h.Gauge(metrics.WorkerTaskSlotsAvailable, metrics.Options{Description: "Task slots free"}).Set(float64(capacity - used))
}

// started counts the Nexus worker and its pollers.
func (m nexusMetrics) started(pollers int) {
	if !m.on {
		return
	}
	m.h.Counter(metrics.WorkerStart, metrics.Options{Description: "Workers started"}).Add(1)
	m.h.Counter(metrics.PollerStart, metrics.Options{Description: "Pollers started"}).Add(int64(pollers))
}

func nexusOperationTags(req *nexuspb.Request) map[string]string {
	service, operation := req.GetStartOperation().GetService(), req.GetStartOperation().GetOperation()
	if c := req.GetCancelOperation(); c != nil {
		service, operation = c.GetService(), c.GetOperation()
	}
	return map[string]string{metrics.TagNexusService: service, metrics.TagNexusOperation: operation}
}

// nexusFailureReason names how a task failed, as Temporal's SDKs tag it; "" when it
// did not.
func nexusFailureReason(answer nexusrt.Answer, err error) string {
	switch {
	case errors.Is(err, nexusrt.ErrTaskAbandoned):
		return "timeout"
	case err != nil:
		return "internal_sdk_error"
	case answer.Failed != nil:
		typ := answer.Failed.GetFailure().GetNexusHandlerFailureInfo().GetType()
		if typ == "" {
			typ = answer.Failed.GetError().GetErrorType()
		}
		return "handler_error_" + typ
	}
	start := answer.Completed.GetResponse().GetStartOperation()
	if f := start.GetFailure(); f != nil {
		if f.GetCanceledFailureInfo() != nil {
			return "operation_canceled"
		}
		return "operation_failed"
	}
	if oe := start.GetOperationError(); oe != nil {
		return "operation_" + oe.GetOperationState()
	}
	return ""
}
