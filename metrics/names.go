package metrics

// Names of the metrics the SDK records. They are the names of Temporal's SDKs, so that
// dashboards and alerts written for those work unchanged. The Prometheus adapter adds
// the suffixes Temporal's Prometheus setups use: _total to counters and _seconds to
// timers.
const (
	// Every call to the server (long polls excepted), its failures by status_code,
	// and its latency; tags operation and namespace.
	TemporalRequest                  = "temporal_request"
	TemporalRequestFailure           = "temporal_request_failure"
	TemporalRequestLatency           = "temporal_request_latency"
	TemporalRequestResourceExhausted = "temporal_request_resource_exhausted"
	// The same for long polls (task polls, history and update waits).
	TemporalLongRequest                  = "temporal_long_request"
	TemporalLongRequestFailure           = "temporal_long_request_failure"
	TemporalLongRequestLatency           = "temporal_long_request_latency"
	TemporalLongRequestResourceExhausted = "temporal_long_request_resource_exhausted"

	// Workers: one count per worker kind started (tag worker_type) and per poller.
	WorkerStart              = "temporal_worker_start"
	PollerStart              = "temporal_poller_start"
	WorkerTaskSlotsAvailable = "temporal_worker_task_slots_available"
	WorkerTaskSlotsUsed      = "temporal_worker_task_slots_used"

	// Workflow runs that closed, counted by the workflow task that closed them (tag
	// workflow_type), and the time from the run's start to its close.
	WorkflowCompleted       = "temporal_workflow_completed"
	WorkflowFailed          = "temporal_workflow_failed"
	WorkflowCanceled        = "temporal_workflow_canceled"
	WorkflowContinueAsNew   = "temporal_workflow_continue_as_new"
	WorkflowEndToEndLatency = "temporal_workflow_endtoend_latency"

	// Workflow tasks.
	WorkflowTaskQueuePollEmpty         = "temporal_workflow_task_queue_poll_empty"
	WorkflowTaskQueuePollSucceed       = "temporal_workflow_task_queue_poll_succeed"
	WorkflowTaskScheduleToStartLatency = "temporal_workflow_task_schedule_to_start_latency"
	WorkflowTaskExecutionLatency       = "temporal_workflow_task_execution_latency"
	WorkflowTaskExecutionFailed        = "temporal_workflow_task_execution_failed"

	// The sticky cache of running workflows.
	StickyCacheHit             = "temporal_sticky_cache_hit"
	StickyCacheMiss            = "temporal_sticky_cache_miss"
	StickyCacheSize            = "temporal_sticky_cache_size"
	StickyCacheForcedEvictions = "temporal_sticky_cache_total_forced_eviction"

	// Activity tasks (tags activity_type, workflow_type, task_queue).
	ActivityPollNoTask             = "temporal_activity_poll_no_task"
	ActivityScheduleToStartLatency = "temporal_activity_schedule_to_start_latency"
	ActivityExecutionLatency       = "temporal_activity_execution_latency"
	ActivityExecutionFailed        = "temporal_activity_execution_failed"
	ActivitySucceedEndToEndLatency = "temporal_activity_succeed_endtoend_latency"

	// Local activities.
	LocalActivityTotal            = "temporal_local_activity_total"
	LocalActivityExecutionLatency = "temporal_local_activity_execution_latency"
	LocalActivityExecutionFailed  = "temporal_local_activity_execution_failed"
)

// Tag names.
const (
	TagNamespace     = "namespace"
	TagClientName    = "client_name"
	TagWorkerType    = "worker_type"
	TagWorkflowType  = "workflow_type"
	TagActivityType  = "activity_type"
	TagTaskQueue     = "task_queue"
	TagOperation     = "operation"
	TagStatusCode    = "status_code"
	TagFailureReason = "failure_reason"
	TagCause         = "cause"
)

// Tag values.
const (
	// NoneTagValue fills a tag that does not apply, so that every series of a metric
	// has the same tag names (Prometheus requires it).
	NoneTagValue = "none"
	// ClientNameTagValue is the client_name of every metric the SDK records.
	ClientNameTagValue = "sundial_go"
	// Worker types.
	WorkerTypeWorkflow      = "WorkflowWorker"
	WorkerTypeActivity      = "ActivityWorker"
	WorkerTypeLocalActivity = "LocalActivityWorker"
)

// RootTags are the tags the client puts on its handler: the namespace, the client
// name, and NoneTagValue for the tags that more specific metrics fill in.
func RootTags(namespace string) map[string]string {
	return map[string]string{
		TagNamespace:    namespace,
		TagClientName:   ClientNameTagValue,
		TagWorkerType:   NoneTagValue,
		TagWorkflowType: NoneTagValue,
		TagActivityType: NoneTagValue,
		TagTaskQueue:    NoneTagValue,
	}
}
